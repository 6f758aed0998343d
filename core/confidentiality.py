"""Who may see which partner's confidential business figures: the rules, in one place.

Both sides use this module: core.programs (write side) to say whether a member shares its
figures, core.analytics (read side) to fill a vendor's benchmark. It lives beside
core.access because the read side may not import the write side, and because every read of
confidential data must take the viewer and ask here rather than decide on its own.

The rules: an administrator sees every partner's figures; a partner account its own; a
vendor account only those of the ACTIVE members of its own program that gave that vendor
consent; anyone else (anonymous, inactive, other roles) none. Absent means "may not see",
never zero.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from core.access import PermissionDenied, fresh_actor
from core.models import (
    PROGRAM_ACTIVE,
    ROLE_ADMIN,
    ROLE_PARTNER,
    ROLE_VENDOR,
    AccountPublic,
    FiguresConsent,
    PartnerYearFigures,
    ProgramMembership,
)


@dataclass(frozen=True)
class YearFigures:
    """One year of a partner's business figures, as a viewer that may see them gets them."""

    year: int
    revenue_usd: float
    comarketing_funds_usd: float
    headcount: int | None = None


def current_viewer(session: Session, viewer: AccountPublic | None) -> AccountPublic | None:
    """The viewer as the database knows it now, or None when anonymous or deactivated.

    Reads re-check like writes do: a stale or forged AccountPublic (say, a vendor_name
    edited in a session) must not widen what is shown.
    """
    try:
        return fresh_actor(session, viewer)
    except PermissionDenied:  # anonymous or deactivated: a reader, like anyone, of public data
        return None


def active_member_ids(
    session: Session, vendor: str, partner_ids: Collection[int] | None = None
) -> set[int]:
    """Partners whose membership in ``vendor``'s program is active now (of ``partner_ids``)."""
    statement = select(ProgramMembership.partner_id).where(
        ProgramMembership.vendor == vendor, ProgramMembership.status == PROGRAM_ACTIVE
    )
    if partner_ids is not None:
        statement = statement.where(col(ProgramMembership.partner_id).in_(list(partner_ids)))
    return {int(pid) for pid in session.exec(statement).all()}


def consenting_ids(
    session: Session, vendor: str, partner_ids: Collection[int] | None = None
) -> set[int]:
    """Partners that currently let ``vendor`` see their business figures."""
    statement = select(FiguresConsent.partner_id).where(
        FiguresConsent.vendor == vendor, col(FiguresConsent.granted).is_(True)
    )
    if partner_ids is not None:
        statement = statement.where(col(FiguresConsent.partner_id).in_(list(partner_ids)))
    return {int(pid) for pid in session.exec(statement).all()}


def figures_shared_with(
    session: Session, vendor: str, partner_ids: Collection[int] | None = None
) -> set[int]:
    """Partners whose figures ``vendor`` sees now: active members that gave it consent.

    Both conditions are read at call time, so an ended membership or a revoked consent hides
    the figures from the next read on.
    """
    members = active_member_ids(session, vendor, partner_ids)
    return members & consenting_ids(session, vendor, members) if members else set()


def individually_visible_ids(
    session: Session, viewer: AccountPublic | None, partner_ids: Iterable[int]
) -> set[int]:
    """Partners whose non-public, per-partner rows (leads, benchmarks) the viewer may see:
    admin all, a partner itself, a vendor its active members. Of the others, public data only."""
    wanted = {int(p) for p in partner_ids}
    viewer = current_viewer(session, viewer)
    if viewer is None or not wanted:
        return set()
    if viewer.role == ROLE_ADMIN:
        return wanted
    if viewer.role == ROLE_PARTNER and viewer.partner_id is not None:
        return wanted & {viewer.partner_id}
    if viewer.role == ROLE_VENDOR and viewer.vendor_name:
        return active_member_ids(session, viewer.vendor_name, wanted)
    return set()


def figures_visible_ids(
    session: Session, viewer: AccountPublic | None, partner_ids: Iterable[int]
) -> set[int]:
    """Partners whose business figures the viewer may see (the rules in the module doc)."""
    wanted = {int(p) for p in partner_ids}
    viewer = current_viewer(session, viewer)
    if viewer is None or not wanted:
        return set()
    if viewer.role == ROLE_VENDOR and viewer.vendor_name:
        return figures_shared_with(session, viewer.vendor_name, wanted)
    return individually_visible_ids(session, viewer, wanted)


def visible_figures(
    session: Session,
    viewer: AccountPublic | None,
    partner_ids: Iterable[int],
    *,
    years: Collection[int] | None = None,
) -> dict[int, dict[int, YearFigures]]:
    """partner id -> year -> figures, for the partners the viewer may see; the rest absent.

    The only function that reads partner_year_figures for someone: the rows of partners the
    viewer may not see are never loaded.
    """
    allowed = figures_visible_ids(session, viewer, partner_ids)
    if not allowed:
        return {}
    # Plain columns, not ORM objects: a vendor's scorecard reads tens of thousands of rows.
    # sqlalchemy's select: sqlmodel's is typed for at most four columns.
    statement = sa_select(
        col(PartnerYearFigures.partner_id),
        col(PartnerYearFigures.year),
        col(PartnerYearFigures.revenue_usd),
        col(PartnerYearFigures.comarketing_funds_usd),
        col(PartnerYearFigures.headcount),
    ).where(col(PartnerYearFigures.partner_id).in_(sorted(allowed)))
    if years is not None:
        statement = statement.where(col(PartnerYearFigures.year).in_(list(years)))
    figures: dict[int, dict[int, YearFigures]] = {}
    for partner_id, year, revenue, funds, headcount in session.execute(statement).all():
        figures.setdefault(partner_id, {})[year] = YearFigures(
            year=year, revenue_usd=revenue, comarketing_funds_usd=funds, headcount=headcount
        )
    return figures


def active_member_select(vendor: str) -> SelectOfScalar[int]:
    """The same rule as ``active_member_ids``, as a subquery for aggregates run in SQL: a
    vendor's program page filters hundreds of thousands of leads by membership without
    loading the member ids into Python (or binding them as parameters)."""
    return select(col(ProgramMembership.partner_id)).where(
        ProgramMembership.vendor == vendor, ProgramMembership.status == PROGRAM_ACTIVE
    )
