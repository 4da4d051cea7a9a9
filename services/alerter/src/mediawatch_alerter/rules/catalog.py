"""The built-in rules, with the ``MONITORING_*`` thresholds and the alerter's knobs."""

from __future__ import annotations

from mediawatch_alerter.rules.base import Rule, Threshold
from mediawatch_alerter.rules.consumer_lag import ConsumerLagRule
from mediawatch_alerter.rules.custom import CustomAlertRule
from mediawatch_alerter.rules.dead_letters import DeadLetterRule
from mediawatch_alerter.rules.error_rate import ErrorRateRule
from mediawatch_alerter.rules.failure import ProcessingFailedRule
from mediawatch_alerter.rules.health import HealthRule
from mediawatch_alerter.rules.reporter_missing import ReporterMissingRule
from mediawatch_alerter.rules.stuck import StuckSessionRule
from mediawatch_alerter.rules.threshold import ThresholdRule, ThresholdSpec
from mediawatch_alerter.settings import AlerterSettings
from mediawatch_common.events import AlertLevel, ResourceSample, StageCompleted
from mediawatch_common.settings import MonitoringSettings


def _resource(
    name: str, field: str, what: str, warning: float, m: MonitoringSettings, a: AlerterSettings
) -> ThresholdRule:
    gap = a.hysteresis_percent
    return ThresholdRule(
        ThresholdSpec(
            name=name,
            event_type=ResourceSample,
            field=field,
            thresholds=(
                Threshold(AlertLevel.WARNING, warning, max(0.0, warning - gap)),
                Threshold(
                    AlertLevel.CRITICAL, m.critical_threshold, max(0.0, m.critical_threshold - gap)
                ),
            ),
            labels=("host",),
            title=f"High {what} Usage: {{host}}",
            message=f"{what} usage on {{host}} is {{value:.1f}}% (threshold {{threshold:.0f}}%)",
            for_seconds=a.resource_for_seconds,
            valid_for_seconds=a.stale_after_seconds,
        )
    )


def slow_stage_rule(m: MonitoringSettings, a: AlerterSettings) -> ThresholdRule:
    """A stage slower than ``MONITORING_PROCESSING_TIME_THRESHOLD`` seconds -> WARNING."""
    limit = float(m.processing_time_threshold)
    return ThresholdRule(
        ThresholdSpec(
            name="slow_stage",
            event_type=StageCompleted,
            field="duration_seconds",
            thresholds=(Threshold(AlertLevel.WARNING, limit, limit),),
            labels=("session_id", "stage"),
            context=("producer.host",),
            title="Slow Processing: {stage}",
            message=(
                "Session {session_id} took {value:.1f}s at {stage} (threshold {threshold:.0f}s)"
            ),
            valid_for_seconds=a.event_alert_ttl_seconds,
        )
    )


def builtin_rules(m: MonitoringSettings, a: AlerterSettings, missed_reports: int = 3) -> list[Rule]:
    """Every built-in rule; ``missed_reports`` is ``HEALTH_CHECK_MISSED_REPORTS``."""
    return [
        ProcessingFailedRule(a.event_alert_ttl_seconds),
        slow_stage_rule(m, a),
        StuckSessionRule(m.stuck_session_minutes * 60.0),
        ErrorRateRule(
            m.error_rate_threshold,
            m.error_rate_threshold * a.error_rate_clear_ratio,
            a.min_window_attempts,
        ),
        _resource("high_cpu", "cpu_percent", "CPU", m.cpu_threshold, m, a),
        _resource("high_memory", "memory_percent", "Memory", m.memory_threshold, m, a),
        _resource("high_disk", "disk_percent", "Disk", m.disk_threshold, m, a),
        HealthRule(a.stale_after_seconds),
        ConsumerLagRule(),
        ReporterMissingRule(missed_reports),
        CustomAlertRule(),
        DeadLetterRule(a.deadletter_threshold, a.deadletter_window_seconds),
    ]
