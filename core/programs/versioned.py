"""What every versioned program row shares: the guarded compare-and-swap, who acts for which
side, and turning validation errors and amounts into sentences for the user.

Memberships, campaigns and fund requests all carry ``version`` and ``updated_at``; a change
names the version the user saw and lands only if the row is still there (one UPDATE, so two
people changing it at once cannot both win).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from sqlalchemy import ColumnElement, CursorResult, update
from sqlmodel import Session, SQLModel

from core.access import PermissionDenied, fresh_actor
from core.models import ROLE_ADMIN, ROLE_VENDOR, SIDE_VENDOR, AccountPublic, utc_now
from core.programs.rules import ProgramError, StaleVersion, sides_of


def swap_versioned(
    session: Session,
    row: SQLModel,
    seen_version: int,
    values: dict[str, Any],
    *,
    what: str,
    guard: ColumnElement[bool] | None = None,
) -> None:
    """Apply ``values`` to ``row`` (any table with ``id``, ``version`` and ``updated_at``)
    only if it is still at ``seen_version`` and ``guard`` (a further SQL condition) holds;
    StaleVersion naming ``what`` otherwise. The row is refreshed after the change."""
    table = type(row).__table__  # type: ignore[attr-defined]
    statement = update(table).where(
        table.c.id == row.id,  # type: ignore[attr-defined]
        table.c.version == seen_version,
    )
    if guard is not None:
        statement = statement.where(guard)
    result = session.execute(
        statement.values(**values, version=seen_version + 1, updated_at=utc_now())
    )
    assert isinstance(result, CursorResult)  # what an UPDATE returns; typed as Result
    if result.rowcount != 1:
        raise StaleVersion(what)
    session.refresh(row)


def ensure_acting(
    session: Session,
    actor: AccountPublic | None,
    *,
    partner_id: int,
    vendor: str,
    side: str,
    doing: str,
) -> AccountPublic:
    """The fresh actor if it may act for ``side`` of this partner x vendor pair (admins for
    both); PermissionDenied saying who may ``doing`` otherwise."""
    current = fresh_actor(session, actor)
    if side not in sides_of(current, partner_id=partner_id, vendor=vendor):
        if side == SIDE_VENDOR:
            raise PermissionDenied(f"Only {vendor}'s own accounts may {doing}.")
        raise PermissionDenied(f"Only the partner's own accounts may {doing}.")
    return current


def ensure_vendor(
    session: Session, actor: AccountPublic | None, vendor: str, *, doing: str
) -> AccountPublic:
    """The fresh actor if it is ``vendor``'s account or an administrator."""
    current = fresh_actor(session, actor)
    if current.role == ROLE_ADMIN:
        return current
    if current.role != ROLE_VENDOR or current.vendor_name != vendor:
        raise PermissionDenied(f"Only {vendor}'s own accounts may {doing}.")
    return current


def sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def validation_message(exc: ValidationError, labels: Mapping[str, str]) -> str:
    """The first validation error as a sentence. Our own validators already say what is
    wrong in words ("Value error, ..."); pydantic's generic ones get the field's label."""
    error = exc.errors()[0]
    message = str(error["msg"])
    if message.startswith("Value error, "):
        return sentence(message.removeprefix("Value error, "))
    field = str(error["loc"][0]) if error["loc"] else ""
    label = labels.get(field, field.replace("_", " "))
    if not label:
        return sentence(message)
    if error["type"] == "missing":
        return sentence(f"{label} is required")
    return sentence(f"{label}: {message[:1].lower()}{message[1:]}")


def clean_note(note: str | None, *, required: bool, doing: str, limit: int) -> str:
    """A free-text note, stripped; required ones must say something, all fit their column."""
    text = " ".join((note or "").split())
    if required and not text:
        raise ProgramError(f"Say why in a note when you {doing}.")
    if len(text) > limit:
        raise ProgramError(f"The note is too long: at most {limit} characters.")
    return text


def usd(amount: float) -> str:
    """$1,250 or $1,250.50: whole dollars without cents, as people write budgets."""
    cents = round(amount * 100)
    return f"${cents // 100:,}" if cents % 100 == 0 else f"${cents / 100:,.2f}"
