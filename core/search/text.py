"""Plain-language lines for search results, profiles and comparisons (no UI imports).

Kept apart from the pages so the wording is the same on every screen and in tests.
"""

from __future__ import annotations

from datetime import datetime

from core.formatting import company_sizes, format_km, format_radius_km, humanize_age
from core.geo.places import Place
from core.partner_attributes import get_attributes
from core.search.query import SearchQuery
from core.taxonomy import get_taxonomy

KM_PER_MILE = 1.609344


def level_word(value: int) -> str:
    return get_taxonomy().level_label(value).lower()


def claim_and_evidence(claimed: int, evidenced: int) -> str:
    """'expert · certified proficient', 'certified expert', 'proficient (self-assessed)'."""
    if claimed == 0 and evidenced == 0:
        return "not offered"
    if evidenced == 0:
        return f"{level_word(claimed)} (self-assessed)"
    if evidenced >= claimed:
        return f"certified {level_word(evidenced)}"
    return f"{level_word(claimed)} · certified {level_word(evidenced)}"


def coverage_text(key: str, claimed: int, evidenced: int) -> str:
    """'Security: expert · certified proficient'."""
    return f"{get_taxonomy().area_label(key)}: {claim_and_evidence(claimed, evidenced)}"


def coverage_mark(claimed: int, evidenced: int, min_level: int) -> str:
    """A symbol that reads at a glance: backed by certification, claimed only, or short."""
    if evidenced >= min_level:
        return "✅"
    if max(claimed, evidenced) >= min_level:
        return "☑️"
    return "⚪"


def flag_text(key: str, claimed: int, evidenced: int) -> str:
    label = get_taxonomy().area_label(key)
    shown = "no certification" if evidenced == 0 else f"certifications show {level_word(evidenced)}"
    return f"Claims {level_word(claimed)} in {label}, but {shown}."


def freshness_text(
    updated_at: datetime | None,
    verified_at: datetime | None,
    *,
    now: datetime,
    confirmed_at: datetime | None = None,
) -> str:
    """'Updated 3 weeks ago · confirmed current by the partner 2 days ago · verified by an
    administrator 2 months ago'. "Verified" only for an administrator's (or vendor's)
    verification; the partner's own confirmation says so (issue 13)."""
    if updated_at is None:
        return "Never updated"
    text = f"Updated {humanize_age(updated_at, now=now)}"
    if confirmed_at is not None and confirmed_at > updated_at:
        text += f" · confirmed current by the partner {humanize_age(confirmed_at, now=now)}"
    if verified_at is None:
        return text  # nothing to claim: no "verified" without a verification
    return text + f" · verified by an administrator {humanize_age(verified_at, now=now)}"


def miles(km: float) -> float:
    return km / KM_PER_MILE


def radius_text(km: float) -> str:
    mi = round(miles(km))
    return f"{format_radius_km(km)} (about {mi:,} mile{'' if mi == 1 else 's'})"


def distance_text(distance_km: float | None, reach: str | None) -> str:
    if distance_km is None:
        return ""
    if reach == "service_area":
        return f"serves your area from {format_km(distance_km)} away"
    return f"nearest office {format_km(distance_km)} away"


def describe_search(query: SearchQuery, place: Place | None) -> str:
    """'Security + Cloud · within 80 km (about 50 miles) of Austin, TX 78701'."""
    taxonomy = get_taxonomy()
    parts = [" + ".join(taxonomy.area_label(k) for k in query.needs) or "All partners"]
    if place is not None:
        parts.append(f"within {radius_text(query.radius_km)} of {place.label}")
    if query.needs and query.min_level != 2:
        parts.append(f"at {level_word(query.min_level)} level or better")
    if query.needs and query.evidence_only:
        parts.append("certified levels only")
    if query.include_service_area and place is not None:
        parts.append("including partners that travel to you")
    if query.segment:
        parts.append(f"serving companies of {company_sizes([query.segment])}")
    attributes = get_attributes()
    if query.industries:
        named = " and ".join(attributes.industry_label(k) for k in query.industries)
        parts.append(f"serving {named}")
    if query.languages:
        parts.append(
            "speaking " + " and ".join(attributes.language_label(k) for k in query.languages)
        )
    if query.delivery:
        parts.append(f"delivering {attributes.delivery_label(query.delivery).lower()}")
    if query.accepting_only:
        parts.append("accepting new clients")
    return " · ".join(parts)


def attribute_text(
    industries: list[str], languages: list[str], delivery: str | None, accepting: bool
) -> str:
    """'Healthcare, Legal · English, Spanish · Remote and on-site · Not taking new clients'
    (issue 13's fields, on one short line; nothing for what is not stated)."""
    attributes = get_attributes()
    parts = [
        ", ".join(attributes.industry_label(k) for k in industries),
        ", ".join(attributes.language_label(k) for k in languages),
        attributes.delivery_label(delivery) if delivery else "",
        "Accepting new clients" if accepting else "Not taking new clients",
    ]
    return " · ".join(p for p in parts if p)
