"""A small hand-made directory around Austin, TX for the public-page tests.

Unit, integration and app tests use the same partners, so a behaviour checked in core is
checked on screen against the same names. Dates are relative to today, so certifications
expire (or not) the same way whenever the suite runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from core.db import bump_data_version, create_db_engine
from core.geo.places import lookup_zip
from core.migrations import migrate
from core.models import (
    Lead,
    Partner,
    PartnerCertification,
    PartnerCompetency,
    PartnerCreate,
    PartnerLocation,
    PartnerYearFigures,
)

AUSTIN, AUSTIN_EAST, ROUND_ROCK, SAN_MARCOS, DALLAS, HOUSTON = (
    "78701", "78702", "78664", "78666", "75201", "77002",
)  # fmt: skip
EVIL_NAME = "<b>Evil</b> **Corp** [click](javascript:alert(1)) $x$"
EVIL_DESCRIPTION = "<script>alert('x')</script> _we_ do :red[everything]"
SECRET_REVENUE = 987_654_321.0
FILLERS = 24  # enough Austin partners for a second page of results


def add_partner(
    session: Session,
    *,
    name: str,
    zips: tuple[str, ...],
    levels: dict[str, int],
    certs: tuple[str, ...] = (),
    expired: tuple[str, ...] = (),
    pending: tuple[str, ...] = (),
    allies: dict[str, str] | None = None,
    radius_km: float | None = None,
    states: tuple[str, ...] = (),
    segments: tuple[str, ...] = ("11-50",),
    description: str = "",
    website: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    updated_days_ago: int = 10,
    verified_days_ago: int | None = None,
    attributes: Mapping[str, Any] | None = None,  # industries, languages, delivery, ...
) -> int:
    profile = PartnerCreate.model_validate(
        {
            "name": name,
            "description": description,
            "website": website,
            "email": email,
            "phone": phone,
            "service_radius_km": radius_km,
            "states_served": list(states),
            "segments": list(segments),
            "competencies": levels,
            "allies": allies or {},
            **(attributes or {}),
        }
    )
    partner = Partner.model_validate(
        profile.model_dump(exclude={"competencies", "locations", "allies", "certifications"})
    )
    now = datetime.now(UTC)
    partner.updated_at = now - timedelta(days=updated_days_ago)
    if verified_days_ago is not None:
        partner.verified_at = now - timedelta(days=verified_days_ago)
    session.add(partner)
    session.flush()
    for i, zip_code in enumerate(zips):
        place = lookup_zip(zip_code)
        assert place is not None, zip_code
        session.add(
            PartnerLocation(
                partner_id=partner.id,
                is_headquarters=i == 0,
                zip_code=zip_code,
                city=place.label.split(",")[0],
                state=place.state,
                latitude=place.latitude,
                longitude=place.longitude,
            )
        )
    for key, level in profile.competencies.items():
        session.add(
            PartnerCompetency(
                partner_id=partner.id,
                area_key=key,
                claimed_level=level,
                ally_name=profile.allies.get(key),
            )
        )
    today = date.today()
    for key, status, expires in (
        *((k, "approved", today + timedelta(days=400)) for k in certs),
        *((k, "approved", today - timedelta(days=30)) for k in expired),
        *((k, "pending", today + timedelta(days=400)) for k in pending),
    ):
        session.add(
            PartnerCertification(
                partner_id=partner.id,
                certification_key=key,
                obtained_on=today - timedelta(days=700),
                expires_on=expires,
                status=status,
            )
        )
    bump_data_version(session, partner_ids=[int(partner.id)])
    return int(partner.id)


def add_partners(session: Session, partners: Mapping[str, Mapping[str, Any]]) -> dict[str, int]:
    """Adds each partner (keyword arguments of `add_partner`) in order; ids by nickname."""
    return {nickname: add_partner(session, **fields) for nickname, fields in partners.items()}


def create_directory(engine: Engine, partners: Mapping[str, Mapping[str, Any]]) -> dict[str, int]:
    """The partners, committed in one transaction; ids by nickname."""
    with Session(engine) as session:
        ids = add_partners(session, partners)
        session.commit()
    return ids


def commit_partner(engine: Engine, **fields: Any) -> int:
    """One more partner (keyword arguments of `add_partner`), committed; returns its id."""
    return create_directory(engine, {"new": fields})["new"]


SAMPLE_PARTNERS: dict[str, dict[str, Any]] = {
    "austin_secure": {
        "name": "Austin Secure Backup",
        "zips": (AUSTIN,),
        "levels": {"security": 3, "storage_backup": 2, "financing": 2},
        "certs": ("fortinet-nse4", "veeam-vmce"),
        "allies": {"financing": "Lone Star Leasing"},
        "description": "Firewalls and Veeam backup for law firms",
        "website": "https://austin-secure.example",
        "email": "hello@austin-secure.example",
        "phone": "(512) 555-0100",
        "verified_days_ago": 40,
        "attributes": {
            "industries": ["healthcare", "legal"],
            "languages": ["en", "es"],
            "delivery": "both",
        },
    },
    "round_rock_claims": {
        "name": "Round Rock Claims Everything",
        "zips": (ROUND_ROCK,),
        "levels": {"security": 3, "storage_backup": 3, "cloud": 3, "insurance": 2},
        "updated_days_ago": 600,
    },
    "san_marcos": {
        "name": "San Marcos Networks",
        "zips": (SAN_MARCOS, AUSTIN_EAST),
        "levels": {"networking": 3, "security": 2, "storage_backup": 2},
        "certs": ("cisco-ccna",),
        "expired": ("veeam-vmce",),
        "pending": ("fortinet-nse4",),
        "segments": ("1-10", "11-50"),
    },
    "dallas_statewide": {
        "name": "Dallas Statewide MSP",
        "zips": (DALLAS,),
        "levels": {"security": 3, "managed_it": 3, "financing": 3},
        "certs": ("fortinet-nse4", "dell-financial-services"),
        "states": ("TX",),
        "segments": ("51-200",),
    },
    "evil": {
        "name": EVIL_NAME,
        "zips": (AUSTIN_EAST,),
        "levels": {"cloud": 2, "security": 2},
        "description": EVIL_DESCRIPTION,
    },
    "houston_print": {
        "name": "Houston Print & Logistics",
        "zips": (HOUSTON,),
        "levels": {"print_services": 3, "logistics": 2},
        "certs": ("hp-managed-print-specialist",),
        "radius_km": 300,
    },
}


def build_sample_directory(engine: Engine, *, fillers: int = FILLERS) -> dict[str, int]:
    """Named partners (ids by nickname) plus anonymous Austin fillers."""
    with Session(engine) as session:
        ids = add_partners(session, SAMPLE_PARTNERS)
        for i in range(fillers):
            add_partner(
                session,
                name=f"Austin Filler {i:02d} IT",
                zips=(AUSTIN,),
                levels={"hardware": 2, "productivity": 2},
                updated_days_ago=30 + i,
            )
        # Confidential figures and a lead: they exist, and must never reach a public page.
        session.add(
            PartnerYearFigures(
                partner_id=ids["austin_secure"],
                year=date.today().year - 1,
                revenue_usd=SECRET_REVENUE,
                comarketing_funds_usd=SECRET_REVENUE / 9,
            )
        )
        session.add(
            Lead(
                partner_id=ids["austin_secure"],
                contact_name="Secret Customer",
                contact_email="secret@customer.example",
                company_size="11-50",
                needs=["security"],
                status="won",
                value_usd=SECRET_REVENUE,
            )
        )
        session.commit()
    return ids


def make_directory_database(folder: Path) -> tuple[str, dict[str, int]]:
    """A SQLite file holding the sample directory; returns its URL and the partner ids."""
    url = f"sqlite:///{folder / 'public.sqlite'}"
    engine = create_db_engine(url)
    try:
        migrate(engine)
        ids = build_sample_directory(engine)
    finally:
        engine.dispose()
    return url, ids
