"""Search results as a CSV file a visitor can open in a spreadsheet.

Every matching partner in rank order, up to ``MAX_EXPORT_ROWS``, with the coverage of each
need (claimed and evidenced level), distance, freshness and the reasons for its rank.
Cells that a spreadsheet would run as a formula are neutralised (CSV injection).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pandas as pd

from core.csv_safety import SafeCsvWriter
from core.formatting import format_km
from core.search.index import ReadIndex
from core.search.query import SearchQuery
from core.search.ranking import SearchResults, match_partners, rank_matches, resolve_query_place
from core.search.text import claim_and_evidence, freshness_text
from core.taxonomy import get_taxonomy

MAX_EXPORT_ROWS = 5_000


def _iso_day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else ""


def export_file_name(query: SearchQuery, *, today: datetime | None = None) -> str:
    day = (today or datetime.now(UTC)).date().isoformat()
    needs = "-".join(query.needs[:4]) or "all"
    return f"partner-atlas-{needs}-{day}.csv"


def results_to_csv(
    *,
    index: ReadIndex,
    query: SearchQuery,
    now: datetime | None = None,
    max_rows: int = MAX_EXPORT_ROWS,
) -> bytes:
    """All partners the query matches (best first, at most ``max_rows``) as UTF-8 CSV bytes.

    The BOM lets spreadsheet programs detect UTF-8, so names with accents survive.
    """
    taxonomy = get_taxonomy()
    now = now or datetime.now(UTC)
    place = resolve_query_place(query)
    matches = match_partners(index, query, place)
    # One "page" as long as the export: model_copy skips the 200-per-page limit on purpose.
    everything = query.model_copy(update={"page": 1, "page_size": max(1, max_rows)})
    ranked = rank_matches(index, everything, place, matches, now=now)

    header = ["rank", "partner_id", "name", "hq_city", "distance_km", "reach"]
    if query.needs:
        header.append("needs_met")
    for key in query.needs:
        label = taxonomy.area_label(key)
        header += [f"{label} – claimed", f"{label} – evidenced"]
    header += [
        "areas_at_proficient_or_better",
        "claims_above_evidence",
        "score",
        "profile_updated",
        "profile_verified",
        "profile_link",
        "why_this_rank",
    ]
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer)
    writer.writerow(header)
    for r in ranked:
        row: list[object] = [
            r.rank,
            r.partner_id,
            r.name,
            r.hq_city,
            "" if r.distance_km is None else f"{r.distance_km:.1f}",
            {"nearby": "office in radius", "service_area": "service area"}.get(r.reach or "", ""),
        ]
        if query.needs:
            row.append(f"{sum(c.met for c in r.needs.values())} of {len(query.needs)}")
        for key in query.needs:
            coverage = r.needs[key]
            row += [
                taxonomy.level_label(coverage.claimed),
                taxonomy.level_label(coverage.evidenced),
            ]
        row += [
            r.breadth,
            "; ".join(taxonomy.area_label(k) for k in r.flagged_claims),
            f"{r.score:.1f}",
            _iso_day(r.updated_at),
            _iso_day(r.verified_at),
            f"/partner_profile?id={r.partner_id}",
            " ".join(r.explanation),
        ]
        writer.writerow(row)  # SafeCsvWriter guards every cell, the header too
    return buffer.getvalue().encode("utf-8-sig")


def results_frame(results: SearchResults, *, now: datetime) -> pd.DataFrame:
    """One page of results as a table for the screen (the CSV carries more columns)."""
    taxonomy = get_taxonomy()
    rows = []
    for r in results.results:
        row: dict[str, object] = {"#": r.rank, "Partner": r.name, "City": r.hq_city}
        row["Distance"] = format_km(r.distance_km) + (
            " (travels to you)" if r.reach == "service_area" else ""
        )
        for key, c in r.needs.items():
            row[taxonomy.area_label(key)] = claim_and_evidence(c.claimed, c.evidenced)
        row["Areas ≥ proficient"] = r.breadth
        row["Claims above evidence"] = ", ".join(taxonomy.area_label(k) for k in r.flagged_claims)
        row["Updated"] = freshness_text(r.updated_at, None, now=now).split(" · ")[0] + (
            " (stale)" if r.stale else ""
        )
        row["Profile"] = f"/partner_profile?id={r.partner_id}"
        rows.append(row)
    return pd.DataFrame(rows)
