"""Partner CSV interchange on SQLite and PostgreSQL: round trips, row errors, one transaction."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, func, select
from sqlmodel import Session

from core import models as m
from core.audit import record_change
from core.db import create_db_engine, read_data_version, session_scope
from core.demo.generator import seed_demo_directory
from core.directory.records import create_partner
from core.interchange import importer as interchange
from core.interchange.export import export_partners_csv
from core.interchange.format import VALID_ROWS_ONLY, RowError, csv_columns
from core.interchange.importer import import_partners_csv
from core.migrations import migrate

TEMPLATE = Path(__file__).resolve().parents[3] / "data" / "partner_template.csv"


def _export(engine: Engine) -> str:
    buffer = io.StringIO()
    export_partners_csv(engine=engine, path_or_buffer=buffer)
    return buffer.getvalue()


def _version(engine: Engine) -> int:
    with Session(engine) as session:
        return read_data_version(session)


def _wipe(engine: Engine) -> None:
    with session_scope(engine) as session:
        for model in (m.PartnerCertification, m.PartnerCompetency, m.PartnerLocation, m.Partner):
            session.execute(delete(model))
        # The unit of work commits no directory change without its audit event.
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


def _audit_count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(m.AuditEvent)).scalar() or 0)


def _add_awkward_partners(engine: Engine) -> None:
    """Profiles that stress CSV quoting: unicode, commas, quotes, line breaks, formulas."""
    awkward = [
        {
            "name": "Café Ñandú Sistemas, LLC",
            "description": 'Line one, with "quotes".\nLine two: naïve café ☕, 100% Wi-Fi.\n\n'
            "Third paragraph; semicolons | pipes.",
            "website": "https://cafe-nandu.example/path?q=1,2",
            "email": "hola@cafe-nandu.example",
            "phone": "+1 (512) 555-0101 x12",
            "service_radius_km": 42.5,
            "states_served": ["TX", "NM"],
            "segments": ["1-10", "1000+"],
            "locations": [
                {"zip_code": "78701", "is_headquarters": True},
                {"zip_code": "87501"},
                {"zip_code": "10001"},
            ],
            "competencies": {"networking": 3, "security": 2, "cloud": 1, "financing": 2},
            "allies": {"financing": "Señor Capital, Inc.", "logistics": 'Fast "Freight"'},
            "certifications": [
                {
                    "certification_key": "cisco-ccna",
                    "obtained_on": date(2024, 1, 5),
                    "expires_on": date(2027, 1, 5),
                },
                {
                    "certification_key": "aws-saa",
                    "obtained_on": date(2020, 3, 1),
                    "expires_on": date(2023, 3, 1),
                },
                {"certification_key": "veeam-vmce", "obtained_on": date(2025, 2, 1)},
            ],
        },
        {
            "name": '=HYPERLINK("http://evil.example") Partners',
            "description": "-minus first, then @at and +plus",
            "email": "ops@formula.example",
            "locations": [{"zip_code": "02134"}],
            "competencies": {"managed_it": 3},
        },
        {
            "name": "Northern Lights IT",
            "description": "",
            "states_served": ["AK"],
            "competencies": {"telecom": 2},
        },
    ]
    with session_scope(engine) as session:
        for i, raw in enumerate(awkward):
            create_partner(
                session=session,
                partner=m.PartnerCreate.model_validate(raw),
                actor_label="test",
                verified_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC) if i == 0 else None,
                certification_statuses=["approved", "approved", "pending"] if i == 0 else [],
            )


def test_export_import_export_is_byte_identical(db_engine: Engine, tmp_path: Path) -> None:
    seed_demo_directory(engine=db_engine, partners=40, seed=11, with_activity=False)
    _add_awkward_partners(db_engine)
    first = _export(db_engine)
    assert "Café Ñandú" in first and "'=HYPERLINK" in first and "'-minus" in first

    _wipe(db_engine)  # same database kind, now empty: every partner_ref becomes its id again
    report = import_partners_csv(engine=db_engine, source=io.StringIO(first))
    assert report.ok, report.errors
    assert report.imported == report.ids_kept == 43
    assert _export(db_engine) == first

    other = create_db_engine(f"sqlite:///{tmp_path / 'other.sqlite'}")  # file, other kind
    migrate(other)
    path = tmp_path / "partners.csv"
    path.write_text(first, encoding="utf-8", newline="")
    assert import_partners_csv(engine=other, source=path).imported == 43
    assert _export(other) == first
    other.dispose()


def test_ids_move_past_imported_ids_so_later_inserts_do_not_collide(db_engine: Engine) -> None:
    report = import_partners_csv(engine=db_engine, source=TEMPLATE)
    assert report.imported == 2 and report.ids_kept == 2  # partner_refs 1001 and 1002
    with session_scope(db_engine) as session:
        new_id = create_partner(
            session=session,
            partner=m.PartnerCreate.model_validate(
                {"name": "After Import", "states_served": ["TX"]}
            ),
            actor_label="test",
        )
    assert new_id == 1003


def test_imported_rows_are_audited_and_bump_the_data_version_once(db_engine: Engine) -> None:
    before = _version(db_engine)
    report = import_partners_csv(engine=db_engine, source=TEMPLATE, actor_label="alice")
    assert report.imported == 2
    assert _version(db_engine) == before + 1
    with Session(db_engine) as session:
        events = session.execute(select(m.AuditEvent)).scalars().all()
        statuses = (
            session.execute(
                select(m.PartnerCertification.status).order_by(m.PartnerCertification.id)
            )
            .scalars()
            .all()
        )
    assert sorted((e.entity_id, e.action, e.actor_label) for e in events) == [
        ("1001", "created", "alice"),
        ("1002", "created", "alice"),
    ]
    assert statuses.count("pending") == 1 and statuses.count("approved") == 5


def _file_with_bad_rows() -> tuple[str, list[tuple[int, str]]]:
    """Good rows around four bad ones, and the (line, column) each bad one must be blamed on."""
    columns = csv_columns()

    def row(ref: str, name: str, **cells: str) -> list[str]:
        values = {"partner_ref": ref, "name": name, "hq_zip": "78701", "level_cloud": "2"}
        values |= cells
        return [values.get(c, "") for c in columns]

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)  # line 1
    writer.writerow(row("1", "Good One", description="two\nlines"))  # lines 2-3
    writer.writerow(row("2", "Bad Zip", hq_zip="00000"))  # line 4
    writer.writerow(
        row("3", "Good Two", certifications="cisco-ccna|2024-01-01|2026-01-01|approved")
    )
    writer.writerow(row("4", "Level Seven", level_security="7"))  # line 6
    writer.writerow(row("5", "Script Site", website="javascript:alert(1)"))  # line 7
    writer.writerow(row("6", "Made Up Cert", certifications="acme-wizard|2024-01-01||approved"))
    writer.writerow(row("7", "Good Three", branch_zips="10001;60601"))  # line 9
    expected = [(4, "hq_zip"), (6, "level_security"), (7, "website"), (8, "certifications")]
    return buffer.getvalue(), expected


def test_bad_rows_are_reported_by_line_and_column_and_nothing_is_written(db_engine) -> None:
    seed_demo_directory(engine=db_engine, partners=5, seed=1, with_activity=False)
    before, version = _export(db_engine), _version(db_engine)
    text, expected = _file_with_bad_rows()

    report = import_partners_csv(engine=db_engine, source=io.StringIO(text))

    assert [(e.line, e.column) for e in report.errors] == expected
    assert "http" in report.errors[2].reason  # the website rule, in words a person understands
    assert (report.rows, report.rejected, report.imported) == (7, 4, 0)
    assert "Nothing was imported" in report.summary()
    assert _export(db_engine) == before
    assert _version(db_engine) == version


def test_valid_rows_only_imports_the_good_rows(db_engine: Engine) -> None:
    text, expected = _file_with_bad_rows()
    report = import_partners_csv(engine=db_engine, source=text.encode(), mode=VALID_ROWS_ONLY)
    assert [(e.line, e.column) for e in report.errors] == expected
    assert (report.imported, report.rejected) == (3, 4)
    with Session(db_engine) as session:
        names = session.execute(select(m.Partner.name).order_by(m.Partner.id)).scalars().all()
        description = session.get(m.Partner, 1).description  # type: ignore[union-attr]
    assert names == ["Good One", "Good Two", "Good Three"]
    assert description == "two\nlines"


def test_header_must_name_required_columns_and_nothing_unknown(db_engine: Engine) -> None:
    report = import_partners_csv(engine=db_engine, source=b"name,colour\nAcme,red\n")
    assert report.errors == [
        RowError(1, "colour", "unknown column"),
        RowError(1, "hq_zip", "required column is missing"),
    ]
    assert report.imported == 0


def test_duplicate_partner_refs_and_ragged_rows_are_rejected(db_engine: Engine) -> None:
    text = "partner_ref,name,hq_zip\n7,First,78701\n7,Second,78701\n8,Third,78701,extra\n"
    report = import_partners_csv(engine=db_engine, source=io.StringIO(text))
    assert [(e.line, e.column) for e in report.errors] == [(3, "partner_ref"), (4, "")]
    assert "already used on line 2" in report.errors[0].reason


def test_refs_that_are_taken_get_new_ids(db_engine: Engine) -> None:
    seed_demo_directory(engine=db_engine, partners=3, seed=1, with_activity=False)
    text = "partner_ref,name,hq_zip\n2,Taken Ref,78701\nacme-9,Text Ref,78701\n50,Free Ref,78701\n"
    report = import_partners_csv(engine=db_engine, source=io.StringIO(text))
    assert (report.imported, report.ids_kept) == (3, 1)
    with Session(db_engine) as session:
        ids = dict(session.execute(select(m.Partner.name, m.Partner.id)).all())
    assert ids["Free Ref"] == 50
    assert {ids["Taken Ref"], ids["Text Ref"]} == {51, 52}


def test_a_failure_mid_import_leaves_the_database_as_it_was(db_engine, monkeypatch) -> None:
    seed_demo_directory(engine=db_engine, partners=4, seed=2, with_activity=False)
    before, version, events = _export(db_engine), _version(db_engine), _audit_count(db_engine)
    calls = {"n": 0}
    original = interchange.insert_partner_records

    def failing_insert(**kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        original(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(interchange, "BATCH", 2)
    monkeypatch.setattr(interchange, "insert_partner_records", failing_insert)
    rows = "".join(f"{n},Partner {n},78701\n" for n in range(100, 106))
    with pytest.raises(RuntimeError, match="disk full"):
        import_partners_csv(
            engine=db_engine, source=io.StringIO(f"partner_ref,name,hq_zip\n{rows}")
        )
    assert calls["n"] == 2  # the first batch was written, then rolled back
    assert _export(db_engine) == before
    assert _version(db_engine) == version
    assert _audit_count(db_engine) == events  # the seeding's own events, none of the import
