"""The recording rules of the stages and the consumers: no threshold in them."""

from __future__ import annotations

from mediawatch_alerter.prometheus.model import PromRule, RuleFile, RuleGroup

_ERROR_RATIO = """\
(
    sum by (stage) (rate(mediawatch_stage_duration_seconds_count{outcome="failure"}[5m]))
  or
    0 * stage:mediawatch_stage_duration_seconds_count:rate5m
)
/ (stage:mediawatch_stage_duration_seconds_count:rate5m > 0)"""


def _percentile(name: str, quantile: str, comment: str = "") -> PromRule:
    return PromRule(
        record=f"stage:mediawatch_stage_duration_seconds:{name}_rate5m",
        expr=f"histogram_quantile({quantile}, sum by (stage, le) "
        "(rate(mediawatch_stage_duration_seconds_bucket[5m])))",
        comment=comment,
    )


STAGES = RuleGroup(
    "mediawatch-stages",
    (
        PromRule(
            record="stage:mediawatch_stage_duration_seconds_count:rate5m",
            expr="sum by (stage) (rate(mediawatch_stage_duration_seconds_count[5m]))",
            comment="Stages completed per second, by stage (all outcomes).",
        ),
        PromRule(
            record="stage:mediawatch_stage_errors:ratio_rate5m",
            expr=_ERROR_RATIO,
            comment="Share of completed stages that failed over 5 minutes, by stage; 0 when "
            "none failed.",
        ),
        _percentile(
            "p50", "0.50", "Stage duration percentiles over 5 minutes, by stage (all outcomes)."
        ),
        _percentile("p95", "0.95"),
        _percentile("p99", "0.99"),
    ),
)

CONSUMERS = RuleGroup(
    "mediawatch-consumers",
    (
        PromRule(
            record="group_topic:mediawatch_consumer_lag_messages:sum",
            expr="sum by (group, topic) (mediawatch_consumer_lag_messages)",
            comment="Messages each consumer group is behind, summed over the partitions of a "
            "topic.",
        ),
    ),
)


def recording_file() -> RuleFile:
    """``rules/mediawatch-recording.yml``: the per-stage figures the alerts and dashboards read."""
    return RuleFile(
        "rules/mediawatch-recording.yml",
        "Recording rules: the per-stage figures the alerts and the Grafana dashboard read, "
        "computed once per evaluation instead of in every panel. Names follow "
        "level:metric:operations.\n"
        "Rendered by `mediawatch prometheus rules` (no threshold in them); edits here are lost "
        "at the next rendering.",
        (STAGES, CONSUMERS),
    )
