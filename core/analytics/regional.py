"""Regional analytics for vendor teams: coverage and unmet demand in a region.

Served to signed-in vendor and admin screens only, scoped to the regions the account covers.
The figures here are public (profiles, certifications) or anonymous (the demand log); a
vendor's per-member figures are core.analytics.program_members' (the "My program" page).
"""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import text
from sqlmodel import Session

from core.models import ROLE_ADMIN, ROLE_VENDOR, AccountPublic
from core.search.index import ReadIndex, state_mask
from core.taxonomy import PROFICIENT, Region, get_taxonomy

# A lead counts as "reported on" when the partner moved it out of "new" within this time.
REPORTING_WINDOW_DAYS = 14
# A recorded search with fewer results than this is unmet demand.
UNMET_BELOW = 3


class RegionAccessDenied(PermissionError):
    pass


def regions_visible_to(actor: AccountPublic) -> list[Region]:
    regions = list(get_taxonomy().regions)
    if actor.role == ROLE_ADMIN:
        return regions
    if actor.role == ROLE_VENDOR:
        return [r for r in regions if r.key in set(actor.regions)]
    return []


def region_for(actor: AccountPublic, region_key: str) -> Region:
    """The region, if this account may see it; vendors only see the regions they cover."""
    for region in regions_visible_to(actor):
        if region.key == region_key:
            return region
    raise RegionAccessDenied("This account does not cover that region.")


def partner_rows_in_states(index: ReadIndex, states: tuple[str, ...]) -> np.ndarray:
    return np.flatnonzero((index.location_states & state_mask(states)) != 0)


def coverage_by_area(index: ReadIndex, states: tuple[str, ...]) -> pd.DataFrame:
    """Per area: partners in the region at ≥ proficient by claim and by evidence."""
    taxonomy = get_taxonomy()
    rows = partner_rows_in_states(index, states)
    claimed = (index.claimed[rows] >= PROFICIENT).sum(axis=0)
    evidenced = (index.evidenced[rows] >= PROFICIENT).sum(axis=0)
    frame = pd.DataFrame(
        {
            "area_key": list(index.area_keys),
            "area": [taxonomy.area_label(k) for k in index.area_keys],
            "group": [taxonomy.group_labels[taxonomy.area(k).group] for k in index.area_keys],
            "claimed_proficient": claimed.astype(int),
            "evidenced_proficient": evidenced.astype(int),
        }
    )
    frame["evidence_share"] = np.where(
        frame["claimed_proficient"] > 0,
        frame["evidenced_proficient"] / frame["claimed_proficient"].clip(lower=1),
        0.0,
    ).round(2)
    return frame


def unmet_demand(
    *, session: Session, states: tuple[str, ...], since: datetime, below: int = UNMET_BELOW
) -> pd.DataFrame:
    """Needs asked for in searches in these states that found fewer than `below` partners."""
    rows = session.execute(
        text(
            "SELECT needs, state, result_count FROM search_event "
            # Only Find partners searches: a team event's result_count counts teams.
            "WHERE at >= :since AND result_count < :below AND kind = 'search'"
        ),
        {"since": since, "below": below},
    ).fetchall()
    wanted = set(states)
    counts: dict[str, int] = {}
    for needs, state, _count in rows:
        if state not in wanted:
            continue
        for need in needs if isinstance(needs, list) else json.loads(needs):
            counts[need] = counts.get(need, 0) + 1
    taxonomy = get_taxonomy()
    frame = pd.DataFrame(
        [
            {"area_key": k, "area": taxonomy.area_label(k), "searches": v}
            for k, v in counts.items()
            if k in taxonomy.area_keys
        ],
        columns=["area_key", "area", "searches"],
    )
    return frame.sort_values("searches", ascending=False, ignore_index=True)
