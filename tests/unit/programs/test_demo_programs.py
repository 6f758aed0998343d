"""Demo vendor programs: shaped like the channel, deterministic, and visible to the demo vendor."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from core import models as m
from core.db import create_db_engine
from core.demo.accounts import DEMO_VENDOR, create_demo_accounts
from core.demo.generator import seed_demo_directory
from core.programs.listing import list_members
from core.taxonomy import get_taxonomy

TODAY = date(2025, 6, 1)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = create_db_engine(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'p.sqlite'}")
    seed_demo_directory(engine=engine, partners=400, seed=11, today=TODAY, with_activity=False)
    create_demo_accounts(engine=engine)
    yield engine
    engine.dispose()


def _all(engine: Engine, model: type) -> list:  # type: ignore[type-arg]
    with Session(engine) as session:
        return list(session.exec(select(model)).all())


def test_members_mostly_hold_a_current_certification_of_their_vendor(engine: Engine) -> None:
    vendor_of = {k: c.vendor for k, c in get_taxonomy().certifications.items()}
    held = {
        (c.partner_id, vendor_of[c.certification_key])
        for c in _all(engine, m.PartnerCertification)
        if c.status == m.CERT_APPROVED and c.expires_on and c.expires_on >= TODAY
    }
    memberships = _all(engine, m.ProgramMembership)
    backed = sum((ms.partner_id, ms.vendor) in held for ms in memberships)
    assert len(memberships) > 400 and backed / len(memberships) > 0.85


def test_statuses_and_tiers_are_spread_and_valid(engine: Engine) -> None:
    memberships = _all(engine, m.ProgramMembership)
    standings = Counter((ms.status, ms.requested_by) for ms in memberships)
    assert standings[("active", "partner")] > standings[("requested", "partner")] > 0
    assert standings[("requested", "vendor")] > 0 and standings[("ended", "partner")] > 0
    for ms in memberships:
        assert ms.tier is None or ms.tier in get_taxonomy().tiers_of(ms.vendor)
        assert (ms.status == "active") is (ms.since is not None and ms.ended_on is None)
    cisco_tiers = Counter(ms.tier for ms in memberships if ms.vendor == "Cisco" and ms.since)
    assert len(cisco_tiers) >= 3  # spread, not all at the entry tier
    assert cisco_tiers["Registered"] > cisco_tiers["Gold"]


def test_most_partners_share_figures_with_some_of_their_vendors_not_all(engine: Engine) -> None:
    consents = [c for c in _all(engine, m.FiguresConsent) if c.granted]
    members = {ms.partner_id for ms in _all(engine, m.ProgramMembership)}
    sharers = {c.partner_id for c in consents}
    assert len(sharers) / len(members) > 0.5
    pairs = {(ms.partner_id, ms.vendor) for ms in _all(engine, m.ProgramMembership)}
    assert len(consents) < 0.8 * len(pairs)


def test_the_demo_vendor_account_sees_members_of_its_vendor(engine: Engine) -> None:
    with Session(engine) as session:
        account = session.exec(select(m.Account).where(m.Account.username == "cisco")).one()
        viewer = m.AccountPublic.model_validate(account, from_attributes=True)
        members = list_members(session, viewer, DEMO_VENDOR.vendor_name or "", today=TODAY)
    active = [x for x in members if x.status == "active"]
    assert len(active) > 20
    assert any(x.figures_shared for x in active) and not all(x.figures_shared for x in active)
    assert any(x.specializations for x in active)


def test_the_same_seed_gives_the_same_programs(tmp_path: Path, engine: Engine) -> None:
    again = create_db_engine(f"sqlite:///{tmp_path / 'again.sqlite'}")
    seed_demo_directory(engine=again, partners=400, seed=11, today=TODAY, with_activity=False)
    for model in (m.ProgramMembership, m.FiguresConsent):
        assert [r.model_dump() for r in _all(again, model)] == [
            r.model_dump() for r in _all(engine, model)
        ]
    again.dispose()
