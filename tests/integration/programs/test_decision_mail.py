"""A vendor's decision on funds or a deal registration reaches the partner through the
outbox, written in the decision's own transaction: no decision, no message."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from core.db import session_scope
from core.models import FUND_REQUESTED, FundRequest, OutboxMessage, Partner
from core.programs.deals import approve_deal, deny_deal, register_deal
from core.programs.funds import allocate_funds, approve_funds, reject_funds
from core.settings import get_settings
from tests.integration.programs.fund_world import new_campaign, requested
from tests.integration.programs.program_world import ProgramWorld, build_program_world

ADDRESS = "office@alpha-it.com"
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def world(db_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[ProgramWorld]:
    monkeypatch.setenv("ATLAS_BASE_URL", "https://atlas.example")
    get_settings.cache_clear()
    built = build_program_world(db_engine)
    with Session(db_engine) as session:  # a fixture value: partner A has an office address
        partner = session.get(Partner, built.a)
        assert partner is not None
        partner.email = ADDRESS
        session.commit()
    yield built
    get_settings.cache_clear()


def outbox(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def test_approving_and_rejecting_funds_tells_the_partner(world: ProgramWorld) -> None:
    campaign = new_campaign(world.engine, world.vendor)
    first = requested(world.engine, world.partner_a, campaign.id, world.a, 1_500)
    second = requested(world.engine, world.partner_a, campaign.id, world.a, 900)
    assert outbox(world.engine) == []  # the partner's own requests mail nobody
    with session_scope(world.engine) as session:
        approve_funds(session=session, actor=world.vendor, fund_id=first.id,
                      seen_version=first.version, amount_usd=1_000)  # fmt: skip
        reject_funds(session=session, actor=world.vendor, fund_id=second.id,
                     seen_version=second.version, note=f"Not this quarter {HOSTILE}")  # fmt: skip
    approved, rejected = outbox(world.engine)
    assert {approved.kind, rejected.kind} == {"fund_decision"}
    assert (approved.to_email, approved.partner_id, approved.essential) == (ADDRESS, world.a, True)
    assert approved.subject == f"Cisco approved your fund request (#{first.id})"
    assert "Approved: $1,000" in approved.text_body and "Requested: $1,500" in approved.text_body
    assert "Spring Wi-Fi refresh" in approved.text_body
    assert "https://atlas.example/my_programs" in approved.text_body
    assert "rejected your fund request" in rejected.subject
    assert f"Note from the vendor: Not this quarter {HOSTILE}" in rejected.text_body
    assert "<img" not in rejected.html_body and "&lt;img" in rejected.html_body


def test_an_allocation_is_news_to_the_partner_too(world: ProgramWorld) -> None:
    campaign = new_campaign(world.engine, world.vendor)
    with session_scope(world.engine) as session:
        allocate_funds(session=session, actor=world.vendor, campaign_id=campaign.id,
                       partner_id=world.a, activity="Webinar", amount_usd=500)  # fmt: skip
    (message,) = outbox(world.engine)
    assert "allocated funds to you" in message.subject and "Approved: $500" in message.text_body


def test_a_decision_that_rolls_back_sends_nothing(world: ProgramWorld) -> None:
    campaign = new_campaign(world.engine, world.vendor)
    fund = requested(world.engine, world.partner_a, campaign.id, world.a, 700)
    with pytest.raises(RuntimeError), session_scope(world.engine) as session:
        approve_funds(session=session, actor=world.vendor, fund_id=fund.id,
                      seen_version=fund.version)  # fmt: skip
        assert len(session.exec(select(OutboxMessage)).all()) == 1  # written with it …
        raise RuntimeError("something after the approval failed")
    assert outbox(world.engine) == []  # … and gone with it
    with Session(world.engine) as session:
        row = session.get(FundRequest, fund.id)
        assert row is not None and row.status == FUND_REQUESTED


def test_approving_and_denying_deals_tells_the_partner(world: ProgramWorld) -> None:
    def register(company: str):  # type: ignore[no-untyped-def]
        data = {
            "partner_id": world.a, "vendor": "Cisco", "customer_company": company,
            "zip_code": "78701", "product_lines": ["Networking"], "value_usd": 25_000,
            "expected_close_on": date.today() + timedelta(days=60),
        }  # fmt: skip
        with session_scope(world.engine) as session:
            return register_deal(session=session, actor=world.partner_a, data=data)

    kept, refused = register("Acme Dental"), register(HOSTILE)
    assert outbox(world.engine) == []
    with session_scope(world.engine) as session:
        approve_deal(session=session, actor=world.vendor, deal_id=kept.id,
                     seen_version=kept.version, protection_days=90)  # fmt: skip
        deny_deal(session=session, actor=world.vendor, deal_id=refused.id,
                  seen_version=refused.version, note="Already in our pipeline")  # fmt: skip
    approved, denied = outbox(world.engine)
    assert {approved.kind, denied.kind} == {"deal_decision"}
    until = (date.today() + timedelta(days=90)).isoformat()
    assert approved.subject == "Cisco approved your deal registration for Acme Dental"
    assert f"Protected until: {until}" in approved.text_body
    assert "Value: $25,000" in approved.text_body
    assert "https://atlas.example/my_programs" in approved.html_body
    assert "denied" in denied.subject and "Already in our pipeline" in denied.text_body
    assert "<img" not in denied.html_body and "\n" not in denied.subject
