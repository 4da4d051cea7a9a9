"""Example consumer: what the pipeline costs, per user and stage, from the event history."""

from __future__ import annotations

from mediawatch_cost_report.ledger import CostLedger, CostRow

__all__ = ["CostLedger", "CostRow"]
