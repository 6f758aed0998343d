"""The unit of work behind every write (core.unit_of_work), on SQLite and PostgreSQL.

Every write service stages its audit event and moves the data version exactly when it
changed directory data; a write without an audit event is refused and leaves no trace; a
rolled-back write moves nothing; several directory changes in one unit move it once.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, insert, select, text, update
from sqlmodel import Session, SQLModel

from core.analytics.demand import record_search_event
from core.audit import record_change
from core.db import read_data_version, session_scope
from core.directory.profiles import load_profile_for_edit, save_profile
from core.directory.records import create_partner
from core.models import (
    Account,
    AuditEvent,
    Partner,
    PartnerCompetency,
    PartnerLocation,
    PartnerUpdate,
    SearchEvent,
)
from core.search.query import SearchQuery
from core.unit_of_work import (
    AUDITED_AS,
    DIRECTORY_TABLES,
    NOT_AUDITED,
    UnauditedChange,
    mark_directory_changed,
)
from tests.integration.worlds import PASSWORD, World, build_profile_world, in_austin
from tests.integration.write_services import SERVICES, WriteService, sign_in


@pytest.fixture
def world(db_engine: Engine) -> World:
    return build_profile_world(db_engine)


def version(engine: Engine) -> int:
    with Session(engine) as session:
        return read_data_version(session)


def last_event_id(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.max(AuditEvent.id))).scalar() or 0)


def events_after(engine: Engine, event_id: int) -> list[tuple[str, str]]:
    with Session(engine) as session:
        rows = session.execute(
            select(AuditEvent.entity_type, AuditEvent.action).where(AuditEvent.id > event_id)
        ).all()
    return [(entity_type, action) for entity_type, action in rows]


def snapshot(engine: Engine) -> dict[str, list[Any]]:
    """Every row of every table, in a stable order."""
    with Session(engine) as session:
        return {
            name: sorted(map(repr, session.execute(select(table)).all()))
            for name, table in SQLModel.metadata.tables.items()
        }


def rename_partner(world: World, session: Session, name: str = "Renamed") -> None:
    partner = session.get(Partner, world.a)
    assert partner is not None
    partner.name = name


def audit(session: Session, entity_type: str, entity_id: int = 0) -> None:
    record_change(
        session=session,
        actor=None,
        actor_label="test",
        entity_type=entity_type,
        entity_id=entity_id,
        action="test",
        before={},
        after={},
    )


# --- every write service --------------------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_every_write_service_is_audited_and_moves_the_data_version_only_for_directory_data(
    world: World, service: WriteService
) -> None:
    write = service.prepare(world)
    before, last = version(world.engine), last_event_id(world.engine)
    write()
    assert service.event in events_after(world.engine, last)
    assert version(world.engine) == before + service.bumps


def test_sign_in_bookkeeping_has_only_the_sign_in_events_and_the_demand_log_none(
    world: World,
) -> None:
    """Issue 14: each sign-in and failed sign-in is an audit event of its own; the counter,
    the time and a re-hash ride along with it, and nothing else is written."""
    before, last = version(world.engine), last_event_id(world.engine)
    sign_in(world, "wrong password")
    sign_in(world, PASSWORD)  # resets the count, stamps the time (and may re-hash)
    sign_in(world, "wrong password")
    with session_scope(world.engine) as session:
        query = SearchQuery(needs=["security"], near="78701")
        record_search_event(session=session, query=query, place=None, result_count=3)
    with Session(world.engine) as session:
        account = session.get(Account, world.partner_a.id)
        searches = session.execute(select(func.count()).select_from(SearchEvent)).scalar()
    assert account is not None
    assert account.failed_sign_ins == 1 and account.last_sign_in_at is not None
    assert searches == 1
    assert events_after(world.engine, last) == [
        ("account", "sign_in_failed"),
        ("account", "sign_in"),
        ("account", "sign_in_failed"),
    ]
    assert version(world.engine) == before


# --- refused writes -------------------------------------------------------------------------


def _orm_change(world: World, session: Session) -> None:
    rename_partner(world, session)


def _bulk_update(world: World, session: Session) -> None:
    session.execute(update(Partner).where(Partner.id == world.a).values(name="Renamed"))  # type: ignore[arg-type]


def _core_insert(world: World, session: Session) -> None:
    row = {"partner_id": world.a, "area_key": "cloud", "claimed_level": 2, "ally_name": None}
    session.execute(insert(PartnerCompetency.__table__), [row])  # type: ignore[attr-defined]


def _orm_delete(world: World, session: Session) -> None:
    location = session.execute(
        select(PartnerLocation).where(PartnerLocation.partner_id == world.a)
    ).scalar_one()
    session.delete(location)


def _account_change(world: World, session: Session) -> None:
    account = session.get(Account, world.vendor.id)
    assert account is not None
    account.vendor_name = "Juniper"


def _wrong_kind_of_event(world: World, session: Session) -> None:
    rename_partner(world, session)
    audit(session, "lead", world.a)  # a partner change is not accounted for by a lead event


@pytest.mark.parametrize(
    "write",
    [_orm_change, _bulk_update, _core_insert, _orm_delete, _account_change, _wrong_kind_of_event],
    ids=lambda f: f.__name__.strip("_"),
)
def test_a_write_without_its_audit_event_is_refused_and_leaves_the_data_as_it_was(
    world: World, write: Any
) -> None:
    before = snapshot(world.engine)
    with pytest.raises(UnauditedChange, match="audit event"), session_scope(world.engine) as s:
        write(world, s)
    assert snapshot(world.engine) == before


def test_a_commit_in_the_middle_of_a_scope_is_checked_too(world: World) -> None:
    before = snapshot(world.engine)
    with pytest.raises(UnauditedChange), session_scope(world.engine) as session:
        rename_partner(world, session)
        session.commit()
    assert snapshot(world.engine) == before


def test_the_same_write_with_its_audit_event_is_committed(world: World) -> None:
    with session_scope(world.engine) as session:
        rename_partner(world, session)
        audit(session, "partner", world.a)
    with Session(world.engine) as session:
        partner = session.get(Partner, world.a)
    assert partner is not None and partner.name == "Renamed"


# --- the data version -----------------------------------------------------------------------


def test_a_rolled_back_write_does_not_move_the_data_version(world: World) -> None:
    before = version(world.engine)
    with pytest.raises(RuntimeError, match="after the save"), session_scope(world.engine) as s:
        profile = load_profile_for_edit(session=s, actor=world.partner_a, partner_id=world.a)
        save_profile(
            session=s,
            actor=world.partner_a,
            partner_id=world.a,
            expected_version=profile.version,
            changes=PartnerUpdate(description="Lost"),
        )
        raise RuntimeError("after the save")
    with session_scope(world.engine) as session:
        create_partner(session=session, partner=in_austin("Discarded"), actor_label="test")
        session.rollback()  # discarded inside the scope, which then commits nothing
    assert version(world.engine) == before


def test_two_directory_changes_in_one_unit_move_the_data_version_once(world: World) -> None:
    before = version(world.engine)
    with session_scope(world.engine) as session:
        create_partner(session=session, partner=in_austin("Gamma"), actor_label="test")
        create_partner(session=session, partner=in_austin("Delta"), actor_label="test")
        rename_partner(world, session)
        audit(session, "partner", world.a)
        session.execute(delete(PartnerCompetency).where(PartnerCompetency.partner_id == world.b))  # type: ignore[arg-type]
        audit(session, "partner", world.b)
    assert version(world.engine) == before + 1


def test_an_update_that_matches_no_row_changes_nothing_and_needs_no_event(world: World) -> None:
    before = version(world.engine)
    with session_scope(world.engine) as session:
        session.execute(update(Partner).where(Partner.id == -1).values(name="Nobody"))  # type: ignore[arg-type]
    assert version(world.engine) == before


def test_raw_sql_is_marked_as_a_directory_change_explicitly(world: World) -> None:
    before = version(world.engine)
    with session_scope(world.engine) as session:
        session.execute(text("UPDATE partner SET name = 'Raw' WHERE id = :id"), {"id": world.a})
        mark_directory_changed(session)
        mark_directory_changed(session)  # still one bump
        audit(session, "partner", world.a)
    assert version(world.engine) == before + 1
    with Session(world.engine) as session, pytest.raises(TypeError, match="session_scope"):
        mark_directory_changed(session)


# --- the rules themselves -------------------------------------------------------------------


def test_every_table_is_either_audited_or_exempt_with_a_reason() -> None:
    tables = set(SQLModel.metadata.tables)
    assert set(AUDITED_AS) | set(NOT_AUDITED) == tables
    assert not set(AUDITED_AS) & set(NOT_AUDITED)
    assert set(AUDITED_AS) >= DIRECTORY_TABLES
    assert all(reason.strip() for reason in NOT_AUDITED.values())


def test_session_scope_still_yields_a_sqlmodel_session(db_engine: Engine) -> None:
    with session_scope(db_engine) as session:
        assert isinstance(session, Session)
