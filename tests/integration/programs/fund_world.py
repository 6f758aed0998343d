"""The program world (program_world.py) with one running Cisco campaign, and small readers
of what the fund tests check: the campaign's committed budget and the audit trail."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from core.db import session_scope
from core.models import AccountPublic, AuditEvent, Campaign, CampaignPublic, FundRequestPublic
from core.programs.campaigns import create_campaign
from core.programs.funds import approve_funds, request_funds

BUDGET = 10_000.0


def campaign_data(**overrides: Any) -> dict[str, Any]:
    today = date.today()
    data: dict[str, Any] = {
        "vendor": "Cisco",
        "key": "spring-wifi",
        "name": "Spring Wi-Fi refresh",
        "regions": ["south"],
        "target_needs": ["networking"],
        "target_sizes": ["11-50"],
        "budget_usd": BUDGET,
        "starts_on": today - timedelta(days=10),
        "ends_on": today + timedelta(days=60),
    }
    return {**data, **overrides}


def new_campaign(engine: Engine, actor: AccountPublic, **overrides: Any) -> CampaignPublic:
    with session_scope(engine) as session:
        return create_campaign(session=session, actor=actor, data=campaign_data(**overrides))


def requested(
    engine: Engine, actor: AccountPublic | None, campaign_id: int, partner_id: int, amount: float
) -> FundRequestPublic:
    with session_scope(engine) as session:
        return request_funds(
            session=session, actor=actor, campaign_id=campaign_id, partner_id=partner_id,
            activity="Lunch-and-learn on Wi-Fi 7", amount_usd=amount,
        )  # fmt: skip


def approved(
    engine: Engine, vendor: AccountPublic, fund: FundRequestPublic, amount: float | None = None
) -> FundRequestPublic:
    with session_scope(engine) as session:
        return approve_funds(
            session=session, actor=vendor, fund_id=fund.id, seen_version=fund.version,
            amount_usd=amount,
        )  # fmt: skip


def committed(engine: Engine, campaign_id: int) -> float:
    with Session(engine) as session:
        row = session.get(Campaign, campaign_id)
        assert row is not None
        return row.committed_usd


def events(engine: Engine, entity_type: str) -> list[AuditEvent]:
    with Session(engine) as session:
        rows = session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type)
            .order_by(col(AuditEvent.id))
        ).all()
        return [AuditEvent.model_validate(row.model_dump()) for row in rows]
