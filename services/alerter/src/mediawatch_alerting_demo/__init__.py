"""``mediawatch alerting-demo``: the alerter and the notifier on a broken session, delivering to
a local webhook receiver."""
