"""What to loosen when a search finds nothing or little: one change at a time, with its gain.

Each suggestion is a single, named change to the query (drop one need, lower the level,
widen the radius, …) and how many partners the search would find with it, counted with the
same ``match_partners`` the search uses. Sorted by gain, the first one names the need or
filter that rules out the most.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.formatting import company_sizes, format_radius_km
from core.geo.places import Place
from core.geo.states import STATE_NAMES
from core.search.index import ReadIndex
from core.search.query import MAX_RADIUS_KM, SearchQuery
from core.search.ranking import match_partners, resolve_query_place
from core.taxonomy import get_taxonomy

# Below this many results a search counts as poor and the page offers relaxations.
POOR_RESULT_COUNT = 3


@dataclass(frozen=True)
class Relaxation:
    kind: str  # drop_need, lower_level, evidence_off, widen_radius, service_area, drop_*
    label: str  # plain words for a button: "Drop the need “Insurance”"
    reason: str  # what it rules out: "Insurance rules out the most partners."
    query: SearchQuery  # the relaxed query, page 1
    result_count: int
    gain: int  # result_count minus the current count
    target: str | None = None  # the need key for drop_need


def is_poor(total: int) -> bool:
    return total < POOR_RESULT_COUNT


def _relaxed(query: SearchQuery, **changes: Any) -> SearchQuery:
    # Re-validate: a relaxation must be a query the search accepts as it stands.
    return SearchQuery.model_validate(query.model_dump() | changes | {"page": 1})


_Candidate = tuple[str, str, str, SearchQuery, str | None]


def _candidates(query: SearchQuery) -> list[_Candidate]:
    """(kind, label, reason, relaxed query, target) for every single relaxation that applies."""
    taxonomy = get_taxonomy()
    out: list[_Candidate] = []

    def offer(
        kind: str, label: str, reason: str, *, target: str | None = None, **changes: Any
    ) -> None:
        out.append((kind, label, reason, _relaxed(query, **changes), target))

    if len(query.needs) > 1:
        for key in query.needs:
            label = taxonomy.area_label(key)
            rest = [k for k in query.needs if k != key]
            reason = f"The need “{label}” rules out the most partners."
            offer("drop_need", f"Drop the need “{label}”", reason, target=key, needs=rest)
    if query.needs and query.min_level > 1:
        lower = taxonomy.level_label(query.min_level - 1).lower()
        asked = taxonomy.level_label(query.min_level).lower()
        reason = f"Asking for {asked} level rules out the most partners."
        offer("lower_level", f"Accept {lower} level", reason, min_level=query.min_level - 1)
    if query.needs and query.evidence_only:
        reason = "Counting only certified levels rules out the most partners."
        offer("evidence_off", "Include self-assessed levels", reason, evidence_only=False)
    if query.near is not None and query.radius_km < MAX_RADIUS_KM:
        radius = min(MAX_RADIUS_KM, query.radius_km * 2)
        reason = f"The {format_radius_km(query.radius_km)} radius rules out the most partners."
        label = f"Search within {format_radius_km(radius)}"
        offer("widen_radius", label, reason, radius_km=radius)
    if query.near is not None and not query.include_service_area:
        reason = "Counting only partners with an office in the radius rules out the most."
        label = "Include partners that travel to you"
        offer("service_area", label, reason, include_service_area=True)
    if query.segment:
        reason = f"The company size ({company_sizes([query.segment])}) rules out the most partners."
        offer("drop_segment", "Any company size", reason, segment=None)
    if query.vendor:
        reason = f"The vendor filter ({query.vendor}) rules out the most partners."
        offer("drop_vendor", f"Any vendor (not only {query.vendor})", reason, vendor=None)
    if query.keyword:
        reason = "The keyword rules out the most partners."
        offer("drop_keyword", "Drop the keyword", reason, keyword=None)
    if query.responsive:
        reason = "Asking for partners that answer within 2 business days rules out the most."
        offer("drop_responsive", "Any responsiveness", reason, responsive=False)
    if query.states or query.region:
        names = [STATE_NAMES[s] for s in query.states]
        if query.region:
            names.append(taxonomy.region(query.region).label)
        reason = f"The state/region filter ({', '.join(names)}) rules out the most partners."
        offer("drop_states", "Any state or region", reason, states=[], region=None)
    return out


def suggest_relaxations(
    index: ReadIndex, query: SearchQuery, *, place: Place | None = None
) -> list[Relaxation]:
    """Every single relaxation that finds more partners, most results first.

    ``place`` saves resolving the query's place again; an unknown place raises QueryError.
    """
    if place is None and query.near is not None:
        place = resolve_query_place(query)
    current = int(match_partners(index, query, place).rows.size)
    found = []
    for kind, label, reason, relaxed, target in _candidates(query):
        count = int(match_partners(index, relaxed, place).rows.size)
        if count > current:
            found.append(
                Relaxation(
                    kind=kind,
                    label=label,
                    reason=reason,
                    query=relaxed,
                    result_count=count,
                    gain=count - current,
                    target=target,
                )
            )
    # Ties: the order of _candidates (needs first) is stable and reads naturally.
    return sorted(found, key=lambda r: -r.gain)
