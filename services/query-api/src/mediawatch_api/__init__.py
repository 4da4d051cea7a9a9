"""The query API, the read side: the Litestar HTTP process (``mediawatch run api``).

It serves what the projector (:mod:`mediawatch_projector`) wrote to PostgreSQL and the
dashboard, keeps the accounts (``mediawatch users``) and the audit log, and turns operator
commands (silence, acknowledge) and ingested events into events on Kafka for the projector to
write, rather than changing the projections itself (retention aside).
"""
