"""Issue 13's CSV columns (confirmed_at, industries, languages, delivery, accepting new
clients) on SQLite and PostgreSQL: byte-identical round trip, older files still import."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from sqlalchemy import Engine, delete
from sqlmodel import Session, select

from core import models as m
from core.audit import record_change
from core.db import session_scope
from core.demo.generator import seed_demo_directory
from core.directory.records import create_partner
from core.interchange.export import export_partners_csv
from core.interchange.format import csv_columns
from core.interchange.importer import import_partners_csv

NEW_COLUMNS = ["confirmed_at", "industries", "languages", "delivery", "accepting_new_clients"]


def _export(engine: Engine) -> str:
    buffer = io.StringIO()
    export_partners_csv(engine=engine, path_or_buffer=buffer)
    return buffer.getvalue()


def _wipe(engine: Engine) -> None:
    with session_scope(engine) as session:
        for model in (m.PartnerCertification, m.PartnerCompetency, m.PartnerLocation, m.Partner):
            session.execute(delete(model))
        record_change(
            session=session,
            actor=None,
            actor_label="test",
            entity_type="partner",
            entity_id="all",
            action="wipe",
            before={},
            after={},
        )


def _add_partner_with_every_new_field(engine: Engine) -> None:
    with session_scope(engine) as session:
        create_partner(
            session=session,
            partner=m.PartnerCreate.model_validate(
                {
                    "name": "Multilingual Clinic IT",
                    "locations": [{"zip_code": "78701", "is_headquarters": True}],
                    "industries": ["legal", "healthcare"],  # stored in vocabulary order
                    "languages": ["vi", "en", "es"],
                    "delivery": "both",
                    "accepting_new_clients": False,
                }
            ),
            actor_label="test",
            verified_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
            confirmed_at=datetime(2025, 6, 7, 8, 9, 10, tzinfo=UTC),
        )


def test_new_columns_are_appended_and_round_trip_byte_identical(db_engine: Engine) -> None:
    assert csv_columns()[-5:] == NEW_COLUMNS
    seed_demo_directory(engine=db_engine, partners=30, seed=5, with_activity=False)
    _add_partner_with_every_new_field(db_engine)
    first = _export(db_engine)
    rows = list(csv.DictReader(io.StringIO(first)))
    last = rows[-1]
    assert last["industries"] == "healthcare;legal"
    assert last["languages"] == "en;es;vi"
    assert (last["delivery"], last["accepting_new_clients"]) == ("both", "no")
    assert last["confirmed_at"] == "2025-06-07T08:09:10Z"
    assert any(r["industries"] for r in rows[:-1])  # the demo fills them too

    _wipe(db_engine)
    report = import_partners_csv(engine=db_engine, source=io.StringIO(first))
    assert report.ok, report.errors
    assert _export(db_engine) == first


def test_a_file_without_the_new_columns_imports_with_their_defaults(db_engine: Engine) -> None:
    _add_partner_with_every_new_field(db_engine)
    rows = list(csv.reader(io.StringIO(_export(db_engine))))
    old_layout = io.StringIO()
    csv.writer(old_layout, lineterminator="\n").writerows(row[:-5] for row in rows)
    _wipe(db_engine)
    report = import_partners_csv(engine=db_engine, source=io.StringIO(old_layout.getvalue()))
    assert report.ok, report.errors
    with Session(db_engine) as session:
        (partner,) = session.exec(select(m.Partner)).all()
    assert partner.name == "Multilingual Clinic IT"
    assert (partner.industries, partner.languages, partner.delivery) == ([], [], None)
    assert partner.accepting_new_clients is True and partner.confirmed_at is None
    assert partner.verified_at == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_bad_values_in_the_new_columns_are_reported_per_row(db_engine: Engine) -> None:
    text = (
        "name,hq_zip,industries,languages,delivery,accepting_new_clients\n"
        "Good One,78701,legal,en;es,remote,yes\n"
        "Bad One,78701,astrology,xx,teleport,maybe\n"
    )
    report = import_partners_csv(engine=db_engine, source=io.StringIO(text))
    assert report.imported == 0 and report.rejected == 1
    columns = {e.column for e in report.errors}
    assert {"industries", "languages", "delivery", "accepting_new_clients"} <= columns
