"""The Find partners form as plain values: a SearchQuery <-> widget values <-> URL.

Pure functions over mappings, so the page stays thin and the round trips are unit-tested
without a browser. Widget keys are ``prefix + name`` (one checkbox per need).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.formatting import join_or
from core.models import MaxLength
from core.partner_attributes import get_attributes
from core.search.params import (
    KEYED_PARAMS,
    PARAM_FIELDS,
    IgnoredValue,
    known_values,
    query_from_params,
)
from core.search.query import MAX_RADIUS_KM, QueryError, SearchQuery
from core.taxonomy import FOUNDATIONAL, get_taxonomy

# Widget name -> SearchQuery field (needs are one checkbox each: "need_<key>"; industries
# and languages too: "industry_<key>", "language_<key>").
FORM_FIELDS = {
    "near": "near",
    "radius": "radius_km",
    "service_area": "include_service_area",
    "size": "segment",
    "level": "min_level",
    "evidence": "evidence_only",
    "q": "keyword",
    "responsive": "responsive",
    "delivery": "delivery",
    "accepting": "accepting_only",
    "states": "states",
    "region": "region",
    "vendor": "vendor",
    "sort": "sort",
    "page": "page",
}
RADIUS_MIN = 1


def need_key(prefix: str, area_key: str) -> str:
    return f"{prefix}need_{area_key}"


def industry_key(prefix: str, key: str) -> str:
    return f"{prefix}industry_{key}"


def language_key(prefix: str, key: str) -> str:
    return f"{prefix}language_{key}"


def search_params(params: Mapping[str, Any]) -> dict[str, str]:
    """Only the URL parameters that belong to a search (others are left alone)."""
    return {k: str(v) for k, v in params.items() if k in PARAM_FIELDS}


def form_values(query: SearchQuery, *, prefix: str) -> dict[str, Any]:
    """The widget values that show ``query``."""
    attributes = get_attributes()
    values: dict[str, Any] = {
        need_key(prefix, key): key in query.needs for key in get_taxonomy().area_keys
    }
    values |= {industry_key(prefix, k): k in query.industries for k in attributes.industries}
    values |= {language_key(prefix, k): k in query.languages for k in attributes.languages}
    for name, field in FORM_FIELDS.items():
        value = getattr(query, field)
        if field in ("near", "keyword", "segment", "region", "vendor", "delivery"):
            value = value or ""  # "" is "any": a selectbox shows None as "nothing chosen"
        elif field == "radius_km":
            value = int(min(MAX_RADIUS_KM, max(RADIUS_MIN, round(value))))
        elif field == "states":
            value = list(value)
        values[prefix + name] = value
    return values


def query_fields(state: Mapping[str, Any], *, prefix: str) -> dict[str, Any]:
    """SearchQuery fields from widget values (validate them with ``parse_query``)."""
    attributes = get_attributes()
    fields: dict[str, Any] = {
        "needs": [k for k in get_taxonomy().area_keys if state.get(need_key(prefix, k))],
        "industries": [k for k in attributes.industries if state.get(industry_key(prefix, k))],
        "languages": [k for k in attributes.languages if state.get(language_key(prefix, k))],
    }
    for name, field in FORM_FIELDS.items():
        if prefix + name in state:
            fields[field] = state[prefix + name]
    if not fields.get("sort"):
        fields["sort"] = "best"
    return fields


def _plain_problem(name: str, value: str, exc: QueryError) -> str:
    """One sentence naming the link's value and what would be right."""
    shown = value if len(value) <= 40 else value[:40] + "…"
    levels = get_taxonomy().level_labels(at_least=FOUNDATIONAL).items()
    rules = {
        "radius": f"the radius must be between {RADIUS_MIN} and {MAX_RADIUS_KM:,.0f} km",
        "level": "the level must be " + join_or([f"{v} ({label.lower()})" for v, label in levels]),
        "page": "the page must be a whole number from 1",
        "near": f"a place is at most {MaxLength.SEARCH_PLACE} characters",
        "q": f"a keyword is at most {MaxLength.SEARCH_KEYWORD} characters",
    }
    if name in rules:
        return f"{rules[name][:1].upper()}{rules[name][1:]} (the link says “{shown}”)."
    detail = str(exc).split(": ", 1)[-1]
    return f"“{name}={shown}”: {detail}."


def lenient_query_from_params(
    params: Mapping[str, Any],
) -> tuple[SearchQuery, list[str], list[IgnoredValue]]:
    """The URL's query, leaving out (and naming) each value that cannot be used.

    A shared link with one bad value still restores the rest of the search: problems are
    sentences about values that cannot be used; ignored are the unknown keys of a list
    (``needs=foo,security`` keeps ``security`` and ignores ``foo``).
    """
    good: dict[str, Any] = {}
    problems: list[str] = []
    ignored: list[IgnoredValue] = []
    for name, value in search_params(params).items():
        if name in KEYED_PARAMS:
            value, unknown = known_values(name, value)
            ignored += unknown
            if not value:
                continue
        try:
            query_from_params({name: value})
        except QueryError as exc:
            problems.append(_plain_problem(name, str(value), exc))
        else:
            good[name] = value
    return query_from_params(good), problems, ignored
