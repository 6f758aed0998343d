"""The editable fields of a partner profile: labels, form parsing with per-field messages,
and plain-text rendering of values (for conflict tables and the audit trail)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from core.formatting import company_sizes, format_radius_km
from core.geo.places import lookup_zip
from core.models import PartnerUpdate
from core.partner_attributes import get_attributes
from core.taxonomy import get_taxonomy

MAX_LOCATIONS = 25
PROFILE_FIELDS = (
    "name",
    "description",
    "website",
    "email",
    "phone",
    "service_radius_km",
    "states_served",
    "segments",
    "industries",
    "languages",
    "delivery",
    "accepting_new_clients",
    "locations",
    "competencies",
    "allies",
)
FIELD_LABELS = {
    "name": "Company name",
    "description": "Description",
    "website": "Website",
    "email": "Email",
    "phone": "Phone",
    "service_radius_km": "Service radius (km)",
    "states_served": "States served",
    "segments": "Customer sizes",
    "industries": "Industries served",
    "languages": "Languages",
    "delivery": "Delivery",
    "accepting_new_clients": "Accepting new clients",
    "locations": "Locations (ZIP codes)",
    "competencies": "Self-assessed competencies",
    "allies": "Business services through allies",
    "version": "Version",
    "verified_at": "Verified by an administrator",
    "confirmed_at": "Confirmed current by the partner",
}


class ProfileValidationError(ValueError):
    """Input that cannot be saved: ``errors`` maps a field to user-facing messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        parts = [f"{FIELD_LABELS.get(k, k)}: {' '.join(v)}" for k, v in errors.items()]
        super().__init__("; ".join(parts))

    @classmethod
    def from_pydantic(cls, exc: ValidationError) -> ProfileValidationError:
        errors: dict[str, list[str]] = {}
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "profile"
            message = str(error["msg"]).removeprefix("Value error, ")
            message = message[:1].upper() + message[1:]
            if not message.endswith("."):
                message += "."
            errors.setdefault(name, []).append(message)
        return cls(errors)


def split_zip_codes(text: str) -> list[str]:
    """ZIP codes typed one per line (or separated by commas or spaces)."""
    return [part for part in re.split(r"[\s,;]+", text or "") if part]


def parse_profile_form(form: dict[str, Any]) -> PartnerUpdate:
    """Validate the editor's raw widget values; raises ``ProfileValidationError`` listing
    every problem per field. ``locations`` is text (one ZIP per line, the first is the
    headquarters) or a list of ZIP codes."""
    raw = dict(form)
    errors: dict[str, list[str]] = {}
    zips = raw.get("locations", [])
    if isinstance(zips, str):
        zips = split_zip_codes(zips)
    if "locations" in raw:
        raw["locations"] = [{"zip_code": z, "is_headquarters": i == 0} for i, z in enumerate(zips)]
        problems = _zip_problems(zips)
        if problems:
            errors["locations"] = problems
    for key in ("website", "email", "phone", "delivery"):
        if key in raw and isinstance(raw[key], str) and not raw[key].strip():
            raw[key] = None
    if "allies" in raw:
        raw["allies"] = {k: v for k, v in (raw["allies"] or {}).items() if v and v.strip()}
    try:
        update = PartnerUpdate.model_validate(raw)
    except ValidationError as exc:
        for name, messages in ProfileValidationError.from_pydantic(exc).errors.items():
            errors.setdefault(name, []).extend(m for m in messages if m not in errors.get(name, []))
        raise ProfileValidationError(errors) from exc
    if errors:
        raise ProfileValidationError(errors)
    return update


def _zip_problems(zips: list[str]) -> list[str]:
    if not zips:
        return ["Give at least one location (a ZIP code)."]
    if len(zips) > MAX_LOCATIONS:
        return [f"At most {MAX_LOCATIONS} locations."]
    malformed = [str(i) for i, z in enumerate(zips, start=1) if not re.fullmatch(r"\d{5}", z)]
    if malformed:
        return [f"A ZIP code has exactly 5 digits (see entry {', '.join(malformed[:5])})."]
    unknown = [z for z in zips if lookup_zip(z) is None]
    if unknown:
        return [f"Unknown ZIP code(s): {', '.join(unknown[:5])}."]
    return []


