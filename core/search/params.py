"""A search query <-> URL query parameters, so a copied link restores the search.

Only values that differ from the defaults are written, which keeps links short and
readable (``?needs=security,cloud&near=78701&radius=50``). Reading is strict: a link
with a bad value raises QueryError with a message for the visitor, rather than
silently searching for something else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.geo.states import STATE_NAMES
from core.partner_attributes import get_attributes
from core.search.query import QueryError, SearchQuery, parse_query
from core.taxonomy import get_taxonomy

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
    "responsive": "responsive",
    "industries": "industries",
    "languages": "languages",
    "delivery": "delivery",
    "accepting": "accepting_only",
    "sort": "sort",
    "page": "page",
}
LIST_FIELDS = {"needs", "states", "industries", "languages"}
BOOL_FIELDS = {"evidence_only", "include_service_area", "responsive", "accepting_only"}
# URL parameters naming known keys, and what one key is called in a notice. A link keeps the
# keys it knows and ignores the others one by one (``known_values``), never all of them.
KEYED_PARAMS = {
    "needs": "need",
    "states": "state",
    "size": "company size",
    "industries": "industry",
    "languages": "language",
}
LIST_PARAMS = ("needs", "states", "industries", "languages")


@dataclass(frozen=True)
class IgnoredValue:
    """One value of a link that names nothing known, left out of the search."""

    param: str  # the URL name: "needs"
    value: str  # as the link spells it

    @property
    def notice(self) -> str:
        """'Ignored unknown need “foo” from the link.' (plain text: escape it for Markdown)."""
        shown = self.value if len(self.value) <= 40 else self.value[:40] + "…"
        return f"Ignored unknown {KEYED_PARAMS[self.param]} “{shown}” from the link."


def _is_known(name: str, value: str) -> bool:
    taxonomy = get_taxonomy()
    if name == "needs":
        return value in taxonomy.area_keys
    if name == "states":
        return value.upper() in STATE_NAMES
    if name == "industries":
        return value in get_attributes().industries
    if name == "languages":
        return value in get_attributes().languages
    return value in taxonomy.segment_keys


def known_values(name: str, raw: Any) -> tuple[str, list[IgnoredValue]]:
    """The value of a keyed parameter (KEYED_PARAMS) with its unknown keys left out, and those.

    ``needs=foo,security`` keeps ``security`` and ignores ``foo``; ``size`` holds one key.
    """
    text = ",".join(str(r) for r in raw) if isinstance(raw, list) else str(raw)
    parts = [p.strip() for p in text.split(",")] if name in LIST_PARAMS else [text]
    parts = [p for p in parts if p]
    kept = [p for p in parts if _is_known(name, p)]
    ignored = [IgnoredValue(name, p) for p in parts if not _is_known(name, p)]
    return ",".join(kept), ignored


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
