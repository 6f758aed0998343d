"""The demo generator: deterministic, and shaped like the real channel."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlmodel import Session

from core import models as m
from core.db import create_db_engine, read_data_version
from core.demo.generator import SeedSummary, seed_demo_directory
from core.evidence import HeldCertification, evidenced_levels
from core.geo.zip_data import zip_places
from core.taxonomy import get_taxonomy

TODAY = date(2025, 6, 1)
TABLES = (
    "partner",
    "partner_location",
    "partner_competency",
    "partner_certification",
    "lead",
    "lead_status_change",
    "partner_year_figures",
    "search_event",
    "program_membership",
    "figures_consent",
    "campaign",
    "fund_request",
    "deal_registration",
)


def _engine(path: Path) -> Engine:
    return create_db_engine(f"sqlite:///{path}")


def _dump(engine: Engine, table: str) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY 1"))]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, SeedSummary]:
    engine = _engine(tmp_path_factory.mktemp("demo") / "demo.sqlite")
    summary = seed_demo_directory(engine=engine, partners=500, seed=7, today=TODAY)
    yield engine, summary
    engine.dispose()


def test_same_seed_gives_identical_directory(tmp_path: Path) -> None:
    first, second = _engine(tmp_path / "a.sqlite"), _engine(tmp_path / "b.sqlite")
    for engine in (first, second):
        seed_demo_directory(engine=engine, partners=120, seed=3, today=TODAY)
    for table in TABLES:
        assert _dump(first, table) == _dump(second, table), table


def test_partners_are_the_same_with_or_without_activity(tmp_path: Path) -> None:
    busy, quiet = _engine(tmp_path / "a.sqlite"), _engine(tmp_path / "b.sqlite")
    seed_demo_directory(engine=busy, partners=60, seed=5, today=TODAY)
    seed_demo_directory(engine=quiet, partners=60, seed=5, today=TODAY, with_activity=False)
    assert _dump(busy, "partner") == _dump(quiet, "partner")
    assert _dump(quiet, "lead") == []


def test_another_seed_gives_another_directory(tmp_path: Path) -> None:
    first, second = _engine(tmp_path / "a.sqlite"), _engine(tmp_path / "b.sqlite")
    seed_demo_directory(engine=first, partners=40, seed=1, today=TODAY, with_activity=False)
    seed_demo_directory(engine=second, partners=40, seed=2, today=TODAY, with_activity=False)
    assert _dump(first, "partner") != _dump(second, "partner")


def test_summary_counts_match_the_database(seeded: tuple[Engine, SeedSummary]) -> None:
    engine, summary = seeded
    assert summary.partners == len(_dump(engine, "partner")) == 500
    assert summary.locations == len(_dump(engine, "partner_location"))
    assert summary.certifications == len(_dump(engine, "partner_certification"))
    assert summary.leads == len(_dump(engine, "lead")) > 0
    with Session(engine) as session:
        # One chunk, one unit of work: bumped once; then once more by the responsiveness
        # summary the seed computes (search reads it).
        assert read_data_version(session) == 2


def test_most_partners_are_expert_in_one_to_three_technology_domains(seeded) -> None:
    engine, _ = seeded
    technology = set(get_taxonomy().technology_keys)
    experts: dict[int, int] = defaultdict(int)
    levels_per_partner: dict[int, int] = defaultdict(int)
    with Session(engine) as session:
        for row in session.execute(select(m.PartnerCompetency)).scalars():
            levels_per_partner[row.partner_id] += 1
            if row.area_key in technology and row.claimed_level == 3:
                experts[row.partner_id] += 1
    one_to_three = sum(1 for pid in range(1, 501) if 1 <= experts[pid] <= 3)
    assert 0.8 <= one_to_three / 500 <= 0.99
    # Nobody is strong in everything: most areas are left at level 0.
    assert max(levels_per_partner.values()) < len(get_taxonomy().area_keys)


def test_some_partners_over_claim_and_most_claims_are_evidenced(seeded) -> None:
    engine, _ = seeded
    taxonomy = get_taxonomy()
    certifiable = {a for c in taxonomy.certifications.values() for a in c.evidences}
    claims: dict[int, dict[str, int]] = defaultdict(dict)
    held: dict[int, list[HeldCertification]] = defaultdict(list)
    with Session(engine) as session:
        for c in session.execute(select(m.PartnerCompetency)).scalars():
            claims[c.partner_id][c.area_key] = c.claimed_level
        for c in session.execute(select(m.PartnerCertification)).scalars():
            held[c.partner_id].append(
                HeldCertification(c.certification_key, c.expires_on, c.status)
            )
    over = 0
    for pid in range(1, 501):
        evidence = evidenced_levels(held[pid], today=TODAY)
        strong = [a for a, lv in claims[pid].items() if lv >= 2 and a in certifiable]
        over += any(evidence.get(a, 0) == 0 for a in strong)
    assert 0.05 <= over / 500 <= 0.3


def test_certifications_come_from_the_catalogue_with_pending_and_expired_ones(seeded) -> None:
    engine, _ = seeded
    with Session(engine) as session:
        certs = session.execute(select(m.PartnerCertification)).scalars().all()
    assert {c.certification_key for c in certs} <= set(get_taxonomy().certifications)
    assert any(c.status == m.CERT_PENDING for c in certs)
    assert any(c.expires_on is not None and c.expires_on < TODAY for c in certs)
    assert all(c.expires_on is None or c.expires_on > c.obtained_on for c in certs)
    assert all(c.obtained_on <= TODAY for c in certs)


def test_business_services_are_often_delivered_through_a_named_ally(seeded) -> None:
    engine, _ = seeded
    services = set(get_taxonomy().service_keys)
    with Session(engine) as session:
        rows = session.execute(select(m.PartnerCompetency)).scalars().all()
    with_ally = [r for r in rows if r.ally_name]
    assert with_ally and {r.area_key for r in with_ally} <= services
    for service in services:
        offering = {r.partner_id for r in rows if r.area_key == service}
        assert 0.1 <= len(offering) / 500 <= 0.4, service


def test_every_location_is_a_real_zip_code(seeded) -> None:
    engine, _ = seeded
    real = zip_places().set_index("zip_code")
    with Session(engine) as session:
        locations = session.execute(select(m.PartnerLocation)).scalars().all()
    for loc in locations:
        assert loc.zip_code in real.index
        assert real.loc[loc.zip_code, "state"] == loc.state
    headquarters = [loc.partner_id for loc in locations if loc.is_headquarters]
    assert sorted(headquarters) == list(range(1, 501))  # exactly one each


def test_generated_profiles_pass_partner_validation(seeded) -> None:
    engine, _ = seeded
    with Session(engine) as session:
        partners = session.execute(select(m.Partner).limit(100)).scalars().all()
        for p in partners:
            m.PartnerCreate.model_validate(p.model_dump(include=set(m.PartnerCreate.model_fields)))
    with engine.connect() as connection:
        count, distinct = connection.execute(
            text("SELECT COUNT(*), COUNT(DISTINCT name) FROM partner")
        ).one()
    assert count == distinct == 500


def test_lead_histories_follow_the_life_cycle(seeded) -> None:
    engine, _ = seeded
    now = datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=UTC)
    with Session(engine) as session:
        leads = {lead.id: lead for lead in session.execute(select(m.Lead)).scalars()}
        history: dict[int, list[m.LeadStatusChange]] = defaultdict(list)
        for change in session.execute(
            select(m.LeadStatusChange).order_by(m.LeadStatusChange.id)
        ).scalars():
            history[change.lead_id].append(change)
    assert {lead.status for lead in leads.values()} >= {"new", "engaged", "won", "lost"}
    assert {lead.source for lead in leads.values()} >= {"directory", "co_marketing"}
    for lead_id, lead in leads.items():
        steps = history[lead_id]
        assert (steps[0].from_status, steps[0].to_status) == (None, "new")
        assert steps[0].changed_at == lead.created_at
        for before, after in pairwise(steps):
            assert after.from_status == before.to_status
            assert after.to_status in m.LEAD_TRANSITIONS[before.to_status]
            assert before.changed_at <= after.changed_at <= now
        assert steps[-1].to_status == lead.status
        assert lead.updated_at == steps[-1].changed_at
        assert (lead.value_usd is not None) == (lead.status == "won")
        assert (lead.lost_reason is not None) == (lead.status == "lost")
        assert (lead.vendor_name is not None) == (
            lead.source in ("co_marketing", "vendor_referral")
        )


def test_yearly_figures_and_unmet_demand_exist(seeded) -> None:
    engine, _ = seeded
    with Session(engine) as session:
        figures = session.execute(select(m.PartnerYearFigures)).scalars().all()
        searches = session.execute(select(m.SearchEvent)).scalars().all()
    assert {f.year for f in figures} == {TODAY.year - 3, TODAY.year - 2, TODAY.year - 1}
    assert any(f.comarketing_funds_usd > 0 for f in figures)
    assert 1000 <= len(searches) <= 6000
    assert any(s.result_count <= 2 for s in searches)
    assert any(s.result_count > 2 for s in searches)


def test_seeding_a_non_empty_directory_is_refused_unless_replacing(tmp_path: Path) -> None:
    engine = _engine(tmp_path / "a.sqlite")
    seed_demo_directory(engine=engine, partners=10, today=TODAY, with_activity=False)
    with pytest.raises(ValueError, match="already has partners"):
        seed_demo_directory(engine=engine, partners=10, today=TODAY)
    summary = seed_demo_directory(engine=engine, partners=12, today=TODAY, replace=True)
    assert summary.partners == len(_dump(engine, "partner")) == 12


def test_progress_is_reported_up_to_done(tmp_path: Path) -> None:
    calls: list[tuple[float, str]] = []
    seed_demo_directory(
        engine=_engine(tmp_path / "a.sqlite"),
        partners=5,
        today=TODAY,
        with_activity=False,
        progress=lambda fraction, message: calls.append((fraction, message)),
    )
    assert calls and calls[-1][0] == 1.0
    assert [f for f, _ in calls] == sorted(f for f, _ in calls)


def test_seed_computes_responsiveness_so_profiles_show_it_at_once(
    seeded: tuple[Engine, SeedSummary],
) -> None:
    engine, _ = seeded
    with Session(engine) as session:
        rows = session.execute(select(m.PartnerResponsiveness)).scalars().all()
    shown = [r for r in rows if r.leads >= 5]
    assert shown, "no demo partner has 5 leads in 12 months"
    assert all(r.answered <= r.leads and r.within_two_business_days <= r.answered for r in rows)
    assert any(r.median_response_hours is not None for r in shown)
