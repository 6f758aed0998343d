"""Every export is audited (AppTest): who, what, how many rows."""

from __future__ import annotations

from sqlmodel import Session, select

from core.exports import audited_export, csv_row_count
from core.models import AuditEvent
from tests.app.conftest import AtlasDb, assert_no_exception, open_app


def _exports(db: AtlasDb) -> list[AuditEvent]:
    with Session(db.engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.entity_type == "export")))


def test_the_admin_export_records_who_took_how_many_partners(atlas_db: AtlasDb) -> None:
    at = open_app(atlas_db, "admin_data.py", as_="admin")
    assert _exports(atlas_db) == []
    at.button(key="export_prepare").click().run()
    assert_no_exception(at)
    (event,) = _exports(atlas_db)
    assert (event.actor_label, event.entity_id) == ("admin", "partners")
    data = at.session_state["export_file"][0]
    assert event.changes["rows"]["after"] == csv_row_count(data) > 0


def test_a_download_callable_audits_on_the_click_only(atlas_db: AtlasDb) -> None:
    admin = atlas_db.accounts["admin"]
    data = audited_export(
        engine=atlas_db.engine, actor=admin, what="search results",
        build=lambda: 'a,b\n1,"two\nlines"\n3,4\n', details={"search": {"needs": "cloud"}},
    )  # fmt: skip
    (event,) = _exports(atlas_db)
    assert data.startswith(b"a,b") and event.changes["rows"]["after"] == 2
    assert event.changes["search"]["after"] == {"needs": "cloud"}
