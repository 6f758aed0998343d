"""Partner CSV export: every partner in id order, one row each (see ``core.interchange``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from sqlalchemy import Engine, select
from sqlmodel import Session

from core.csv_safety import SafeCsvWriter
from core.interchange.format import NO, YES, csv_columns, format_number, format_time
from core.models import Partner, PartnerCertification, PartnerCompetency, PartnerLocation
from core.partner_attributes import get_attributes, ordered
from core.tables import table_of
from core.taxonomy import get_taxonomy


def _export_rows(session: Session, batch_size: int) -> Iterator[list[str]]:
    taxonomy = get_taxonomy()
    area_keys, service_keys = taxonomy.area_keys, taxonomy.service_keys
    segment_keys = taxonomy.segment_keys
    attributes = get_attributes()
    p_, loc, comp, cert = (
        table_of(model)
        for model in (Partner, PartnerLocation, PartnerCompetency, PartnerCertification)
    )
    # The first nine in the order the loop below unpacks them.
    partner_columns = [p_.c[name] for name in (
        "id", "name", "description", "website", "email", "phone", "service_radius_km",
        "states_served", "segments", "updated_at", "verified_at", "confirmed_at",
        "industries", "languages", "delivery", "accepting_new_clients",
    )]  # fmt: skip
    last_id = 0
    while True:
        batch = session.execute(
            select(*partner_columns).where(p_.c.id > last_id).order_by(p_.c.id).limit(batch_size)
        ).all()
        if not batch:
            return
        ids = [row[0] for row in batch]
        last_id = ids[-1]
        offices: dict[int, list[tuple[bool, str]]] = {}
        for pid, is_hq, zip_code in session.execute(
            select(loc.c.partner_id, loc.c.is_headquarters, loc.c.zip_code)
            .where(loc.c.partner_id.in_(ids))
            .order_by(loc.c.id)
        ):
            offices.setdefault(pid, []).append((is_hq, zip_code))
        levels: dict[int, dict[str, int]] = {}
        allies: dict[int, dict[str, str]] = {}
        for pid, area, level, ally in session.execute(
            select(
                comp.c.partner_id, comp.c.area_key, comp.c.claimed_level, comp.c.ally_name
            ).where(comp.c.partner_id.in_(ids))
        ):
            levels.setdefault(pid, {})[area] = level
            if ally:
                allies.setdefault(pid, {})[area] = ally
        certs: dict[int, list[str]] = {}
        cert_columns = ("partner_id", "certification_key", "obtained_on", "expires_on", "status")
        for pid, key, obtained, expires, status in session.execute(
            select(*(cert.c[name] for name in cert_columns)).where(cert.c.partner_id.in_(ids))
        ):
            ends = expires.isoformat() if expires else ""
            certs.setdefault(pid, []).append(f"{key}|{obtained.isoformat()}|{ends}|{status}")
        for row in batch:
            pid, name, description, website, email, phone, radius, states, segments = row[:9]
            zips = [z for _, z in offices.get(pid, [])]
            hq = next((z for is_hq, z in offices.get(pid, []) if is_hq), zips[0] if zips else "")
            if hq:
                zips.remove(hq)
            own_levels, own_allies = levels.get(pid, {}), allies.get(pid, {})
            yield [
                str(pid),
                name,
                description or "",
                website or "",
                email or "",
                phone or "",
                hq,
                ";".join(zips),
                format_number(radius),
                ";".join(sorted(states or [])),
                ";".join(k for k in segment_keys if k in (segments or [])),
                *(str(own_levels[k]) if own_levels.get(k) else "" for k in area_keys),
                *(own_allies.get(k, "") for k in service_keys),
                ";".join(sorted(certs.get(pid, []))),
                format_time(row.updated_at),
                format_time(row.verified_at),
                format_time(row.confirmed_at),
                ";".join(ordered(row.industries, attributes.industries)),
                ";".join(ordered(row.languages, attributes.languages)),
                row.delivery or "",
                YES if row.accepting_new_clients else NO,
            ]


def export_partners_csv(
    *, engine: Engine, path_or_buffer: str | os.PathLike[str] | IO[str], batch_size: int = 1000
) -> int:
    """Write every partner, in id order, as one CSV row each; returns the number of rows.

    The output depends only on the data, so exporting twice gives identical files.
    """
    if isinstance(path_or_buffer, str | os.PathLike):
        with Path(path_or_buffer).open("w", encoding="utf-8", newline="") as handle:
            return export_partners_csv(engine=engine, path_or_buffer=handle, batch_size=batch_size)
    writer = SafeCsvWriter(path_or_buffer)  # every cell, phone and header included
    writer.writerow(csv_columns())
    count = 0
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            # One snapshot for the whole file, even while others keep writing. A read only,
            # so a plain transaction rather than a unit of work (session_scope).
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin(), Session(bind=connection) as session:
            for row in _export_rows(session, batch_size):
                writer.writerow(row)
                count += 1
    return count