def format_value(field: str, value: Any) -> str:
    """A profile value as plain text for tables (never HTML)."""
    if value is None or value == "" or value == [] or value == {}:
        return "(empty)"
    taxonomy = get_taxonomy()
    if field == "locations":
        return ", ".join(
            f"{loc['zip_code']}{' (HQ)' if loc.get('is_headquarters') else ''}" for loc in value
        )
    if field == "competencies":
        return ", ".join(
            f"{_area_label(k)}: {taxonomy.level_label(int(v))}" for k, v in sorted(value.items())
        )
    if field == "allies":
        return ", ".join(f"{_area_label(k)}: {v}" for k, v in sorted(value.items()))
    if field == "segments":
        return company_sizes(value)
    attributes = get_attributes()
    if field == "industries":
        return ", ".join(attributes.industry_label(k) for k in value)
    if field == "languages":
        return ", ".join(attributes.language_label(k) for k in value)
    if field == "delivery":
        return attributes.delivery_label(value)
    if field == "accepting_new_clients":
        return "Yes" if value else "No"
    if field == "service_radius_km":
        return format_radius_km(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _area_label(key: str) -> str:
    try:
        return get_taxonomy().area_label(key)
    except KeyError:
        return key


def form_defaults(values: dict[str, Any]) -> dict[str, Any]:
    """Profile values (``EditableProfile.values``) as the editor's widgets hold them:
    the inverse of ``parse_profile_form``."""
    taxonomy = get_taxonomy()
    locations = values.get("locations") or []
    return {
        "name": values.get("name") or "",
        "description": values.get("description") or "",
        "website": values.get("website") or "",
        "email": values.get("email") or "",
        "phone": values.get("phone") or "",
        "service_radius_km": values.get("service_radius_km"),
        "states_served": list(values.get("states_served") or []),
        "segments": list(values.get("segments") or []),
        "industries": list(values.get("industries") or []),
        "languages": list(values.get("languages") or []),
        "delivery": values.get("delivery") or "",
        "accepting_new_clients": bool(values.get("accepting_new_clients", True)),
        "locations": "\n".join(loc["zip_code"] for loc in locations),
        "competencies": {
            k: int((values.get("competencies") or {}).get(k, 0)) for k in taxonomy.area_keys
        },
        "allies": {k: (values.get("allies") or {}).get(k, "") for k in taxonomy.service_keys},
    }


def flatten_form(form: dict[str, Any]) -> dict[str, Any]:
    """Form values keyed by widget: competencies and allies become one entry per area."""
    flat = {k: v for k, v in form.items() if k not in ("competencies", "allies")}
    flat |= {f"level_{area}": level for area, level in form.get("competencies", {}).items()}
    flat |= {f"ally_{service}": name for service, name in form.get("allies", {}).items()}
    return flat


def unflatten_form(flat: dict[str, Any]) -> dict[str, Any]:
    """The inverse of ``flatten_form``, with widget defaults for anything missing."""
    taxonomy = get_taxonomy()
    radius = flat.get("service_radius_km")
    return {
        **{k: flat.get(k) or "" for k in ("name", "description", "website", "email", "phone")},
        "service_radius_km": None if radius is None else float(radius),
        "states_served": list(flat.get("states_served") or []),
        "segments": list(flat.get("segments") or []),
        "industries": list(flat.get("industries") or []),
        "languages": list(flat.get("languages") or []),
        "delivery": flat.get("delivery") or "",
        "accepting_new_clients": bool(flat.get("accepting_new_clients", True)),
        "locations": flat.get("locations") or "",
        "competencies": {a: int(flat.get(f"level_{a}") or 0) for a in taxonomy.area_keys},
        "allies": {s: flat.get(f"ally_{s}") or "" for s in taxonomy.service_keys},
    }
