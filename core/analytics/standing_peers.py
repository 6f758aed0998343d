"""Where a partner stands among its peers, without showing or giving away any peer's figure.

Peer group: the partners whose headquarters (else their first office, by state) lie in the
same US Census region (data/regions.json, kind "region") AND that fall in the same size
band by headcount at the end of the last completed year (SIZE_BANDS; no headcount entered:
a band of its own). Headcount is confidential, so the group's make-up is not something a
partner can list: it cannot tell which partners its rank is against.

Metrics, each computed by the database for the group only (NULL where undefined):
breadth (areas claimed at least proficient), evidence share (claims in evidenceable areas
backed by an approved, unexpired certification at that level or higher), responsiveness
(share of leads answered within two business days, from partner_responsiveness, only with
MIN_LEADS leads), win rate over the last 365 days (won ÷ won + lost) and revenue growth of
the last completed year over the year before.

What is shown: the partner's own value (its own figure) and its percentile rank among the
peers that have a value, rounded to the nearest 10 — and only when at least K_MIN (5)
peers have one. Never a peer's value, a minimum, maximum, mean or quartile of peers: with
five peers those would be single partners' figures. A rank says how many peers are below,
which moves only when a peer crosses the partner's own value; no number of any peer
follows from it (tests/integration/analytics/test_standing_peers.py tries).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Float,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
)
from sqlmodel import Session

from core.analytics.standing import ensure_standing_viewer
from core.anonymity import K_MIN
from core.models import (
    CERT_APPROVED,
    AccountPublic,
    Lead,
    PartnerCertification,
    PartnerCompetency,
    PartnerLocation,
    PartnerResponsiveness,
    PartnerYearFigures,
)
from core.search.responsiveness import MIN_LEADS
from core.tables import table_of
from core.taxonomy import PROFICIENT, get_taxonomy

LOCATION = table_of(PartnerLocation)
COMPETENCY = table_of(PartnerCompetency)
CERTIFICATION = table_of(PartnerCertification)
FIGURES = table_of(PartnerYearFigures)
RESPONSIVENESS = table_of(PartnerResponsiveness)
LEAD = table_of(Lead)

# (label, smallest headcount): a band runs up to the next one's start.
SIZE_BANDS = (("1–9 people", 0), ("10–49 people", 10), ("50–249 people", 50), ("250+", 250))
NO_HEADCOUNT = "headcount not entered"
METRICS = {
    "breadth": "Areas at proficient or expert",
    "evidence_share": "Share of claims backed by certifications",
    "responsiveness": "Leads answered within two business days",
    "win_rate": "Win rate (last 12 months)",
    "growth": "Revenue growth (last completed year)",
}


@dataclass(frozen=True)
class PeerRank:
    metric: str
    own_value: float | None
    peers: int  # peers in the group with a value for this metric
    percentile: int | None  # None: fewer than K_MIN peers, or no own value

    @property
    def label(self) -> str:
        return METRICS[self.metric]


@dataclass(frozen=True)
class PeerStanding:
    region: str | None  # label; None when the partner has no office
    size_band: str
    group_peers: int  # other partners in the group
    ranks: tuple[PeerRank, ...]

    @property
    def enough_peers(self) -> bool:
        return self.group_peers >= K_MIN


def percentile_rank(below: int, equal: int, peers: int) -> int | None:
    """Share of peers below the partner, ties counting half, in %, rounded to the nearest
    10; None below K_MIN peers."""
    if peers < K_MIN:
        return None
    return round((below + equal / 2) / peers * 10) * 10


def _region_of(state: Any) -> Any:
    regions = [r for r in get_taxonomy().regions if r.kind == "region"]
    return case(*((state.in_(r.states), literal(r.key)) for r in regions), else_=literal(None))


def _band_of(headcount: Any) -> Any:
    whens = [(headcount >= start, literal(label)) for label, start in reversed(SIZE_BANDS)]
    return case((headcount.is_(None), literal(NO_HEADCOUNT)), *whens, else_=literal(NO_HEADCOUNT))


def _level_given(area: Any, certification_key: Any) -> Any:
    """The level a held certification evidences in an area, from the catalogue, as one CASE
    (the catalogue lives in data/, not in the database; a VALUES table is not portable)."""
    by_area_level: dict[tuple[str, int], list[str]] = {}
    for key, entry in get_taxonomy().certifications.items():
        for area_key, level in entry.evidences.items():
            by_area_level.setdefault((area_key, level), []).append(key)
    whens = [
        (and_(area == area_key, certification_key.in_(keys)), literal(level))
        for (area_key, level), keys in sorted(by_area_level.items())
    ]
    return case(*whens, else_=literal(0))


def _placed(year: int) -> Any:
    """partner_id, region key, size band, for every partner with an office."""
    offices = (
        select(
            LOCATION.c.partner_id,
            func.coalesce(
                func.max(case((LOCATION.c.is_headquarters.is_(True), LOCATION.c.state))),
                func.min(LOCATION.c.state),
            ).label("state"),
        )
        .group_by(LOCATION.c.partner_id)
        .subquery("offices")
    )
    last_year = FIGURES.c.year == year
    joined = offices.outerjoin(
        FIGURES, and_(FIGURES.c.partner_id == offices.c.partner_id, last_year)
    )
    return select(
        offices.c.partner_id,
        _region_of(offices.c.state).label("region"),
        _band_of(FIGURES.c.headcount).label("band"),
    ).select_from(joined)


def _metrics(group: Any, *, now: datetime, today: date) -> Any:
    """One row per group member: partner_id and every metric (NULL where undefined)."""
    breadth = (
        select(COMPETENCY.c.partner_id, func.count().label("value"))
        .where(COMPETENCY.c.claimed_level >= PROFICIENT)
        .group_by(COMPETENCY.c.partner_id)
        .subquery("breadth")
    )
    counts = and_(
        CERTIFICATION.c.partner_id == COMPETENCY.c.partner_id,
        CERTIFICATION.c.status == CERT_APPROVED,
        or_(CERTIFICATION.c.expires_on.is_(None), CERTIFICATION.c.expires_on >= today),
    )
    evidenced = func.coalesce(
        func.max(_level_given(COMPETENCY.c.area_key, CERTIFICATION.c.certification_key)), 0
    )
    per_claim = (
        select(
            COMPETENCY.c.partner_id,
            case((evidenced >= COMPETENCY.c.claimed_level, 1.0), else_=0.0).label("backed"),
        )
        .select_from(COMPETENCY.outerjoin(CERTIFICATION, counts))
        .where(
            COMPETENCY.c.claimed_level >= 1,
            COMPETENCY.c.area_key.in_(sorted(get_taxonomy().evidenceable_keys)),
        )
        .group_by(COMPETENCY.c.partner_id, COMPETENCY.c.area_key, COMPETENCY.c.claimed_level)
        .subquery("per_claim")
    )
    evidence = (
        select(per_claim.c.partner_id, func.avg(per_claim.c.backed).label("value"))
        .group_by(per_claim.c.partner_id)
        .subquery("evidence")
    )
    decided = func.sum(case((LEAD.c.status.in_(("won", "lost")), 1), else_=0))
    won = func.sum(case((LEAD.c.status == "won", 1), else_=0))
    wins = (
        select(LEAD.c.partner_id, (cast(won, Float) / decided).label("value"))
        .where(
            LEAD.c.partner_id.is_not(None),
            LEAD.c.created_at > now - timedelta(days=365),
            LEAD.c.created_at <= now,
        )
        .group_by(LEAD.c.partner_id)
        .having(decided > 0)
        .subquery("wins")
    )
    last, before = FIGURES.alias("last_year"), FIGURES.alias("year_before")
    growth = (
        select(
            last.c.partner_id,
            ((last.c.revenue_usd - before.c.revenue_usd) / before.c.revenue_usd).label("value"),
        )
        .select_from(
            last.join(
                before,
                and_(before.c.partner_id == last.c.partner_id, before.c.year == last.c.year - 1),
            )
        )
        .where(last.c.year == now.year - 1, before.c.revenue_usd > 0)
        .subquery("growth")
    )
    responsive = case(
        (
            RESPONSIVENESS.c.leads >= MIN_LEADS,
            cast(RESPONSIVENESS.c.within_two_business_days, Float) / RESPONSIVENESS.c.leads,
        )
    )
    pid = group.c.partner_id
    return (
        select(
            pid.label("partner_id"),
            cast(func.coalesce(breadth.c.value, 0), Float).label("breadth"),
            evidence.c.value.label("evidence_share"),
            responsive.label("responsiveness"),
            wins.c.value.label("win_rate"),
            growth.c.value.label("growth"),
        )
        .select_from(
            group.outerjoin(breadth, breadth.c.partner_id == pid)
            .outerjoin(evidence, evidence.c.partner_id == pid)
            .outerjoin(RESPONSIVENESS, RESPONSIVENESS.c.partner_id == pid)
            .outerjoin(wins, wins.c.partner_id == pid)
            .outerjoin(growth, growth.c.partner_id == pid)
        )
        .cte("metrics")
    )  # fmt: skip


def peer_standing(
    *, session: Session, viewer: AccountPublic | None, partner_id: int, now: datetime
) -> PeerStanding:
    """The partner's peer group and, per metric, its own value and percentile rank."""
    ensure_standing_viewer(session, viewer, partner_id)
    placed = _placed(now.year - 1).subquery("placed")
    own = session.execute(
        select(placed.c.region, placed.c.band).where(placed.c.partner_id == partner_id)
    ).first()
    if own is None or own.region is None:
        return PeerStanding(region=None, size_band=NO_HEADCOUNT, group_peers=0, ranks=())
    group = (
        select(placed.c.partner_id)
        .where(placed.c.region == own.region, placed.c.band == own.band)
        .subquery("peer_group")
    )
    metrics = _metrics(group, now=now, today=now.date())
    mine = {
        name: select(metrics.c[name]).where(metrics.c.partner_id == partner_id).scalar_subquery()
        for name in METRICS
    }
    others = metrics.c.partner_id != partner_id
    columns: list[Any] = [func.sum(case((others, 1), else_=0))]
    for name in METRICS:
        value = metrics.c[name]
        columns += [
            func.count(case((others, value))),
            func.sum(case((and_(others, value < mine[name]), 1), else_=0)),
            func.sum(case((and_(others, value == mine[name]), 1), else_=0)),
            func.max(case((metrics.c.partner_id == partner_id, value))),
        ]
    row = session.execute(select(*columns).select_from(metrics)).one()
    group_peers = int(row[0] or 0)
    ranks = []
    for i, name in enumerate(METRICS):
        peers, below, equal, value = row[1 + 4 * i : 5 + 4 * i]
        peers = int(peers or 0)
        percentile = (
            None if value is None else percentile_rank(int(below or 0), int(equal or 0), peers)
        )
        ranks.append(
            PeerRank(
                metric=name,
                own_value=None if value is None else float(value),
                peers=peers,
                percentile=percentile,
            )
        )
    region_label = get_taxonomy().region(own.region).label
    return PeerStanding(
        region=region_label, size_band=own.band, group_peers=group_peers, ranks=tuple(ranks)
    )
