"""A partner's "My programs" summary, a vendor's own-certification coverage and recruit
candidates, and ``python -m core benchmark`` against the screen functions, per role."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from core.access import PermissionDenied
from core.analytics.partner_programs import SUMMARY_COLUMNS, partner_program_summary
from core.analytics.program_coverage import own_certification_coverage, recruit_candidates
from core.analytics.program_members import member_scorecard
from core.cli import main
from core.commands.benchmark import frame_records
from core.db import session_scope
from core.models import CERT_APPROVED, PartnerCertification
from core.search.index import build_read_index
from tests.integration.programs.program_results_world import ResultsWorld, build_results_world
from tests.integration.programs.program_world import X, Y, audit_fixture

SOUTH = ("TX", "OK", "AR", "LA")


@pytest.fixture
def world(db_engine: Engine) -> ResultsWorld:
    return build_results_world(db_engine)


def test_partner_sees_its_programs_with_its_own_figures_per_vendor(world: ResultsWorld) -> None:
    for role in ("partner_a", "admin"):
        with Session(world.engine) as session:
            frame = partner_program_summary(
                session=session, viewer=world.roles[role], partner_id=world.a
            )
        assert list(frame.columns) == SUMMARY_COLUMNS
        rows = {r["vendor"]: r for r in frame.to_dict("records")}
        assert rows[X] == {
            "vendor": X, "status": "active", "tier": "Select", "figures_consent": True,
            "leads": 5, "won": 1, "won_value_usd": 10_000.0, "funds_paid_usd": 2_000.0,
            "roi": 5.0,
        }  # fmt: skip
        assert rows[Y] == {
            "vendor": Y, "status": None, "tier": None, "figures_consent": False, "leads": 1,
            "won": 1, "won_value_usd": 80_000.0, "funds_paid_usd": 9_999.0,
            "roi": round(80_000 / 9_999, 2),
        }  # fmt: skip


@pytest.mark.parametrize("role", ["anonymous", "partner_b", "vendor", "vendor_y"])
def test_no_one_else_reads_a_partners_programs(world: ResultsWorld, role: str) -> None:
    with Session(world.engine) as session, pytest.raises(PermissionDenied):
        partner_program_summary(session=session, viewer=world.roles[role], partner_id=world.a)


def _certify(world: ResultsWorld, partner_id: int, key: str) -> None:
    with session_scope(world.engine) as session:
        session.add(
            PartnerCertification(
                partner_id=partner_id, certification_key=key, status=CERT_APPROVED,
                obtained_on=world.now.date() - timedelta(days=100),
                expires_on=world.now.date() + timedelta(days=300),
            )
        )  # fmt: skip
        audit_fixture(session, "certification", partner_id)


def test_coverage_by_own_certifications_next_to_all_vendors(world: ResultsWorld) -> None:
    _certify(world, world.a, "cisco-ccnp-enterprise")  # networking 3, Cisco
    _certify(world, world.stranger, "fortinet-nse4")  # security 2, networking 1
    _certify(world, world.requested, "cisco-ccna")  # networking 2, security 1
    index = build_read_index(world.engine)
    with Session(world.engine) as session:
        frame = own_certification_coverage(
            session=session, viewer=world.vendor, vendor=X, index=index, states=SOUTH
        )
    rows = frame.set_index("area_key")
    assert (
        rows.loc["networking", "any_vendor_evidenced"],
        rows.loc["networking", "own_evidenced"],
    ) == (2, 2)
    assert (
        rows.loc["security", "any_vendor_evidenced"],
        rows.loc["security", "own_evidenced"],
    ) == (1, 0)
    assert rows.loc["security", "own_share"] == 0.0 and rows.loc["networking", "own_share"] == 1.0


def test_recruit_candidates_are_non_members_with_evidence_public_data_only(
    world: ResultsWorld,
) -> None:
    _certify(world, world.a, "cisco-ccnp-enterprise")  # a member: never a candidate
    _certify(world, world.requested, "cisco-ccna")  # already applied: not a candidate
    _certify(world, world.stranger, "cisco-ccna")
    _certify(world, world.ended, "cisco-ccnp-enterprise")  # a former member may be won back
    index = build_read_index(world.engine)
    with Session(world.engine) as session:
        frame = recruit_candidates(
            session=session, viewer=world.vendor, vendor=X, index=index, states=SOUTH,
            area_key="networking",
        )  # fmt: skip
        with pytest.raises(PermissionDenied):
            recruit_candidates(
                session=session, viewer=world.vendor_y, vendor=X, index=index, states=SOUTH,
                area_key="networking",
            )  # fmt: skip
    assert list(frame.columns) == [
        "partner_id",
        "name",
        "hq",
        "evidenced_level",
        "certifications",
        "member",
    ]
    assert frame["partner_id"].tolist() == [world.ended, world.stranger]  # level 3, then 2
    assert frame["certifications"].tolist() == [1, 1]
    assert not frame["member"].any()


@pytest.fixture
def cli(world: ResultsWorld, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", world.engine.url.render_as_string(hide_password=False))

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["benchmark", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_cli_prints_exactly_the_vendors_scorecard(world: ResultsWorld, cli) -> None:
    code, out, _ = cli("--as", "vendor", "--format", "json")
    assert code == 0
    data = json.loads(out)
    with Session(world.engine) as session:
        expected = frame_records(member_scorecard(session=session, viewer=world.vendor, vendor=X))
    assert data["vendor"] == X and data["rows"] == json.loads(json.dumps(expected))
    b = next(r for r in data["rows"] if r["partner_id"] == world.b)
    assert b["revenue_usd"] is None and b["revenue_growth"] is None  # present, null
    assert {r["partner_id"] for r in data["rows"]} == {world.a, world.b}


def test_cli_prints_the_partners_own_summary_and_admins_name_the_vendor(
    world: ResultsWorld, cli
) -> None:
    code, out, _ = cli("--as", "partner1")
    with Session(world.engine) as session:
        own = partner_program_summary(session=session, viewer=world.partner_a, partner_id=world.a)
        admin = member_scorecard(session=session, viewer=world.admin, vendor=X)
    assert code == 0 and json.loads(out)["rows"] == json.loads(json.dumps(frame_records(own)))
    code, out, _ = cli("--as", "admin", "--vendor", X)
    assert code == 0 and json.loads(out)["rows"] == json.loads(json.dumps(frame_records(admin)))
    code, out, _ = cli("--as", "vendor", "--region", "south", "--format", "table")
    assert code == 0 and out.splitlines()[0].startswith("2 rows as vendor")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--as", "admin"), 2, "--vendor"),
        (("--as", "nobody"), 2, "no account 'nobody'"),
        (("--as", "vendor-y", "--vendor", X), 1, "own program"),
        (("--as", "vendor", "--region", "west"), 1, "does not cover"),
        (("--as", "vendor", "--region", "atlantis"), 2, "unknown region"),
        (("--as", "admin", "--vendor", "Cisko"), 2, "unknown vendor"),
    ],
)
def test_cli_refuses_what_the_account_may_not_see(cli, args, code, message) -> None:  # type: ignore[no-untyped-def]
    got, out, err = cli(*args)
    assert (got, out) == (code, "") and message in err


def test_cli_refuses_an_inactive_account(world: ResultsWorld, cli) -> None:  # type: ignore[no-untyped-def]
    from core.accounts.admin import set_account_active

    with session_scope(world.engine) as session:
        set_account_active(
            session=session, actor=world.admin, account_id=world.vendor.id, active=False
        )
    code, out, err = cli("--as", "vendor")
    assert (code, out) == (1, "") and "not active" in err
