"""Email: composed here, written to the outbox in the caller's transaction, delivered by the
worker (core.worker). Nothing in this package talks SMTP except ``delivery``."""
