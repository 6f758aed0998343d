"""What a search returns: ranked partners with their coverage per need, and the plain
sentences that explain each rank (see core.search for how they are found and scored)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.formatting import humanize_age
from core.geo.places import Place
from core.search import responsiveness
from core.search.query import SearchQuery
from core.taxonomy import get_taxonomy


@dataclass(frozen=True)
class NeedCoverage:
    key: str
    claimed: int
    evidenced: int
    met: bool


@dataclass
class RankedPartner:
    partner_id: int
    name: str
    hq_city: str
    rank: int
    score: float
    score_parts: dict[str, float]
    distance_km: float | None
    reach: str | None  # "nearby" (a location in the radius) or "service_area"
    needs: dict[str, NeedCoverage]
    breadth: int
    flagged_claims: list[str]
    updated_at: datetime | None
    verified_at: datetime | None  # by an administrator
    confirmed_at: datetime | None = None  # by the partner itself
    industries: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    delivery: str | None = None
    accepting_new_clients: bool = True
    stale: bool = False  # not updated or confirmed for a year (core.search.ranking)
    response_leads: int = 0  # leads in the last 12 months (core.search.responsiveness)
    response_within: int = 0  # of which answered within two business days
    review_avg: float | None = None  # verified reviews: average rating, None without any
    review_count: int = 0
    explanation: list[str] = field(default_factory=list)


@dataclass
class SearchResults:
    query: SearchQuery
    place: Place | None
    total: int
    results: list[RankedPartner]
    elapsed_ms: float

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.query.page_size))

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "page": self.query.page,
            "page_size": self.query.page_size,
            "place": None if self.place is None else self.place.to_json_dict(),
            "results": [
                {
                    "rank": r.rank,
                    "partner_id": r.partner_id,
                    "name": r.name,
                    "hq_city": r.hq_city,
                    "score": r.score,
                    "score_parts": r.score_parts,
                    "distance_km": r.distance_km,
                    "reach": r.reach,
                    "breadth": r.breadth,
                    "needs": {
                        k: {"claimed": c.claimed, "evidenced": c.evidenced, "met": c.met}
                        for k, c in r.needs.items()
                    },
                    "flagged_claims": r.flagged_claims,
                    "updated_at": r.updated_at.isoformat() if r.updated_at else None,
                    "verified_at": r.verified_at.isoformat() if r.verified_at else None,
                    "confirmed_at": r.confirmed_at.isoformat() if r.confirmed_at else None,
                    "industries": r.industries,
                    "languages": r.languages,
                    "delivery": r.delivery,
                    "accepting_new_clients": r.accepting_new_clients,
                    "stale": r.stale,
                    "responsiveness": {
                        "leads": r.response_leads,
                        "within_two_business_days": r.response_within,
                    },
                    "reviews": {"average": r.review_avg, "count": r.review_count},
                    "explanation": r.explanation,
                }
                for r in self.results
            ],
        }


def explain(
    result: RankedPartner, query: SearchQuery, place: Place | None, *, now: datetime
) -> list[str]:
    taxonomy = get_taxonomy()
    lines = []
    level = taxonomy.level_label(query.min_level).lower()
    if query.needs:
        met = sum(c.met for c in result.needs.values())
        backed = [k for k, c in result.needs.items() if c.evidenced >= query.min_level]
        lines.append(f"Covers {met} of {len(query.needs)} needs at {level} or better.")
        if backed:
            named = ", ".join(taxonomy.area_label(k) for k in backed)
            lines.append(f"Certifications back {len(backed)} of them: {named}.")
        else:
            lines.append("No certification backs these needs yet: the levels are self-assessed.")
    else:
        lines.append(f"Covers {result.breadth} areas at proficient or better.")
    for key in result.flagged_claims:
        coverage = result.needs.get(key)
        if coverage is not None:
            lines.append(
                f"Claims {taxonomy.level_label(coverage.claimed).lower()} in "
                f"{taxonomy.area_label(key)}, certifications show "
                f"{taxonomy.level_label(coverage.evidenced).lower()}."
            )
    if result.distance_km is not None and place is not None:
        if result.reach == "service_area":
            lines.append(
                f"Serves your area from {result.distance_km:,.0f} km away (its service area)."
            )
        else:
            lines.append(f"{result.distance_km:,.1f} km from {place.label}.")
    if result.updated_at:
        fresh = f"Profile updated {humanize_age(result.updated_at, now=now)}"
        if result.confirmed_at:
            fresh += (
                f", confirmed current by the partner {humanize_age(result.confirmed_at, now=now)}"
            )
        if result.verified_at:
            fresh += f", verified by an administrator {humanize_age(result.verified_at, now=now)}"
        lines.append(fresh + ".")
    if result.stale:
        lines.append("Stale: profile not confirmed for over a year, so no freshness points.")
    lines.append(responsiveness.explanation(result.response_leads, result.response_within))
    parts = result.score_parts
    lines.append(
        f"Score {result.score:.0f} = coverage {parts['coverage']:.0f} + evidence "
        f"{parts['evidence']:.0f} + distance {parts['distance']:.0f} + freshness "
        f"{parts['freshness']:.0f} + responsiveness {parts['responsiveness']:.1f}. "
        "No paid placement."
    )
    return lines
