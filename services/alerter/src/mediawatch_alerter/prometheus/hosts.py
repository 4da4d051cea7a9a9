"""CPU, memory and disk rules of the hosts, in two files: from the health reporters' gauges
(``rules/``) or from node_exporter (``node-exporter/``). Both raise the same alerts."""

from __future__ import annotations

from dataclasses import dataclass

from mediawatch_alerter.prometheus.model import PromRule, RuleFile, RuleGroup
from mediawatch_alerter.prometheus.thresholds import RuleThresholds, number, prometheus_duration

_VALUE = '{{ $value | printf "%.1f" }}'
_HOST = "{{ $labels.host }}"
_INSTANCE = "{{ $labels.instance }}"
_MOUNT = "{{ $labels.mountpoint }}"
_NODE_FS = 'fstype!~"tmpfs|ramfs|squashfs|overlay"'


@dataclass(frozen=True, slots=True)
class _Resource:
    alert: str
    what: str  # "CPU", "memory", "disk"
    series: str  # the recorded usage in percent
    subject: str  # who the summary names
    usage: str  # the description's opening, up to " is 90.0%"
    warning: str  # the RuleThresholds field of its warning threshold


def _alerts(r: _Resource, t: RuleThresholds) -> tuple[PromRule, PromRule]:
    def rule(level: str, limit: float) -> PromRule:
        return PromRule(
            alert=r.alert,
            expr=f"{r.series} > {number(limit)}",
            for_=prometheus_duration(t.resource_for_seconds),
            labels={"severity": level},
            annotations={
                "summary": f"High {r.what} usage: {r.subject}",
                "description": f"{r.usage} is {_VALUE}% (threshold {number(limit)}%).",
            },
        )

    return rule("warning", getattr(t, r.warning)), rule("critical", t.critical_percent)


def _header(t: RuleThresholds, source: str) -> str:
    return (
        "CPU, memory and disk of the hosts the services run on, with the built-in alerter's "
        f"thresholds: {t.named('cpu_percent')}, {t.named('memory_percent')}, "
        f"{t.named('disk_percent')} raise a warning, {t.named('critical_percent')} a critical "
        f"alert, once above for {t.named('resource_for_seconds')} seconds.\n{source}\n"
        "Rendered by `mediawatch prometheus rules`; edits here are lost at the next rendering."
    )


def _hosts_file(
    path: str,
    source: str,
    recording: tuple[PromRule, ...],
    resources: tuple[_Resource, ...],
    t: RuleThresholds,
) -> RuleFile:
    alerts = tuple(rule for r in resources for rule in _alerts(r, t))
    groups = (
        RuleGroup("mediawatch-hosts-recording", recording),
        RuleGroup("mediawatch-hosts", alerts),
    )
    return RuleFile(path, _header(t, source), groups)


def _health_recording(what: str) -> PromRule:
    return PromRule(
        record=f"host:mediawatch_host_{what}_usage:percent",
        expr=f"100 * max by (host) (mediawatch_host_{what}_usage_ratio)",
    )


HEALTH_SOURCE = (
    "The figures are the health reporter's (`mediawatch run health`, one per host): its "
    "system_resources check, CPU averaged over the check interval, memory and the temp "
    "directory's file system at the check. Where node_exporter runs, "
    "node-exporter/mediawatch-hosts.yml reads it instead."
)
HEALTH_RESOURCES = (
    _Resource("MediawatchHostCpuHigh", "CPU", "host:mediawatch_host_cpu_usage:percent", _HOST,
              f"CPU usage on {_HOST}", "cpu_percent"),
    _Resource("MediawatchHostMemoryHigh", "memory", "host:mediawatch_host_memory_usage:percent",
              _HOST, f"Memory usage on {_HOST}", "memory_percent"),
    _Resource("MediawatchHostDiskHigh", "disk", "host:mediawatch_host_disk_usage:percent", _HOST,
              f"Disk usage on {_HOST}", "disk_percent"),
)  # fmt: skip


def health_hosts_file(t: RuleThresholds) -> RuleFile:
    """``rules/mediawatch-hosts.yml``: the host alerts from the health reporters' gauges."""
    recording = tuple(_health_recording(what) for what in ("cpu", "memory", "disk"))
    return _hosts_file("rules/mediawatch-hosts.yml", HEALTH_SOURCE, recording, HEALTH_RESOURCES, t)


NODE_SOURCE = (
    "The figures come from node_exporter (Debian: prometheus-node-exporter), which a "
    "Prometheus that watches hosts already scrapes. Load this file instead of "
    "rules/mediawatch-hosts.yml (the health reporters' figures) where node_exporter runs, not "
    "beside it: both raise the same alerts."
)
NODE_RECORDING = (
    PromRule(
        record="instance:node_cpu_utilisation:percent_rate5m",
        expr='100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])))',
    ),
    PromRule(
        record="instance:node_memory_utilisation:percent",
        expr="100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)",
    ),
    PromRule(
        record="instance_mountpoint:node_filesystem_usage:percent",
        expr=f"100 * (1 - node_filesystem_avail_bytes{{{_NODE_FS}}}\n"
        f"         / node_filesystem_size_bytes{{{_NODE_FS}}})",
    ),
)
NODE_RESOURCES = (
    _Resource("MediawatchHostCpuHigh", "CPU", "instance:node_cpu_utilisation:percent_rate5m",
              _INSTANCE, f"CPU usage on {_INSTANCE}", "cpu_percent"),
    _Resource("MediawatchHostMemoryHigh", "memory", "instance:node_memory_utilisation:percent",
              _INSTANCE, f"Memory usage on {_INSTANCE}", "memory_percent"),
    _Resource("MediawatchHostDiskHigh", "disk", "instance_mountpoint:node_filesystem_usage:percent",
              f"{_INSTANCE} {_MOUNT}", f"Disk usage of {_MOUNT} on {_INSTANCE}", "disk_percent"),
)  # fmt: skip


def node_exporter_hosts_file(t: RuleThresholds) -> RuleFile:
    """``node-exporter/mediawatch-hosts.yml``: the same host alerts from node_exporter."""
    return _hosts_file(
        "node-exporter/mediawatch-hosts.yml", NODE_SOURCE, NODE_RECORDING, NODE_RESOURCES, t
    )
