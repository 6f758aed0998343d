"""What a team search returns, its JSON form and the plain-language lines that explain it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.formatting import humanize_age
from core.geo.places import Place
from core.taxonomy import get_taxonomy
from core.teams.query import TeamQuery


@dataclass
class TeamMember:
    partner_id: int
    name: str
    hq_city: str
    distance_km: float | None
    reach: str | None  # "nearby" or "service_area"; None without a place
    covers: list[str]  # every need this member meets, in the query's order
    levels: dict[str, tuple[int, int]]  # need -> (claimed, evidenced), for covered needs
    latitude: float | None  # the member's location nearest the customer
    longitude: float | None
    updated_at: datetime | None = None
    assigned: list[str] = field(default_factory=list)  # needs credited to this member

    def is_evidenced(self, need: str, min_level: int) -> bool:
        return self.levels.get(need, (0, 0))[1] >= min_level

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "partner_id": self.partner_id,
            "name": self.name,
            "hq_city": self.hq_city,
            "distance_km": self.distance_km,
            "reach": self.reach,
            "covers": self.covers,
            "assigned": self.assigned,
            "levels": {k: {"claimed": c, "evidenced": e} for k, (c, e) in self.levels.items()},
            "latitude": self.latitude,
            "longitude": self.longitude,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
        }


@dataclass
class Team:
    score: float  # rounded for display
    exact_score: float  # what the ranking uses
    score_parts: dict[str, float]
    members: list[TeamMember]
    assignment: dict[str, int]  # need -> partner_id credited with it
    explanation: list[str] = field(default_factory=list)

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(sorted(m.partner_id for m in self.members))

    @property
    def total_distance_km(self) -> float:
        return sum(m.distance_km or 0.0 for m in self.members)

    def member(self, partner_id: int) -> TeamMember:
        return next(m for m in self.members if m.partner_id == partner_id)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "score_parts": self.score_parts,
            "members": [m.to_json_dict() for m in self.members],
            "assignment": self.assignment,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class NearestPartner:
    partner_id: int
    name: str
    hq_city: str
    distance_km: float


@dataclass
class TeamResult:
    query: TeamQuery
    place: Place | None
    size: int | None = None  # the minimum team size; None when no team within the limits
    teams: list[Team] = field(default_factory=list)
    uncovered_needs: list[str] = field(default_factory=list)
    nearest_for_uncovered: dict[str, NearestPartner] = field(default_factory=dict)
    smallest_size: int | None = None  # when every need is covered but max_size is too small
    candidates: int = 0  # partners in range who meet at least one need
    elapsed_ms: float = 0.0

    def finish(self, started: float) -> TeamResult:
        self.elapsed_ms = (time.perf_counter() - started) * 1000
        return self

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "teams": [t.to_json_dict() for t in self.teams],
            "uncovered_needs": self.uncovered_needs,
            "nearest_for_uncovered": {
                need: {
                    "partner_id": p.partner_id,
                    "name": p.name,
                    "hq_city": p.hq_city,
                    "distance_km": p.distance_km,
                }
                for need, p in self.nearest_for_uncovered.items()
            },
            "smallest_size": self.smallest_size,
            "candidates": self.candidates,
            "needs": self.query.needs,
            "max_size": self.query.max_size,
            "place": None if self.place is None else self.place.to_json_dict(),
        }


def explain_team(team: Team, query: TeamQuery, place: Place | None, *, now: datetime) -> list[str]:
    """Why this team, in the words a customer would use."""
    taxonomy = get_taxonomy()
    size = len(team.members)
    needs = query.needs
    lines = [
        f"Covers all {len(needs)} needs with {size} partner{'s' if size != 1 else ''}."
        if len(needs) > 1
        else f"Covers {taxonomy.area_label(needs[0])}."
    ]
    backed = [n for n in needs if team.member(team.assignment[n]).is_evidenced(n, query.min_level)]
    if len(backed) == len(needs):
        lines.append("Certifications back every need.")
    elif backed:
        claimed_only = ", ".join(taxonomy.area_label(n) for n in needs if n not in backed)
        lines.append(
            f"Certifications back {len(backed)} of {len(needs)} needs; "
            f"self-assessed only: {claimed_only}."
        )
    else:
        lines.append("No certification backs these needs yet: the levels are self-assessed.")
    distances = [m.distance_km for m in team.members if m.distance_km is not None]
    if distances and place is not None:
        span = (
            f"{min(distances):,.0f}–{max(distances):,.0f} km"
            if size > 1
            else f"{distances[0]:,.1f} km"
        )
        lines.append(f"{'Members are' if size > 1 else 'It is'} {span} from {place.label}.")
        if any(m.reach == "service_area" for m in team.members):
            lines.append("Some members reach you through their service area.")
    stamps = [m.updated_at for m in team.members if m.updated_at is not None]
    if stamps:
        newest, oldest = humanize_age(max(stamps), now=now), humanize_age(min(stamps), now=now)
        span = newest if newest == oldest else f"{newest} to {oldest}"
        lines.append(f"Profile{'s' if size > 1 else ''} updated {span}.")
    parts = team.score_parts
    lines.append(
        f"Score {team.score:.0f} = evidence {parts['evidence']:.0f} + distance "
        f"{parts['distance']:.0f} + freshness {parts['freshness']:.0f}. No paid placement."
    )
    return lines
