"""A partner enters its own yearly revenue and headcount (My standing).

The figures are confidential (core.confidentiality decides who reads them); writing them is
the partner's own business or an administrator's. Each save is compare-and-swap on what
the person saw: a row added or changed by someone else since is reported, not overwritten.
Audited as a change of the partner (core.unit_of_work: partner_year_figures -> "partner").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import CursorResult, and_, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.access import ensure_can_edit_partner, fresh_actor
from core.audit import record_change
from core.models import AccountPublic, PartnerYearFigures, utc_now
from core.tables import table_of

FIGURES = table_of(PartnerYearFigures)
FIRST_YEAR = 1900
MAX_REVENUE_USD = 1e12  # a trillion dollars: more is a typing slip, not an SMB partner
MAX_HEADCOUNT = 10_000_000


class YearFiguresError(ValueError):
    """Bad input or a conflicting change; the message is written for the person saving."""


@dataclass(frozen=True)
class SeenFigures:
    """What the editor showed for the year: None fields for "no row yet"."""

    revenue_usd: float
    headcount: int | None


def validate_figures(year: int, revenue_usd: float, headcount: int | None) -> None:
    last = utc_now().year
    if not FIRST_YEAR <= int(year) <= last:
        raise YearFiguresError(f"The year must be between {FIRST_YEAR} and {last}.")
    if not math.isfinite(revenue_usd) or not 0 <= revenue_usd <= MAX_REVENUE_USD:
        raise YearFiguresError("Revenue must be a number from 0 to 1,000,000,000,000 dollars.")
    if headcount is not None and not 0 <= int(headcount) <= MAX_HEADCOUNT:
        raise YearFiguresError("Headcount must be a whole number from 0 to 10,000,000.")


def save_year_figures(
    *,
    session: Session,
    actor: AccountPublic | None,
    partner_id: int,
    year: int,
    revenue_usd: float,
    headcount: int | None,
    seen: SeenFigures | None,
) -> None:
    """Store one year's revenue and headcount; ``seen`` is what the editor showed (None:
    the year had no row). Co-marketing funds (a vendor program figure) are left as they are.
    """
    actor = ensure_can_edit_partner(fresh_actor(session, actor), partner_id)
    validate_figures(year, revenue_usd, headcount)
    key = and_(FIGURES.c.partner_id == partner_id, FIGURES.c.year == int(year))
    after = {"revenue_usd": float(revenue_usd), "headcount": headcount}
    if seen is None:
        try:
            with session.begin_nested():  # a row someone added meanwhile: report, not crash
                session.execute(
                    insert(FIGURES).values(partner_id=partner_id, year=int(year), **after)
                )
        except IntegrityError:
            raise _conflict(year) from None
        before: dict[str, object] = {"revenue_usd": None, "headcount": None}
    else:
        headcount_seen = (
            FIGURES.c.headcount.is_(None)
            if seen.headcount is None
            else FIGURES.c.headcount == seen.headcount
        )
        done = session.execute(
            update(FIGURES)
            .where(key, FIGURES.c.revenue_usd == seen.revenue_usd, headcount_seen)
            .values(**after)
        )
        assert isinstance(done, CursorResult)  # what an UPDATE returns; typed as Result
        if done.rowcount != 1:
            raise _conflict(year)
        before = {"revenue_usd": seen.revenue_usd, "headcount": seen.headcount}
    record_change(
        session=session, actor=actor, entity_type="partner", entity_id=partner_id,
        action="year_figures_saved",
        before={f"{year} {k}": v for k, v in before.items()},
        after={f"{year} {k}": v for k, v in after.items()},
    )  # fmt: skip
    session.flush()


def _conflict(year: int) -> YearFiguresError:
    return YearFiguresError(
        f"The figures of {year} were changed by someone else meanwhile; "
        "the page now shows them — check and save again."
    )
