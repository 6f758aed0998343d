"""Demo campaigns, funds, campaign leads and deal registrations: consistent, and showing
what the vendor and partner program screens are meant to show."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from core import models as m
from core.db import create_db_engine
from core.demo.accounts import create_demo_accounts
from core.demo.generator import seed_demo_directory
from core.taxonomy import get_taxonomy

TODAY = date(2025, 6, 1)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = create_db_engine(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'c.sqlite'}")
    seed_demo_directory(engine=engine, partners=1500, seed=23, today=TODAY)
    create_demo_accounts(engine=engine)
    yield engine
    engine.dispose()


def _all(engine: Engine, model: type) -> list:  # type: ignore[type-arg]
    with Session(engine) as session:
        return list(session.exec(select(model)).all())


def _active(engine: Engine) -> set[tuple[int, str]]:
    return {
        (ms.partner_id, ms.vendor)
        for ms in _all(engine, m.ProgramMembership)
        if ms.status == m.PROGRAM_ACTIVE
    }


def test_every_vendor_runs_campaigns_and_the_big_ones_run_more(engine: Engine) -> None:
    campaigns = _all(engine, m.Campaign)
    per_vendor = Counter(c.vendor for c in campaigns)
    assert set(per_vendor) == set(get_taxonomy().vendors)
    assert per_vendor["Cisco"] > per_vendor["Zoom"] and per_vendor["Microsoft"] > per_vendor["Jamf"]
    for vendor in ("Cisco", "Microsoft"):
        mine = [c for c in campaigns if c.vendor == vendor]
        assert any(c.ends_on < TODAY for c in mine)
        assert 1 <= sum(c.starts_on <= TODAY <= c.ends_on for c in mine) <= 2
        assert sum(c.starts_on > TODAY for c in mine) == 1
        assert min(c.starts_on for c in mine) < date(2022, 12, 31)  # three years of history
    for c in campaigns:
        m.CampaignCreate.model_validate(c.model_dump())  # valid input, as a vendor would enter
        assert c.created_at.date() < TODAY


def test_funds_are_in_every_state_from_both_sides(engine: Engine) -> None:
    funds = _all(engine, m.FundRequest)
    assert set(Counter(f.status for f in funds)) == set(m.FUND_STATUSES)
    allocated = {f.status for f in funds if f.requested_by == m.SIDE_VENDOR}
    assert m.SIDE_PARTNER in {f.requested_by for f in funds} and allocated
    assert not allocated & {m.FUND_REQUESTED, m.FUND_REJECTED}  # allocations start approved
    for f in funds:
        assert (f.approved_usd is not None) is (f.status in m.FUND_HOLDS_BUDGET)
        assert (f.paid_usd is not None) is (f.status == m.FUND_PAID)
        if f.approved_usd is not None and f.claim_amount_usd is not None:
            assert f.claim_amount_usd <= f.approved_usd
            m.FundClaim(
                description=f.claim_description or "",
                amount_usd=f.claim_amount_usd,
                attachment_name=f.claim_attachment or "",
            )
        stamps = [f.requested_at, f.decided_at, f.claimed_at, f.paid_at]
        present = [s for s in stamps if s is not None]
        assert present == sorted(present) and present[-1].date() <= TODAY


def test_budgets_are_never_exceeded_and_committed_adds_up(engine: Engine) -> None:
    held: dict[int, float] = defaultdict(float)
    for f in _all(engine, m.FundRequest):
        if f.status == m.FUND_PAID:
            held[f.campaign_id] += f.paid_usd or 0.0
        elif f.status in m.FUND_HOLDS_BUDGET:
            held[f.campaign_id] += f.approved_usd or 0.0
    campaigns = _all(engine, m.Campaign)
    for c in campaigns:
        assert c.committed_usd == pytest.approx(held[c.id])
        assert c.committed_usd <= c.budget_usd
    assert any(c.committed_usd > 0.8 * c.budget_usd for c in campaigns)  # some ran out


def test_funds_go_to_active_members_of_the_campaigns_vendor(engine: Engine) -> None:
    vendor_of = {c.id: c.vendor for c in _all(engine, m.Campaign)}
    active = _active(engine)
    for f in _all(engine, m.FundRequest):
        assert f.vendor == vendor_of[f.campaign_id] and (f.partner_id, f.vendor) in active


def test_campaign_leads_name_a_running_campaign_of_a_vendor_the_partner_works_with(
    engine: Engine,
) -> None:
    campaigns = {c.id: c for c in _all(engine, m.Campaign)}
    active = _active(engine)
    leads = _all(engine, m.Lead)
    co_marketing = [ld for ld in leads if ld.source == "co_marketing"]
    assert len(co_marketing) > 100
    for lead in co_marketing:
        campaign = campaigns[lead.campaign_id]
        assert campaign.vendor == lead.vendor_name
        assert campaign.starts_on <= lead.created_at.date() <= campaign.ends_on
        assert lead.company and lead.zip_code and len(lead.zip_code) == 5
    for lead in leads:
        if lead.vendor_name and lead.partner_id is not None:
            assert (lead.partner_id, lead.vendor_name) in active
        if lead.status == "won" and lead.vendor_name:
            m.validate_product_lines(lead.vendor_name, lead.product_lines)
            assert lead.product_lines
        assert lead.campaign_id is None or lead.source == "co_marketing"


def test_some_campaigns_pay_off_and_some_do_not(engine: Engine) -> None:
    sql = """
        SELECT c.id,
          (SELECT COALESCE(SUM(value_usd), 0) FROM lead WHERE campaign_id = c.id
             AND status = 'won') AS won,
          (SELECT COALESCE(SUM(paid_usd), 0) FROM fund_request WHERE campaign_id = c.id
             AND status = 'paid') AS paid
        FROM campaign c"""
    with engine.connect() as connection:
        rows = connection.execute(text(sql)).all()
    returns = [won / paid for _, won, paid in rows if paid]
    assert any(r >= 1 for r in returns) and any(r < 0.5 for r in returns)


def test_unassigned_responses_wait_for_the_demo_vendors(engine: Engine) -> None:
    campaigns = {c.id: c for c in _all(engine, m.Campaign)}
    waiting = [ld for ld in _all(engine, m.Lead) if ld.partner_id is None]
    assert {ld.vendor_name for ld in waiting} == {"Cisco", "Microsoft"}
    for lead in waiting:
        campaign = campaigns[lead.campaign_id]
        assert lead.status == "new" and campaign.vendor == lead.vendor_name
        assert campaign.starts_on <= lead.created_at.date() <= TODAY <= campaign.ends_on


def _protecting(deal: m.DealRegistration) -> bool:
    return deal.status == m.DEAL_APPROVED and (deal.protected_until or TODAY) >= TODAY


def test_deals_are_registered_in_every_status(engine: Engine) -> None:
    deals = _all(engine, m.DealRegistration)
    assert {d.status for d in deals} == set(m.DEAL_STATUSES)
    approved = [d for d in deals if d.status == m.DEAL_APPROVED]
    assert any(_protecting(d) for d in approved) and not all(_protecting(d) for d in approved)
    active = _active(engine)
    for d in deals:
        assert (d.partner_id, d.vendor) in active and d.customer_key == m.customer_key(
            d.customer_company
        )
        m.validate_product_lines(d.vendor, d.product_lines)
        assert (d.status == m.DEAL_APPROVED) is (d.protected_until is not None)


def test_exactly_one_conflict_and_it_is_the_cisco_demo_vendors(engine: Engine) -> None:
    open_deals: dict[tuple[str, str, str], list[m.DealRegistration]] = defaultdict(list)
    for d in _all(engine, m.DealRegistration):
        if d.status == m.DEAL_PENDING or _protecting(d):
            open_deals[(d.vendor, d.customer_key, d.zip_code)].append(d)
    conflicts = [ds for ds in open_deals.values() if len({d.partner_id for d in ds}) > 1]
    assert len(conflicts) == 1
    (pair,) = conflicts
    assert {d.vendor for d in pair} == {"Cisco"}
    assert sorted(d.status for d in pair) == [m.DEAL_APPROVED, m.DEAL_PENDING]
    assert len({d.customer_company for d in pair}) == 2  # spelled differently, same customer


def test_demo_partners_work_with_both_demo_vendors_and_share_with_one(engine: Engine) -> None:
    accounts = {a.username: a for a in _all(engine, m.Account)}
    assert accounts["microsoft"].vendor_name == "Microsoft"
    active = _active(engine)
    consents = {(c.partner_id, c.vendor) for c in _all(engine, m.FiguresConsent) if c.granted}
    for name in ("partner1", "partner2"):
        pid = accounts[name].partner_id
        assert {(pid, "Cisco"), (pid, "Microsoft")} <= active
        assert len({(pid, "Cisco"), (pid, "Microsoft")} & consents) == 1
        assert any(f.partner_id == pid for f in _all(engine, m.FundRequest))


def test_the_same_seed_gives_the_same_campaigns_funds_deals_and_leads(tmp_path: Path) -> None:
    dumps = []
    for name in ("a", "b"):
        engine = create_db_engine(f"sqlite:///{tmp_path / name}.sqlite")
        seed_demo_directory(engine=engine, partners=300, seed=5, today=TODAY)
        with engine.connect() as connection:
            dumps.append(
                {
                    table: connection.execute(text(f"SELECT * FROM {table} ORDER BY id")).all()
                    for table in ("campaign", "fund_request", "deal_registration", "lead")
                }
            )
        engine.dispose()
    assert dumps[0] == dumps[1]
    assert all(dumps[0][t] for t in dumps[0])
