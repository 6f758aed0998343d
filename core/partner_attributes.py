"""Fixed vocabularies of the profile fields added by issue 13: industries served, languages
and delivery mode (``data/partner_attributes.json``). Keys are stable (stored, in CSV files
and in URLs); labels are for people. Languages are keyed by ISO 639-1 codes.

Delivery: ``remote``, ``on_site`` or ``both``; None = not stated. A search for "remote"
matches ``remote`` and ``both`` (core.search.query), so "both" never needs ticking twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from core.settings import DATA_DIR

DELIVERY_REMOTE, DELIVERY_ON_SITE, DELIVERY_BOTH = "remote", "on_site", "both"


@dataclass(frozen=True)
class Attributes:
    industries: dict[str, str]  # key -> label, file order
    languages: dict[str, str]
    delivery: dict[str, str]

    def industry_label(self, key: str) -> str:
        return self.industries.get(key, key)

    def language_label(self, key: str) -> str:
        return self.languages.get(key, key)

    def delivery_label(self, key: str | None) -> str:
        return self.delivery.get(key, "Not stated") if key else "Not stated"


@lru_cache(maxsize=1)
def get_attributes() -> Attributes:
    raw = json.loads((DATA_DIR / "partner_attributes.json").read_text(encoding="utf-8"))
    lists = {name: {e["key"]: e["label"] for e in raw[name]} for name in raw}
    if set(lists["delivery"]) != {DELIVERY_REMOTE, DELIVERY_ON_SITE, DELIVERY_BOTH}:
        raise ValueError("partner_attributes.json: delivery must be remote, on_site, both")
    return Attributes(lists["industries"], lists["languages"], lists["delivery"])


def ordered(values: list[str] | None, known: dict[str, str]) -> list[str]:
    """The known keys among ``values`` in vocabulary order (stored lists compare equal)."""
    chosen = set(values or [])
    return [k for k in known if k in chosen]


def validate_keys(values: list[str], known: dict[str, str], what: str) -> list[str]:
    cleaned = [v.strip() for v in values if v and v.strip()]
    unknown = [v for v in cleaned if v not in known]
    if unknown:
        raise ValueError(f"unknown {what}: {', '.join(unknown)}")
    return ordered(cleaned, known)


def validate_delivery(value: str | None) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if text not in get_attributes().delivery:
        raise ValueError(f"delivery must be one of {', '.join(get_attributes().delivery)}")
    return text
