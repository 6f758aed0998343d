"""The partner profile editor: load with a version, save with compare-and-swap.

Optimistic concurrency: the editor loads a profile with its ``version``; a save runs
``UPDATE partner … WHERE id = :id AND version = :expected`` and, when another save came
first, raises ``ProfileConflict`` with what changed meanwhile instead of overwriting it.
Certifications do not go through this path: they wait for approval (core.certifications).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import CursorResult, delete, insert, update
from sqlmodel import Session, col, select

from core.access import ensure_can_edit_partner, fresh_actor
from core.audit import diff_fields, jsonable, record_change
from core.directory.certifications import CertificationView, partner_certifications
from core.directory.profile_fields import (
    FIELD_LABELS,
    MAX_LOCATIONS,
    PROFILE_FIELDS,
    ProfileValidationError,
)
from core.geo.places import lookup_zip
from core.models import (
    ROLE_ADMIN,
    AccountPublic,
    LocationInput,
    MaxLength,
    Partner,
    PartnerCompetency,
    PartnerLocation,
    PartnerUpdate,
    utc_now,
)


@dataclass(frozen=True)
class EditableProfile:
    """A partner profile as the editor shows it, with the version it was loaded at."""

    partner_id: int
    version: int
    values: dict[str, Any]  # PROFILE_FIELDS in comparable (JSON) form
    updated_at: datetime
    verified_at: datetime | None  # by an administrator
    confirmed_at: datetime | None  # by the partner (its own save, the "still correct" link)
    certifications: list[CertificationView] = field(default_factory=list)
    locations_detail: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class FieldConflict:
    field: str
    label: str
    loaded: Any  # what the editor started from
    yours: Any  # what the editor tried to save
    current: Any  # what is stored now

    @property
    def changed_by_both(self) -> bool:
        return self.yours != self.loaded and self.yours != self.current


class ProfileConflict(Exception):
    """Someone saved the profile since the editor loaded it; nothing was written."""

    def __init__(self, differences: list[FieldConflict], current: EditableProfile) -> None:
        self.differences = differences
        self.current = current
        fields = ", ".join(d.label for d in differences) or "no visible field"
        super().__init__(
            "This profile was changed by someone else after you opened it "
            f"(changed: {fields}). Nothing was saved."
        )


@dataclass(frozen=True)
class SaveResult:
    partner_id: int
    version: int
    changes: dict[str, dict[str, Any]]  # {field: {"before", "after"}}; empty = confirmed
    updated_at: datetime
    # The stamp this save set: "verified_at" for an administrator, else "confirmed_at".
    stamp: str
    stamped_at: datetime


def _profile_values(session: Session, partner: Partner) -> tuple[dict[str, Any], list[dict]]:
    locations = session.exec(
        select(PartnerLocation)
        .where(PartnerLocation.partner_id == partner.id)
        .order_by(col(PartnerLocation.is_headquarters).desc(), col(PartnerLocation.id))
    ).all()
    competencies = session.exec(
        select(PartnerCompetency).where(PartnerCompetency.partner_id == partner.id)
    ).all()
    values = {
        "name": partner.name,
        "description": partner.description or "",
        "website": partner.website,
        "email": partner.email,
        "phone": partner.phone,
        "service_radius_km": partner.service_radius_km,
        "states_served": sorted(partner.states_served or []),
        "segments": list(partner.segments or []),
        "industries": list(partner.industries or []),
        "languages": list(partner.languages or []),
        "delivery": partner.delivery,
        "accepting_new_clients": bool(partner.accepting_new_clients),
        "locations": [
            {"zip_code": loc.zip_code, "is_headquarters": bool(loc.is_headquarters)}
            for loc in locations
        ],
        "competencies": {c.area_key: c.claimed_level for c in competencies if c.claimed_level},
        "allies": {c.area_key: c.ally_name for c in competencies if c.ally_name},
    }
    detail = [
        {"zip_code": loc.zip_code, "city": loc.city, "state": loc.state, "hq": loc.is_headquarters}
        for loc in locations
    ]
    return jsonable(values), detail


def _load(session: Session, partner_id: int) -> EditableProfile:
    partner = session.get(Partner, partner_id, populate_existing=True)
    if partner is None:
        raise LookupError(f"There is no partner {partner_id}.")
    values, detail = _profile_values(session, partner)
    return EditableProfile(
        partner_id=partner_id,
        version=partner.version,
        values=values,
        updated_at=partner.updated_at,
        verified_at=partner.verified_at,
        confirmed_at=partner.confirmed_at,
        certifications=partner_certifications(session=session, partner_id=partner_id),
        locations_detail=detail,
    )


def load_profile_for_edit(
    *, session: Session, actor: AccountPublic, partner_id: int
) -> EditableProfile:
    """The profile of ``partner_id`` for its own editor (or an administrator's)."""
    ensure_can_edit_partner(fresh_actor(session, actor), partner_id)
    return _load(session, partner_id)


def _normalized_locations(locations: list[LocationInput]) -> list[dict[str, Any]]:
    """Headquarters first; the first location is the headquarters when none is marked."""
    seen: set[str] = set()
    unique = []
    for loc in locations:
        if loc.zip_code not in seen:
            seen.add(loc.zip_code)
            unique.append(loc)
    hq = next((loc.zip_code for loc in unique if loc.is_headquarters), None)
    hq = hq or (unique[0].zip_code if unique else None)
    ordered = sorted(unique, key=lambda loc: loc.zip_code != hq)
    return [{"zip_code": loc.zip_code, "is_headquarters": loc.zip_code == hq} for loc in ordered]


# Optional scalar fields a partner may clear; for every other field None means "unchanged".
CLEARABLE = ("website", "email", "phone", "service_radius_km", "delivery")


def apply_changes(current: dict[str, Any], changes: PartnerUpdate) -> dict[str, Any]:
    """The profile values (as in ``EditableProfile.values``) after applying ``changes``."""
    wanted = dict(current)
    for name in PROFILE_FIELDS:
        value = getattr(changes, name)
        if name not in changes.model_fields_set or (value is None and name not in CLEARABLE):
            continue
        if name == "locations":
            value = _normalized_locations(value)
        elif name == "competencies":
            value = {k: v for k, v in value.items() if v}
        elif name == "states_served":
            value = sorted(value)
        wanted[name] = jsonable(value)
    return wanted


def _conflict(
    session: Session, partner_id: int, loaded: dict[str, Any] | None, wanted: dict[str, Any]
) -> ProfileConflict:
    session.expire_all()
    current = _load(session, partner_id)
    base = loaded if loaded is not None else current.values
    differences = []
    for name in PROFILE_FIELDS:
        was, now, yours = jsonable(base.get(name)), current.values.get(name), wanted.get(name)
        if (loaded is not None and was != now) or (loaded is None and yours != now):
            differences.append(FieldConflict(name, FIELD_LABELS[name], was, yours, now))
    return ProfileConflict(differences, current)


def _check_locations(locations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows, unknown = [], []
    for loc in locations:
        place = lookup_zip(loc["zip_code"])
        if place is None:
            unknown.append(loc["zip_code"])
            continue
        rows.append(
            {
                "zip_code": loc["zip_code"],
                "is_headquarters": loc["is_headquarters"],
                "city": place.label.rsplit(",", 1)[0].strip()[: MaxLength.CITY],
                "state": place.state,
                "latitude": place.latitude,
                "longitude": place.longitude,
            }
        )
    if unknown:
        raise ProfileValidationError({"locations": [f"Unknown ZIP code(s): {', '.join(unknown)}."]})
    if not rows:
        raise ProfileValidationError({"locations": ["Give at least one location (a ZIP code)."]})
    if len(rows) > MAX_LOCATIONS:
        raise ProfileValidationError({"locations": [f"At most {MAX_LOCATIONS} locations."]})
    return rows


def save_profile(
    *,
    session: Session,
    actor: AccountPublic,
    partner_id: int,
    expected_version: int,
    changes: PartnerUpdate,
    loaded: dict[str, Any] | EditableProfile | None = None,
) -> SaveResult:
    """Save the editor's values if the profile is still at ``expected_version``.

    ``changes`` fields left as None stay as they are (website, email, phone and service
    radius are cleared when explicitly set to None). ``loaded`` (the editor's starting
    values) lets a conflict name exactly the fields someone else changed; without it the
    conflict lists every field where the editor's value differs from the stored one.
    Saving without changes confirms the profile: only the stamp moves. The stamp says who
    vouched (issue 13): an administrator's save is a verification (``verified_at``), the
    partner's own save only confirms its profile current (``confirmed_at``).
    """
    actor = ensure_can_edit_partner(fresh_actor(session, actor), partner_id)
    try:
        changes = PartnerUpdate.model_validate(changes.model_dump(exclude_unset=True))
    except ValidationError as exc:
        raise ProfileValidationError.from_pydantic(exc) from exc
    loaded_values = loaded.values if isinstance(loaded, EditableProfile) else loaded
    current = _load(session, partner_id)
    wanted = apply_changes(current.values, changes)
    location_rows = _check_locations(wanted["locations"])
    if current.version != expected_version:
        raise _conflict(session, partner_id, loaded_values, wanted)
    diff = diff_fields(current.values, wanted)
    now = utc_now()
    scalars = {k: wanted[k] for k in diff if k not in ("locations", "competencies", "allies")}
    new_version = expected_version + 1 if diff else expected_version
    stamp_field = "verified_at" if actor.role == ROLE_ADMIN else "confirmed_at"
    stamp = {"updated_at": now, stamp_field: now} if diff else {stamp_field: now}
    result = session.execute(
        update(Partner)
        .where(col(Partner.id) == partner_id, col(Partner.version) == expected_version)
        .values(version=new_version, **stamp, **scalars)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)  # what an UPDATE returns; typed as Result
    if result.rowcount != 1:  # another save committed between our read and this update
        raise _conflict(session, partner_id, loaded_values, wanted)
    if "locations" in diff:
        session.execute(
            delete(PartnerLocation).where(col(PartnerLocation.partner_id) == partner_id)
        )
        session.execute(
            insert(PartnerLocation), [{"partner_id": partner_id, **r} for r in location_rows]
        )
    if "competencies" in diff or "allies" in diff:
        _replace_competencies(session, partner_id, wanted["competencies"], wanted["allies"])
    before = current.values | {"version": current.version}
    record_change(
        session=session,
        actor=actor,
        entity_type="partner",
        entity_id=partner_id,
        action="update" if diff else "confirm",
        before=before | {stamp_field: getattr(current, stamp_field)},
        after=wanted | {"version": new_version, stamp_field: now},
    )
    session.flush()
    return SaveResult(
        partner_id=partner_id,
        version=new_version,
        changes=diff,
        updated_at=now if diff else current.updated_at,
        stamp=stamp_field,
        stamped_at=now,
    )


def _replace_competencies(
    session: Session, partner_id: int, levels: dict[str, int], allies: dict[str, str]
) -> None:
    session.execute(
        delete(PartnerCompetency).where(col(PartnerCompetency.partner_id) == partner_id)
    )
    keys = [k for k, v in levels.items() if v] + [k for k in allies if not levels.get(k)]
    rows = [
        {
            "partner_id": partner_id,
            "area_key": key,
            "claimed_level": int(levels.get(key, 0)),
            "ally_name": allies.get(key) or None,
        }
        for key in keys
    ]
    if rows:
        session.execute(insert(PartnerCompetency), rows)
