"""``rules/mediawatch-alerts.yml``: the stages, consumers and scrape targets, with the
thresholds of the built-in alerter."""

from __future__ import annotations

from mediawatch_alerter.prometheus.model import PromRule, RuleFile, RuleGroup
from mediawatch_alerter.prometheus.thresholds import (
    RuleThresholds,
    human_duration,
    number,
    percent,
)

_DEAD_LETTERS = """\
sum by (topic, reason) (increase(mediawatch_dead_letters_total[5m])) > 0
or
sum by (topic, reason) (
  mediawatch_dead_letters_total > 0 unless mediawatch_dead_letters_total offset 5m
)"""


def _stages(t: RuleThresholds) -> RuleGroup:
    error_rate = PromRule(
        alert="MediawatchStageErrorRateHigh",
        expr=f"stage:mediawatch_stage_errors:ratio_rate5m > {number(t.error_rate)}\n"
        "and on (stage) stage:mediawatch_stage_duration_seconds_count:rate5m * 300 >= "
        f"{t.min_completions}",
        for_="1m",
        labels={"severity": "error"},
        annotations={
            "summary": "High error rate: {{ $labels.stage }}",
            "description": "{{ $value | humanizePercentage }} of the {{ $labels.stage }} stages "
            f"failed over the last 5 minutes (threshold {percent(t.error_rate)}).",
        },
        comment=f"{t.named('error_rate')}; like the built-in rule, a stage with fewer than "
        f"{t.named('min_completions')} completions in the 5 minutes is not judged.",
    )
    slow = PromRule(
        alert="MediawatchStageSlow",
        expr=f"stage:mediawatch_stage_duration_seconds:p95_rate5m > {t.processing_seconds}",
        for_="1m",
        labels={"severity": "warning"},
        annotations={
            "summary": "Slow processing: {{ $labels.stage }}",
            "description": "95% of the {{ $labels.stage }} stages of the last 5 minutes took up "
            "to {{ $value | humanizeDuration }} "
            f"(threshold {human_duration(t.processing_seconds)}).",
        },
        comment=f"{t.named('processing_seconds')} seconds, on the 95th percentile.",
    )
    return RuleGroup("mediawatch-stages", (error_rate, slow))


def _consumers(t: RuleThresholds) -> RuleGroup:
    lag = PromRule(
        alert="MediawatchConsumerLagHigh",
        expr="sum by (group) (group_topic:mediawatch_consumer_lag_messages:sum) > "
        f"{t.consumer_lag}",
        for_="2m",
        labels={"severity": "warning"},
        annotations={
            "summary": "Consumer lag high: {{ $labels.group }}",
            "description": "Consumer group {{ $labels.group }} is {{ $value }} messages behind "
            f"(threshold {t.consumer_lag}).",
        },
        comment=f"{t.named('consumer_lag')} messages per group.",
    )
    dead_letters = PromRule(
        alert="MediawatchDeadLetters",
        expr=_DEAD_LETTERS,
        labels={"severity": "warning"},
        annotations={
            "summary": "Dead letters from {{ $labels.topic }}",
            "description": "{{ $value | humanize }} messages of {{ $labels.topic }} went to the "
            "dead-letter topic in the last 5 minutes ({{ $labels.reason }}).",
        },
        comment="Any dead letter (no setting). A counter is born at its first dead letter, which "
        "increase() cannot see: a series that did not exist 5 minutes ago counts with its whole "
        "value.",
    )
    return RuleGroup("mediawatch-consumers", (lag, dead_letters))


TARGETS = RuleGroup(
    "mediawatch-targets",
    (
        PromRule(
            alert="MediawatchTargetDown",
            expr='up{job=~"mediawatch-.+"} == 0',
            for_="1m",
            labels={"severity": "error"},
            annotations={
                "summary": "{{ $labels.job }} is not answering scrapes",
                "description": "Prometheus could not scrape {{ $labels.instance }} "
                "({{ $labels.job }}) for a minute: the service is down or its METRICS_PORT "
                "differs.",
            },
        ),
        PromRule(
            alert="MediawatchProjectorProcessDown",
            expr="mediawatch_projector_process_up == 0",
            for_="2m",
            labels={"severity": "error"},
            annotations={
                "summary": "Projector process {{ $labels.process }} is down",
                "description": "Process {{ $labels.process }} of the projector at "
                "{{ $labels.instance }} has answered no scrape for 2 minutes: it is stopped, "
                "stuck, or failing each time it is started again.",
            },
            comment="With PROJECTOR_PROCESSES above 1, whether each process answered the scrape "
            "in time. Fires after 2 minutes without an answer, so a slow scrape or a "
            "process being started again (a 0 followed by a 1) does not. The whole command "
            "down is MediawatchTargetDown.",
        ),
    ),
)

HEADER = (
    "Alerting rules: the thresholds of Mediawatch's built-in alerter, in PromQL for a Prometheus "
    "that scrapes the services. Severity labels use the alerter's levels in lower case: warning, "
    "error, critical.\n"
    "Rendered by `mediawatch prometheus rules` from the settings named at each rule; edits here "
    "are lost at the next rendering."
)


def alerts_file(t: RuleThresholds) -> RuleFile:
    """``rules/mediawatch-alerts.yml`` with the thresholds ``t``."""
    return RuleFile("rules/mediawatch-alerts.yml", HEADER, (_stages(t), _consumers(t), TARGETS))
