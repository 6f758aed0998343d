"""A search query <-> URL query parameters, so a copied link restores the search.

Only values that differ from the defaults are written, which keeps links short and
readable (``?needs=security,cloud&near=78701&radius=50``). Reading is strict: a link
with a bad value raises QueryError with a message for the visitor, rather than
silently searching for something else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.search.query import QueryError, SearchQuery, parse_query

# URL name -> SearchQuery field. Short names keep shared links readable.
PARAM_FIELDS = {
    "needs": "needs",
    "level": "min_level",
    "evidence": "evidence_only",
    "near": "near",
    "radius": "radius_km",
    "service_area": "include_service_area",
    "states": "states",
    "region": "region",
    "size": "segment",
    "vendor": "vendor",
    "q": "keyword",
    "sort": "sort",
    "page": "page",
}
LIST_FIELDS = {"needs", "states"}
BOOL_FIELDS = {"evidence_only", "include_service_area"}


def query_to_params(query: SearchQuery) -> dict[str, str]:
    defaults = SearchQuery()
    params: dict[str, str] = {}
    for name, field in PARAM_FIELDS.items():
        value = getattr(query, field)
        if value == getattr(defaults, field):
            continue
        if field in LIST_FIELDS:
            params[name] = ",".join(value)
        elif field in BOOL_FIELDS:
            params[name] = "1" if value else "0"
        elif isinstance(value, float) and value.is_integer():
            params[name] = str(int(value))
        else:
            params[name] = str(value)
    return params


def query_from_params(params: Mapping[str, Any], **overrides: Any) -> SearchQuery:
    """Parse URL parameters (unknown names are ignored: links outlive features)."""
    fields: dict[str, Any] = {}
    for name, field in PARAM_FIELDS.items():
        raw = params.get(name)
        if raw is None:
            continue
        if isinstance(raw, list):  # some frameworks hand back repeated params as lists
            raw = ",".join(str(r) for r in raw)
        raw = str(raw).strip()
        if field in LIST_FIELDS:
            fields[field] = [part.strip() for part in raw.split(",") if part.strip()]
        elif field in BOOL_FIELDS:
            if raw not in {"0", "1", "true", "false"}:
                raise QueryError(f"{name}: use 1 or 0")
            fields[field] = raw in {"1", "true"}
        else:
            fields[field] = raw
    fields.update(overrides)
    return parse_query(fields)
