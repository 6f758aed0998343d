"""Unexpected errors as visitors see them: a plain sentence and a reference, never a traceback.

The traceback goes to the server log under the same reference, so a visitor can quote it
and an operator can find it. Neither the message nor the reference holds anything from the
exception: database errors name the host and port, tracebacks name file paths.
"""

from __future__ import annotations

import logging
import secrets

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger("partner_atlas.errors")


def new_reference() -> str:
    """8 hex characters: short enough to read out, enough to find one line in a log."""
    return secrets.token_hex(4)


# What a visitor reads when the database is away: the save (if any) was rolled back whole by
# session_scope, and the form keeps what was typed (pages/parts/errors.py ends the run with
# st.stop), so "nothing was saved" is true and trying again later is all there is to do.
DATABASE_UNAVAILABLE = (
    "The directory's database is temporarily unavailable, so nothing was saved. "
    "What you typed is kept: please try again in a minute"
)


def is_database_unavailable(exc: BaseException) -> bool:
    """The database cannot be reached (down, refused, restarting, connection lost), not a bug
    in a query. Also true when such an error is the cause of ``exc`` (a wrapper)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (OperationalError, InterfaceError, PoolTimeout)):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        current = current.__cause__  # "raise ... from": a wrapper, not a later bug
    return False


def report_unexpected(exc: BaseException, *, where: str) -> str:
    """Log ``exc`` with its traceback under a new reference; return the visitor's message."""
    reference = new_reference()
    if is_database_unavailable(exc):
        # Expected during an outage, and every page run would repeat the same traceback: one
        # line, with the driver's own words (host and port stay in the log, never the page).
        log.warning("database unavailable %s in %s: %s", reference, where, _first_line(exc))
        return f"{DATABASE_UNAVAILABLE} (reference {reference})."
    log.error("unexpected error %s in %s", reference, where, exc_info=exc)
    return (
        "Something went wrong on our side and this page could not be shown. Please try again; "
        f"if it keeps happening, tell the administrator the reference {reference}."
    )


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
