"""Write whole, already validated partner profiles into the database.

Shared by the CSV import and the admin "create partner" path, so a profile that comes in
through either ends up as exactly the same rows (partner, locations, competencies with
allies, certifications) plus one "created" audit event.

Rows are written with SQLAlchemy Core executemany rather than ORM objects: an import of
many thousand partners must not build a unit of work per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlmodel import Session

from core.geo.places import lookup_zip
from core.models import (
    CERT_APPROVED,
    CERT_PENDING,
    CERT_REJECTED,
    AuditEvent,
    MaxLength,
    Partner,
    PartnerCertification,
    PartnerCompetency,
    PartnerCreate,
    PartnerLocation,
    utc_now,
)
from core.unit_of_work import mark_directory_changed

CERT_STATUSES = (CERT_PENDING, CERT_APPROVED, CERT_REJECTED)


@dataclass(frozen=True)
class PartnerRecord:
    """A validated profile plus what only imports and administrators may set.

    ``certification_statuses`` runs parallel to ``partner.certifications``; missing entries
    mean "pending", because evidence counts only once an administrator approved it.
    """

    partner: PartnerCreate
    partner_id: int
    created_at: datetime
    updated_at: datetime
    verified_at: datetime | None = None
    certification_statuses: tuple[str, ...] = ()
    confirmed_at: datetime | None = None


def city_of(label: str) -> str:
    """City part of a geo.Place label such as "Austin, TX 78701"."""
    return label.rsplit(",", 1)[0].strip()


def location_rows(partner_id: int, partner: PartnerCreate) -> list[dict[str, Any]]:
    """Location rows for a profile; the first location is the headquarters when none is marked.

    Raises ValueError naming the ZIP when it is not a known, located US ZIP code.
    """
    has_hq = any(loc.is_headquarters for loc in partner.locations)
    rows = []
    for i, loc in enumerate(partner.locations):
        place = lookup_zip(loc.zip_code)
        if place is None:
            raise ValueError(f"unknown ZIP code {loc.zip_code}")
        rows.append(
            {
                "partner_id": partner_id,
                "is_headquarters": loc.is_headquarters or (not has_hq and i == 0),
                "zip_code": loc.zip_code,
                "city": city_of(place.label)[: MaxLength.CITY],
                "state": place.state,
                "latitude": place.latitude,
                "longitude": place.longitude,
            }
        )
    return rows


def competency_rows(partner_id: int, partner: PartnerCreate) -> list[dict[str, Any]]:
    """One row per area with a level above 0 or a named ally; level 0 is simply absent."""
    keys = [k for k, v in partner.competencies.items() if v > 0]
    keys += [k for k in partner.allies if k not in keys]
    return [
        {
            "partner_id": partner_id,
            "area_key": key,
            "claimed_level": partner.competencies.get(key, 0),
            "ally_name": partner.allies.get(key),
        }
        for key in keys
    ]


def certification_rows(
    partner_id: int, partner: PartnerCreate, statuses: Sequence[str], now: datetime
) -> list[dict[str, Any]]:
    rows = []
    for i, cert in enumerate(partner.certifications):
        status = statuses[i] if i < len(statuses) else CERT_PENDING
        if status not in CERT_STATUSES:
            raise ValueError(f"unknown certification status {status!r}")
        rows.append(
            {
                "partner_id": partner_id,
                "certification_key": cert.certification_key,
                "obtained_on": cert.obtained_on,
                "expires_on": cert.expires_on,
                "status": status,
                "submitted_at": now,
                "reviewed_at": None if status == CERT_PENDING else now,
                "reviewed_by_account_id": None,
            }
        )
    return rows


def partner_row(record: PartnerRecord) -> dict[str, Any]:
    p = record.partner
    return {
        "id": record.partner_id,
        "name": p.name,
        "description": p.description,
        "website": p.website,
        "email": p.email,
        "phone": p.phone,
        "service_radius_km": p.service_radius_km,
        "states_served": list(p.states_served),
        "segments": list(p.segments),
        "industries": list(p.industries),
        "languages": list(p.languages),
        "delivery": p.delivery,
        "accepting_new_clients": p.accepting_new_clients,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "verified_at": record.verified_at,
        "confirmed_at": record.confirmed_at,
        "version": 1,
    }


def _table(model: Any) -> Table:
    return model.__table__


def insert_partner_records(
    *, session: Session, records: Sequence[PartnerRecord], actor_label: str
) -> None:
    """Insert profiles whose ids the caller already chose (see ``begin_partner_insert``).

    Does not commit: the caller writes many batches in one unit of work, which bumps the
    data version once. Rows and audit events go in as Core executemany through the
    session, where the unit of work sees them (and each event's entity type).
    """
    if not records:
        return
    now = utc_now()
    partners, locations, competencies, certifications, audits = [], [], [], [], []
    for record in records:
        pid = record.partner_id
        partners.append(partner_row(record))
        locations += location_rows(pid, record.partner)
        competencies += competency_rows(pid, record.partner)
        certifications += certification_rows(
            pid, record.partner, record.certification_statuses, now
        )
        audits.append(
            {
                "at": now,
                "actor_account_id": None,
                "actor_label": actor_label[: MaxLength.ACTOR_LABEL],
                "entity_type": "partner",
                "entity_id": str(pid),
                "action": "created",
                "changes": {"name": {"before": None, "after": record.partner.name}},
            }
        )
    for model, rows in (
        (Partner, partners),
        (PartnerLocation, locations),
        (PartnerCompetency, competencies),
        (PartnerCertification, certifications),
        (AuditEvent, audits),
    ):
        if rows:
            session.execute(insert(_table(model)), rows)


def begin_partner_insert(*, session: Session) -> int:
    """Serialise partner inserts and return the highest id in use.

    Callers pick ids themselves (an import keeps the ids of its file), so concurrent writers
    must not take the same ids meanwhile: PostgreSQL gets a table lock that still allows
    reads; on SQLite the first write of the transaction takes the write lock, so the unit
    of work bumps the data version now (its first write) rather than at commit. The bump
    belongs to the caller's transaction, so a rolled-back import leaves no trace.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE partner IN SHARE ROW EXCLUSIVE MODE"))
    # The inserts that follow name their partners to the unit of work themselves.
    mark_directory_changed(session, partner_ids=())
    return int(session.execute(select(func.max(_table(Partner).c.id))).scalar() or 0)


def sync_id_sequences(*, session: Session, tables: Iterable[Table]) -> None:
    """After inserting explicit ids, move PostgreSQL's id sequences past them.

    Without this the next ordinary insert would draw an id that is already taken.
    SQLite derives the next rowid from the table itself, so it needs nothing.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        top = session.execute(select(func.max(table.c.id))).scalar()
        if top is not None:
            sequence = func.pg_get_serial_sequence(table.name, "id")
            session.execute(select(func.setval(sequence, int(top))))


def create_partner(
    *,
    session: Session,
    partner: PartnerCreate,
    actor_label: str,
    partner_id: int | None = None,
    updated_at: datetime | None = None,
    verified_at: datetime | None = None,
    certification_statuses: Sequence[str] = (),
    confirmed_at: datetime | None = None,
) -> int:
    """Insert one whole profile with its "created" audit event; returns the new id.

    Certifications are pending unless ``certification_statuses`` says otherwise. Raises
    ValueError for an unknown ZIP or a taken ``partner_id``. Does not commit; needs a unit
    of work (``core.db.session_scope``).
    """
    top = begin_partner_insert(session=session)
    if partner_id is None:
        partner_id = top + 1
    elif session.get(Partner, partner_id) is not None:
        raise ValueError(f"partner id {partner_id} is already taken")
    now = utc_now()
    record = PartnerRecord(
        partner=partner,
        partner_id=partner_id,
        created_at=now,
        updated_at=updated_at or now,
        verified_at=verified_at,
        certification_statuses=tuple(certification_statuses),
        confirmed_at=confirmed_at,
    )
    insert_partner_records(session=session, records=[record], actor_label=actor_label)
    sync_id_sequences(session=session, tables=[_table(Partner)])
    return partner_id
