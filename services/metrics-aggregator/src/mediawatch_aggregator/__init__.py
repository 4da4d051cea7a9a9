"""mediawatch_aggregator."""
