"""Know your competencies, and the gaps a partner could fill — the partner's private view.

* Per area: the level it claims, the level its approved, unexpired certifications evidence
  (core.evidence), and when the claim is higher, the catalogue certifications (vendor, name,
  level evidenced) that would back it. An over-claim that the public profile flags
  (core.evidence.ClaimCheck.flagged) is shown here first, with that path.
* Gaps: anonymous searches in the partner's service area (states it serves or has an
  office in) over the last quarter that found fewer than UNMET_BELOW partners, counted per
  area asked for, and team searches there whose best team needed two or more partners
  (no single partner covered the needs: demand an outside member had to fill), in areas
  where the partner is foundational or proficient — with the catalogue certification that
  would evidence the next level. The two are counted apart, so the page can say how many
  of the requests came from team searches.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import String, and_, case, cast, func, or_, select
from sqlmodel import Session

from core.analytics.standing import ensure_standing_viewer
from core.evidence import HeldCertification, check_claims, evidenced_levels
from core.models import (
    CERT_REJECTED,
    SEARCH_KIND,
    TEAM_KIND,
    AccountPublic,
    Partner,
    PartnerCertification,
    PartnerCompetency,
    PartnerLocation,
    SearchEvent,
)
from core.tables import table_of
from core.taxonomy import FOUNDATIONAL, MAX_LEVEL, PROFICIENT, CatalogueCertification, get_taxonomy

COMPETENCY = table_of(PartnerCompetency)
CERTIFICATION = table_of(PartnerCertification)
LOCATION = table_of(PartnerLocation)
SEARCH = table_of(SearchEvent)
SUGGESTIONS = 3  # catalogue certifications offered per area
UNMET_BELOW = 3  # a search that found fewer partners than this is unmet demand
QUARTER_DAYS = 91


@dataclass(frozen=True)
class Suggestion:
    vendor: str
    name: str
    level: int  # the level it evidences in the area


@dataclass(frozen=True)
class CompetencyRow:
    area_key: str
    claimed: int
    evidenced: int
    flagged: bool  # the public profile marks this claim as unbacked
    suggestions: tuple[Suggestion, ...]  # empty when evidence already backs the claim
    evidenceable: bool = True  # False: no catalogue certification covers the area at all

    @property
    def over_claim(self) -> bool:
        """Claimed above its evidence, in an area certifications can evidence at all."""
        return self.evidenceable and self.claimed > self.evidenced


@dataclass(frozen=True)
class GapRow:
    area_key: str
    searches: int  # unmet searches near the partner last quarter asking for the area
    claimed: int
    next_level: int
    suggestions: tuple[Suggestion, ...]
    team_searches: int = 0  # of ``searches``: team searches that needed another partner


def _held(session: Session, partner_id: int) -> list[HeldCertification]:
    rows = session.execute(
        select(
            CERTIFICATION.c.certification_key, CERTIFICATION.c.expires_on, CERTIFICATION.c.status
        ).where(CERTIFICATION.c.partner_id == partner_id)
    ).all()
    return [HeldCertification(key, expires, status) for key, expires, status in rows]


def _claims(session: Session, partner_id: int) -> dict[str, int]:
    rows = session.execute(
        select(COMPETENCY.c.area_key, COMPETENCY.c.claimed_level).where(
            COMPETENCY.c.partner_id == partner_id
        )
    ).all()
    return {area: int(level) for area, level in rows}


def suggestions_for(
    area: str, level: int, *, exclude: set[str], limit: int = SUGGESTIONS
) -> tuple[Suggestion, ...]:
    """Catalogue certifications evidencing ``area`` at ``level`` or more, closest level first
    (the least to learn), those about the area first, then by vendor and name; ``exclude``:
    already held or pending."""
    found: list[CatalogueCertification] = [
        c
        for key, c in get_taxonomy().certifications.items()
        if key not in exclude and c.evidences.get(area, 0) >= level
    ]
    # A certification about the area itself (its highest level is there) before one that
    # evidences it on the side: "Azure Administrator" for cloud, not a networking specialty.
    found.sort(
        key=lambda c: (
            c.evidences[area],
            c.evidences[area] < max(c.evidences.values()),
            c.vendor,
            c.name,
        )
    )
    return tuple(Suggestion(c.vendor, c.name, c.evidences[area]) for c in found[:limit])


def _not_to_suggest(held: list[HeldCertification], today: date) -> set[str]:
    # Held and counting, or waiting for review: suggesting it again would be noise. An
    # expired or rejected one may be suggested (renew, resubmit).
    return {
        h.certification_key
        for h in held
        if h.status != CERT_REJECTED and (h.expires_on is None or h.expires_on >= today)
    }


def know_your_competencies(
    *, session: Session, viewer: AccountPublic | None, partner_id: int, today: date
) -> list[CompetencyRow]:
    """One row per area the partner claims (level ≥ 1), over-claims first, in taxonomy order."""
    ensure_standing_viewer(session, viewer, partner_id)
    held = _held(session, partner_id)
    exclude = _not_to_suggest(held, today)
    checks = check_claims(_claims(session, partner_id), evidenced_levels(held, today=today))
    rows = [
        CompetencyRow(
            area_key=c.area_key,
            claimed=c.claimed,
            evidenced=c.evidenced,
            flagged=c.flagged,
            evidenceable=c.evidenceable,
            suggestions=(
                suggestions_for(c.area_key, c.claimed, exclude=exclude) if c.gap > 0 else ()
            ),
        )
        for c in checks
        if c.claimed > 0
    ]
    return sorted(rows, key=lambda r: not r.over_claim)  # stable: taxonomy order within


def service_states(session: Session, partner_id: int) -> list[str]:
    """States the partner serves by name or has an office in."""
    partner = session.get(Partner, partner_id)
    served = set(partner.states_served or []) if partner else set()
    offices = session.execute(
        select(LOCATION.c.state).where(LOCATION.c.partner_id == partner_id).distinct()
    ).scalars()
    return sorted(served | set(offices))


def gaps_it_could_fill(
    *, session: Session, viewer: AccountPublic | None, partner_id: int, now: datetime
) -> list[GapRow]:
    """Areas the partner is foundational or proficient in that searches near it asked for
    and hardly found (see the module), most asked first."""
    ensure_standing_viewer(session, viewer, partner_id)
    claims = _claims(session, partner_id)
    growable = {a for a, level in claims.items() if FOUNDATIONAL <= level <= PROFICIENT}
    states = service_states(session, partner_id)
    if not growable or not states:
        return []
    # JSON is grouped as text (PostgreSQL cannot group json): the database counts each
    # distinct needs list once; Python only splits those few lists into areas.
    needs_text = cast(SEARCH.c.needs, String)
    is_team = case((SEARCH.c.kind == TEAM_KIND, 1), else_=0)
    grouped = session.execute(
        select(needs_text, func.count(), func.sum(is_team))
        .where(
            SEARCH.c.at >= now - timedelta(days=QUARTER_DAYS),
            SEARCH.c.at <= now,
            # result_count counts partners only for "search" rows; a recorded team search
            # is unmet single-partner demand whatever its count of teams.
            or_(
                and_(SEARCH.c.kind == SEARCH_KIND, SEARCH.c.result_count < UNMET_BELOW),
                SEARCH.c.kind == TEAM_KIND,
            ),
            SEARCH.c.state.in_(states),
        )
        .group_by(needs_text)
    ).all()
    asked: dict[str, int] = {}
    in_teams: dict[str, int] = {}
    for text, count, teams in grouped:
        for area in set(json.loads(text or "[]")) & growable:
            asked[area] = asked.get(area, 0) + int(count)
            in_teams[area] = in_teams.get(area, 0) + int(teams or 0)
    exclude = _not_to_suggest(_held(session, partner_id), now.date())
    rows = [
        GapRow(
            area_key=area,
            searches=count,
            claimed=claims[area],
            next_level=min(claims[area] + 1, MAX_LEVEL),
            suggestions=suggestions_for(area, claims[area] + 1, exclude=exclude),
            team_searches=in_teams[area],
        )
        for area, count in asked.items()
    ]
    order = get_taxonomy().area_keys
    return sorted(rows, key=lambda r: (-r.searches, order.index(r.area_key)))
