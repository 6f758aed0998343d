"""Plain-language lines for the team builder page (no UI imports, so they are unit-tested)."""

from __future__ import annotations

from core.formatting import format_radius_km
from core.search.query import MAX_RADIUS_KM
from core.taxonomy import get_taxonomy
from core.teams.types import Team, TeamResult


def _names(keys: list[str]) -> str:
    return ", ".join(get_taxonomy().area_label(k) for k in keys)


def headline(result: TeamResult) -> str:
    needs = len(result.query.needs)
    if result.size == 1:
        return "One partner covers all of your needs" if needs > 1 else "Partners for your need"
    return f"A team of {result.size} partners covers all {needs} needs"


def where_text(result: TeamResult) -> str:
    if result.place is None:
        return "in the directory"
    return f"within {format_radius_km(result.query.radius_km)} of {result.place.label}"


def uncovered_text(result: TeamResult) -> str:
    return f"No partner {where_text(result)} covers: {_names(result.uncovered_needs)}."


def wider_radius_km(result: TeamResult) -> float | None:
    """A radius that reaches the nearest partner for every uncovered need, when there is one."""
    distances = [p.distance_km for p in result.nearest_for_uncovered.values()]
    if not distances or len(distances) < len(result.uncovered_needs):
        return None
    wider = min(MAX_RADIUS_KM, float(int(max(distances) // 10 + 2) * 10))
    return wider if wider > result.query.radius_km and wider >= max(distances) else None


def too_small_text(result: TeamResult) -> str:
    return (
        f"Covering all {len(result.query.needs)} needs {where_text(result)} takes at least "
        f"{result.smallest_size} partners; you allowed {result.query.max_size}."
    )


def difference_from_best(best: Team, team: Team) -> str:
    """'Like the best team, with Ironwood Digital instead of Austin Tech.' for alternatives."""
    best_ids, ids = set(best.ids), set(team.ids)
    added = [m.name for m in team.members if m.partner_id not in best_ids]
    left = [m.name for m in best.members if m.partner_id not in ids]
    if not added:
        return "Same partners as the best team."
    if len(added) == len(team.members):
        return "Different partners from the best team."
    return f"Like the best team, with {' and '.join(added)} instead of {' and '.join(left)}."
