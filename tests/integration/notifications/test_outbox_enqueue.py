"""Writing to the outbox: in the caller's transaction, at most once per dedup key, never to
an address that unsubscribed (non-essential), never without an unsubscribe link; who a
partner's messages go to; and the administrators' view of the outbox."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from core.access import PermissionDenied
from core.audit import AuditFilter, list_audit_events
from core.db import session_scope
from core.models import (
    OUTBOX_FAILED,
    OUTBOX_PENDING,
    OUTBOX_SUPPRESSED,
    Account,
    EmailSuppression,
    LocationInput,
    OutboxMessage,
    PartnerCreate,
)
from core.notifications.compose import Email
from core.notifications.outbox import enqueue
from core.notifications.outbox_view import list_outbox, outbox_counts, retry_message
from core.notifications.recipients import partner_recipients
from tests.integration.worlds import World, build_world, in_austin

NUDGE = Email(subject="Still correct?", greeting="Hello,", unsubscribe_url="http://a.test/u?t=1")


def messages(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage)).all())


def test_a_dedup_key_makes_a_message_exist_once(db_engine: Engine) -> None:
    with session_scope(db_engine) as session:
        first = enqueue(session=session, kind="profile_nudge", to_email="a@x.test", email=NUDGE,
                        essential=False, dedup_key="nudge:1")  # fmt: skip
        again = enqueue(session=session, kind="profile_nudge", to_email="a@x.test", email=NUDGE,
                        essential=False, dedup_key="nudge:1")  # fmt: skip
    with session_scope(db_engine) as session:
        later = enqueue(session=session, kind="profile_nudge", to_email="a@x.test", email=NUDGE,
                        essential=False, dedup_key="nudge:1")  # fmt: skip
    assert first is not None and again is None and later is None
    assert len(messages(db_engine)) == 1


def test_a_suppressed_address_gets_no_optional_mail_but_still_essential_mail(
    db_engine: Engine,
) -> None:
    with Session(db_engine) as session:  # a fixture row: the unsubscribe page is n12c's
        session.add(EmailSuppression(email="gone@x.test"))
        session.commit()
    with session_scope(db_engine) as session:
        optional = enqueue(session=session, kind="profile_nudge", to_email=" Gone@X.test ",
                           email=NUDGE, essential=False)  # fmt: skip
        needed = enqueue(session=session, kind="fund_decision", to_email="gone@x.test",
                         email=NUDGE, essential=True)  # fmt: skip
        assert optional is not None and needed is not None
        assert (optional.status, needed.status) == (OUTBOX_SUPPRESSED, OUTBOX_PENDING)


def test_optional_mail_without_an_unsubscribe_link_is_refused(db_engine: Engine) -> None:
    with session_scope(db_engine) as session, pytest.raises(ValueError, match="unsubscribe"):
        enqueue(session=session, kind="profile_nudge", to_email="a@x.test",
                email=Email(subject="Hi", greeting="Hello,"), essential=False)  # fmt: skip
    assert messages(db_engine) == []


def test_a_rolled_back_event_leaves_no_message(db_engine: Engine) -> None:
    with pytest.raises(RuntimeError), session_scope(db_engine) as session:
        enqueue(session=session, kind="fund_decision", to_email="a@x.test", email=NUDGE,
                essential=True)  # fmt: skip
        session.flush()
        raise RuntimeError("the event failed")
    assert messages(db_engine) == []


@pytest.fixture
def world(db_engine: Engine) -> World:
    return build_world(
        db_engine,
        [
            PartnerCreate(
                name="Mailed Partner",
                email="office@mailed-partner.com",
                locations=[LocationInput(zip_code="78701")],
            ),
            in_austin("Quiet Partner"),
            in_austin("Nobody Partner"),
        ],
    )


def test_a_partner_is_mailed_at_its_address_else_at_its_people(world: World) -> None:
    with Session(world.engine) as session:  # fixture rows, written directly
        for username, active in (("ana@quiet.test", True), ("old@quiet.test", False)):
            session.add(Account(username=username, display_name="Ana" if active else "",
                                password_hash="x", role="partner", partner_id=world.b,
                                is_active=active))  # fmt: skip
        session.commit()
    with Session(world.engine) as session:
        assert partner_recipients(session=session, partner_id=world.a) == [
            ("office@mailed-partner.com", "Mailed Partner")
        ]
        # partner2's own username is not an address; the inactive account gets nothing.
        assert partner_recipients(session=session, partner_id=world.b) == [
            ("ana@quiet.test", "Ana")
        ]
        nobody = world.b + 1
        assert partner_recipients(session=session, partner_id=nobody) == []
        assert partner_recipients(session=session, partner_id=999_999) == []


def test_only_administrators_read_the_outbox_and_retry_a_failed_message(world: World) -> None:
    with session_scope(world.engine) as session:
        for status in (OUTBOX_PENDING, OUTBOX_FAILED, OUTBOX_FAILED):
            row = enqueue(session=session, kind="deal_decision", to_email="a@x.test",
                          email=NUDGE, essential=True)  # fmt: skip
            assert row is not None
            row.status, row.attempts = status, 10 if status == OUTBOX_FAILED else 0
    with Session(world.engine) as session:
        for actor in (None, world.partner_a, world.vendor):
            with pytest.raises(PermissionDenied):
                list_outbox(session=session, actor=actor)
        assert outbox_counts(session=session, actor=world.admin) == {
            "pending": 1, "sent": 0, "failed": 2, "suppressed": 0,
        }  # fmt: skip
        failed = list_outbox(session=session, actor=world.admin, status=OUTBOX_FAILED)
        assert len(failed) == 2 and failed[0].id > failed[1].id  # newest first
        assert len(list_outbox(session=session, actor=None, cli_operator="cli", limit=1)) == 1
    with session_scope(world.engine) as session, pytest.raises(PermissionDenied):
        retry_message(session=session, actor=world.vendor, message_id=failed[0].id)
    with session_scope(world.engine) as session:
        assert retry_message(session=session, actor=world.admin, message_id=failed[0].id)
        # a second click on what the first already queued does nothing
        assert not retry_message(session=session, actor=world.admin, message_id=failed[0].id)
    with Session(world.engine) as session:
        row = session.get(OutboxMessage, failed[0].id)
        assert row is not None and (row.status, row.attempts) == (OUTBOX_PENDING, 0)
        events = list_audit_events(session=session, viewer=world.admin,
                                   filters=AuditFilter(entity_type="outbox_message"))  # fmt: skip
        assert [(e.action, e.actor_label) for e in events] == [("retry", "admin")]
