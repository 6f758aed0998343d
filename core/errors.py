"""Unexpected errors as visitors see them: a plain sentence and a reference, never a traceback.

The traceback goes to the server log under the same reference, so a visitor can quote it
and an operator can find it. Neither the message nor the reference holds anything from the
exception: database errors name the host and port, tracebacks name file paths.
"""

from __future__ import annotations

import logging
import secrets

from sqlalchemy.exc import DBAPIError, OperationalError

log = logging.getLogger("partner_atlas.errors")


def new_reference() -> str:
    """8 hex characters: short enough to read out, enough to find one line in a log."""
    return secrets.token_hex(4)


def is_database_unavailable(exc: BaseException) -> bool:
    """The database cannot be reached (down, refused, restarting), not a bug in a query."""
    return isinstance(exc, OperationalError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    )


def report_unexpected(exc: BaseException, *, where: str) -> str:
    """Log ``exc`` with its traceback under a new reference; return the visitor's message."""
    reference = new_reference()
    log.error("unexpected error %s in %s", reference, where, exc_info=exc)
    if is_database_unavailable(exc):
        return (
            "The directory is unavailable right now; please try again in a minute "
            f"(reference {reference})."
        )
    return (
        "Something went wrong on our side and this page could not be shown. Please try again; "
        f"if it keeps happening, tell the administrator the reference {reference}."
    )
