"""Email: composed here, written to the outbox in the caller's transaction, delivered by the
worker (core.worker). Only ``delivery`` and its ``smtp`` talk SMTP."""
