"""The 180-day nudge and its one-click "still correct" link (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from core.db import read_data_version, session_scope
from core.directory.confirmation import confirm_still_correct, partner_of_link
from core.directory.nudges import KIND, due_for_nudge, send_profile_nudges
from core.models import AuditEvent, OutboxMessage, Partner
from core.notifications.tokens import TokenError
from tests.public_directory import AUSTIN, create_directory

NOW = datetime.now(UTC)


@pytest.fixture
def partners(db_engine: Engine) -> dict[str, int]:
    base = {"zips": (AUSTIN,), "levels": {"security": 2}}
    return create_directory(
        db_engine,
        {
            "old": base | {"name": "Old Profile", "email": "old@example.com",
                           "updated_days_ago": 200},
            "fresh": base | {"name": "Fresh Profile", "email": "fresh@example.com"},
            "confirmed": base | {"name": "Confirmed Lately", "email": "c@example.com",
                                 "updated_days_ago": 400, "verified_days_ago": 30},
            "unreachable": base | {"name": "No Address", "updated_days_ago": 300},
        },
    )  # fmt: skip


def nudges(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.kind == KIND)
                .order_by(col(OutboxMessage.id))
            )
        )


def link_token(message: OutboxMessage) -> str:
    url = re.search(r"(\S+/profile_confirm\?\S+)", message.text_body)
    assert url is not None, message.text_body
    return parse_qs(urlparse(url.group(1)).query)["t"][0]


def test_only_partners_unconfirmed_for_180_days_with_an_address_are_due(
    db_engine: Engine, partners: dict[str, int]
) -> None:
    with Session(db_engine) as session:
        assert due_for_nudge(session, NOW) == [partners["old"]]


def test_a_partner_is_nudged_once_per_period(db_engine: Engine, partners: dict[str, int]) -> None:
    assert send_profile_nudges(db_engine, NOW) == 1
    assert send_profile_nudges(db_engine, NOW) == 0
    assert send_profile_nudges(db_engine, NOW + timedelta(days=40)) == 0  # another month
    sent = nudges(db_engine)
    assert len(sent) == 1
    message = sent[0]
    assert (message.partner_id, message.to_email, message.essential) == (
        partners["old"],
        "old@example.com",
        False,
    )
    assert "profile_confirm?t=" in message.text_body and "unsubscribe" in message.text_body
    assert message.dedup_key is not None and message.dedup_key.startswith(
        f"nudge:{partners['old']}:"
    )
    # Half a year later, still not confirmed: nudged again (so are the two that aged since).
    assert send_profile_nudges(db_engine, NOW + timedelta(days=181)) == 3
    again = [m.partner_id for m in nudges(db_engine)]
    assert again.count(partners["old"]) == 2 and partners["unreachable"] not in again


def test_still_correct_link_confirms_once(db_engine: Engine, partners: dict[str, int]) -> None:
    send_profile_nudges(db_engine, NOW)
    raw = link_token(nudges(db_engine)[0])
    with Session(db_engine) as session:
        assert partner_of_link(session=session, raw=raw, now=NOW).name == "Old Profile"
        version = read_data_version(session)
    with session_scope(db_engine) as session:
        confirmed = confirm_still_correct(session=session, raw=raw, now=NOW)
        session.commit()
    assert confirmed.partner_id == partners["old"]
    with Session(db_engine) as session:
        partner = session.get(Partner, partners["old"])
        assert partner is not None and partner.confirmed_at is not None
        assert partner.verified_at is None  # the partner confirmed; nobody verified
        assert read_data_version(session) == version + 1  # search sees it
        events = session.exec(
            select(AuditEvent).where(
                AuditEvent.entity_type == "partner",
                AuditEvent.entity_id == str(partners["old"]),
                AuditEvent.action == "confirm",
            )
        ).all()
        assert len(events) == 1
        assert due_for_nudge(session, NOW) == []
    with session_scope(db_engine) as session, pytest.raises(TokenError, match="used already"):
        confirm_still_correct(session=session, raw=raw, now=NOW)
    with Session(db_engine) as session, pytest.raises(TokenError, match="used already"):
        partner_of_link(session=session, raw=raw, now=NOW)


def test_still_correct_link_expires_after_30_days(
    db_engine: Engine, partners: dict[str, int]
) -> None:
    send_profile_nudges(db_engine, NOW)
    raw = link_token(nudges(db_engine)[0])
    later = NOW + timedelta(days=31)
    with session_scope(db_engine) as session, pytest.raises(TokenError, match="expired"):
        confirm_still_correct(session=session, raw=raw, now=later)
    with session_scope(db_engine) as session, pytest.raises(TokenError, match="not valid"):
        confirm_still_correct(session=session, raw="forged-token", now=NOW)
