"""Market development funds in core: the whole life cycle, every refusal, the campaign budget
held and released, one audit event per change with statuses and amounts. SQLite and
PostgreSQL (the `db_engine` fixture); two approvals at once: test_fund_budget_concurrency."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from core.access import PermissionDenied
from core.db import session_scope
from core.models import FundRequest, FundRequestPublic
from core.programs.answers import accept_invitation, end_membership
from core.programs.funds import (
    allocate_funds,
    approve_funds,
    claim_funds,
    list_funds,
    pay_claim,
    reject_funds,
    request_funds,
    return_claim,
)
from core.programs.listing import list_members
from core.programs.memberships import invite_partner
from core.programs.rules import ProgramError, StaleVersion
from tests.integration.programs.fund_world import (
    approved,
    committed,
    events,
    new_campaign,
    requested,
)
from tests.integration.programs.program_world import ProgramWorld, build_program_world

CLAIM = {
    "description": "Lunch for 40 IT managers",
    "amount_usd": 2_500,
    "attachment_name": "invoice-march.pdf",
}


@pytest.fixture
def world(db_engine: Engine) -> ProgramWorld:
    return build_program_world(db_engine)


@pytest.fixture
def campaign_id(world: ProgramWorld) -> int:
    return new_campaign(world.engine, world.vendor).id


def _claim(world: ProgramWorld, fund: FundRequestPublic, **claim: Any) -> FundRequestPublic:
    with session_scope(world.engine) as s:
        return claim_funds(
            session=s, actor=world.partner_a, fund_id=fund.id, seen_version=fund.version,
            claim={**CLAIM, **claim},
        )  # fmt: skip


def _status(engine: Engine, fund_id: int) -> tuple[str, int]:
    with Session(engine) as session:
        row = session.get(FundRequest, fund_id)
        assert row is not None
        return row.status, row.version


def test_request_approve_claim_return_claim_again_and_pay_less_than_approved(
    world: ProgramWorld, campaign_id: int
) -> None:
    fund = requested(world.engine, world.partner_a, campaign_id, world.a, 4_000)
    assert (fund.status, fund.requested_by, fund.vendor, fund.version) == (
        "requested", "partner", "Cisco", 1,
    )  # fmt: skip
    assert committed(world.engine, campaign_id) == 0.0  # a request holds nothing yet
    fund = approved(world.engine, world.vendor, fund, amount=3_000)
    assert (fund.status, fund.approved_usd) == ("approved", 3_000.0)
    assert committed(world.engine, campaign_id) == 3_000.0
    fund = _claim(world, fund, amount_usd=3_000)
    assert (fund.status, fund.claim_amount_usd, fund.claim_attachment) == (
        "claimed", 3_000.0, "invoice-march.pdf",
    )  # fmt: skip
    with session_scope(world.engine) as s:
        fund = return_claim(
            session=s, actor=world.vendor, fund_id=fund.id, seen_version=fund.version,
            note="The invoice is for February.",
        )  # fmt: skip
    assert (fund.status, fund.decision_note) == ("returned", "The invoice is for February.")
    assert committed(world.engine, campaign_id) == 3_000.0  # returned funds stay held
    fund = _claim(world, fund)  # corrected: 2,500 of the 3,000
    with session_scope(world.engine) as s:
        fund = pay_claim(session=s, actor=world.vendor, fund_id=fund.id, seen_version=fund.version)
    assert (fund.status, fund.paid_usd, fund.version) == ("paid", 2_500.0, 6)
    assert committed(world.engine, campaign_id) == 2_500.0  # the unused 500 went back
    trail = events(world.engine, "fund_request")
    assert [e.action for e in trail] == ["request", "approve", "claim", "return", "claim", "pay"]
    assert all(e.entity_id == str(fund.id) for e in trail)
    approve, pay = trail[1].changes, trail[-1].changes
    assert approve["status"] == {"before": "requested", "after": "approved"}
    assert approve["approved_usd"] == {"before": None, "after": 3_000.0}
    assert approve["campaign_committed_usd"] == {"before": 0.0, "after": 3_000.0}
    assert pay["status"] == {"before": "claimed", "after": "paid"}
    assert pay["paid_usd"] == {"before": None, "after": 2_500.0}
    assert pay["campaign_committed_usd"] == {"before": 3_000.0, "after": 2_500.0}
    assert trail[4].changes["claim_amount_usd"] == {"before": 3_000.0, "after": 2_500.0}


def test_vendor_allocation_is_approved_at_once_and_holds_budget(
    world: ProgramWorld, campaign_id: int
) -> None:
    with session_scope(world.engine) as s:
        fund = allocate_funds(
            session=s, actor=world.vendor, campaign_id=campaign_id, partner_id=world.b,
            activity="Webinar series", amount_usd=1_234.567,
        )  # fmt: skip
    assert (fund.status, fund.requested_by, fund.amount_usd, fund.approved_usd) == (
        "approved", "vendor", 1_234.57, 1_234.57,
    )  # fmt: skip
    assert committed(world.engine, campaign_id) == 1_234.57
    [event] = events(world.engine, "fund_request")
    assert event.action == "allocate"
    assert event.changes["campaign_committed_usd"] == {"before": 0.0, "after": 1_234.57}
    assert len(events(world.engine, "campaign")) == 1  # only its creation: no event of its own


def test_rejecting_approved_funds_gives_their_budget_back(
    world: ProgramWorld, campaign_id: int
) -> None:
    plain = requested(world.engine, world.partner_a, campaign_id, world.a, 1_000)
    held = requested(world.engine, world.partner_a, campaign_id, world.a, 2_000)
    held = approved(world.engine, world.vendor, held)
    with pytest.raises(ProgramError, match=r"^Say why in a note"), session_scope(world.engine) as s:
        reject_funds(session=s, actor=world.vendor, fund_id=plain.id, seen_version=1, note=" ")
    with session_scope(world.engine) as s:
        plain = reject_funds(
            session=s, actor=world.vendor, fund_id=plain.id, seen_version=1, note="Not in plan."
        )
        held = reject_funds(
            session=s, actor=world.admin, fund_id=held.id, seen_version=held.version,
            note="The event was cancelled.",
        )  # fmt: skip
    assert (plain.status, held.status, held.decision_note) == (
        "rejected", "rejected", "The event was cancelled.",
    )  # fmt: skip
    assert committed(world.engine, campaign_id) == 0.0
    last = events(world.engine, "fund_request")[-1]
    assert last.changes["campaign_committed_usd"] == {"before": 2_000.0, "after": 0.0}
    with (
        pytest.raises(ProgramError, match=r"A fund request that is rejected cannot be approved."),
        session_scope(world.engine) as s,
    ):
        approve_funds(session=s, actor=world.vendor, fund_id=held.id, seen_version=held.version)


def test_approvals_beyond_the_budget_are_refused_with_what_is_left(
    world: ProgramWorld, campaign_id: int
) -> None:
    first = requested(world.engine, world.partner_a, campaign_id, world.a, 7_000)
    second = requested(world.engine, world.partner_b, campaign_id, world.b, 4_000)
    approved(world.engine, world.vendor, first)
    with (
        pytest.raises(
            ProgramError,
            match=r"^Approving \$4,000 would exceed the campaign budget: \$3,000 of \$10,000 left\.$",  # noqa: E501
        ),
        session_scope(world.engine) as s,
    ):
        approve_funds(session=s, actor=world.vendor, fund_id=second.id, seen_version=1)
    assert _status(world.engine, second.id) == ("requested", 1)  # the fund did not move either
    with (
        pytest.raises(ProgramError, match=r"^Allocating \$3,000.01 would exceed"),
        session_scope(world.engine) as s,
    ):
        allocate_funds(
                session=s, actor=world.vendor, campaign_id=campaign_id, partner_id=world.b,
                activity="Trade show", amount_usd=3_000.01,
            )  # fmt: skip
    # Exactly what is left fits; the approval for less is the way through.
    approved(world.engine, world.vendor, second, amount=3_000)
    assert committed(world.engine, campaign_id) == 10_000.0
    assert [e.action for e in events(world.engine, "fund_request")] == [
        "request", "request", "approve", "approve",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (4_000.01, r"^You can approve at most the \$4,000 requested\.$"),
        (0, r"^Approve an amount above zero, or reject the request\.$"),
    ],
)
def test_an_approval_is_for_at_most_what_was_asked(
    world: ProgramWorld, campaign_id: int, amount: float, message: str
) -> None:
    fund = requested(world.engine, world.partner_a, campaign_id, world.a, 4_000)
    with pytest.raises(ProgramError, match=message):
        approved(world.engine, world.vendor, fund, amount=amount)


@pytest.mark.parametrize(
    ("claim", "message"),
    [
        (
            {"amount_usd": 3_000.01},
            r"^The claim of \$3,000.01 is more than the \$3,000 approved\.$",
        ),
        ({"attachment_name": "../etc/passwd"}, r"^Attachment must be a file name such as"),
        ({"attachment_name": "invoice"}, r"^Attachment must be a file name such as"),
        ({"description": "x"}, r"^What was done: string should have at least 3 characters\.$"),
        ({"amount_usd": -5}, r"^Amount \(USD\): input should be greater than 0\.$"),
    ],
)
def test_bad_claims_are_refused_and_change_nothing(
    world: ProgramWorld, campaign_id: int, claim: dict[str, Any], message: str
) -> None:
    fund = requested(world.engine, world.partner_a, campaign_id, world.a, 3_000)
    fund = approved(world.engine, world.vendor, fund)
    with pytest.raises(ProgramError, match=message):
        _claim(world, fund, **claim)
    assert _status(world.engine, fund.id) == ("approved", 2)


def test_only_approved_or_returned_funds_are_claimed_and_only_claims_paid(
    world: ProgramWorld, campaign_id: int
) -> None:
    fund = requested(world.engine, world.partner_a, campaign_id, world.a, 3_000)
    with pytest.raises(ProgramError, match=r"A fund request that is requested cannot be claimed."):
        _claim(world, fund)
    fund = approved(world.engine, world.vendor, fund)
    with (
        pytest.raises(ProgramError, match=r"A fund request that is approved cannot be paid."),
        session_scope(world.engine) as s,
    ):
        pay_claim(session=s, actor=world.vendor, fund_id=fund.id, seen_version=fund.version)


@pytest.mark.parametrize("who", ["partner_a", "vendor_y", "anonymous"])
def test_only_the_vendor_approves_rejects_pays_and_returns(
    world: ProgramWorld, campaign_id: int, who: str
) -> None:
    fund = requested(world.engine, world.partner_a, campaign_id, world.a, 3_000)
    actor = world.roles[who]
    for step, extra in (
        (approve_funds, {}),
        (reject_funds, {"note": "no"}),
        (pay_claim, {}),
        (return_claim, {"note": "no"}),
    ):
        with pytest.raises(PermissionDenied), session_scope(world.engine) as s:
            step(session=s, actor=actor, fund_id=fund.id, seen_version=1, **extra)
    with pytest.raises(PermissionDenied), session_scope(world.engine) as s:
        allocate_funds(
            session=s, actor=actor, campaign_id=campaign_id, partner_id=world.a,
            activity="Webinar", amount_usd=100,
        )  # fmt: skip
    assert _status(world.engine, fund.id) == ("requested", 1)
    assert len(events(world.engine, "fund_request")) == 1


@pytest.mark.parametrize("who", ["partner_b", "vendor", "vendor_y"])
def test_only_the_partner_requests_and_claims_its_funds(
    world: ProgramWorld, campaign_id: int, who: str
) -> None:
    with pytest.raises(PermissionDenied, match=r"Only the partner's own accounts may"):
        requested(world.engine, world.roles[who], campaign_id, world.a, 100)
    fund = requested(world.engine, world.admin, campaign_id, world.a, 100)
    fund = approved(world.engine, world.vendor, fund)
    with pytest.raises(PermissionDenied), session_scope(world.engine) as s:
        claim_funds(
            session=s, actor=world.roles[who], fund_id=fund.id, seen_version=fund.version,
            claim=CLAIM,
        )  # fmt: skip
    assert _status(world.engine, fund.id) == ("approved", 2)


def test_other_vendors_are_told_whose_funds_these_are(
    world: ProgramWorld, campaign_id: int
) -> None:
    fund = requested(world.engine, world.partner_a, campaign_id, world.a, 100)
    with (
        pytest.raises(
            PermissionDenied, match=r"^Only Cisco's own accounts may approve its funds.$"
        ),
        session_scope(world.engine) as s,
    ):
        approve_funds(session=s, actor=world.vendor_y, fund_id=fund.id, seen_version=1)


@pytest.mark.parametrize("situation", ["requested", "invited", "ended", "non_member"])
def test_only_active_members_get_funds(
    world: ProgramWorld, campaign_id: int, situation: str
) -> None:
    partner_id = world.by_situation[situation]
    for step in (request_funds, allocate_funds):
        with (
            pytest.raises(ProgramError, match=r"is not an active member of Cisco's program; only"),
            session_scope(world.engine) as s,
        ):
            step(
                session=s, actor=world.admin, campaign_id=campaign_id, partner_id=partner_id,
                activity="Webinar", amount_usd=100,
            )  # fmt: skip
    assert events(world.engine, "fund_request") == []


def test_a_member_that_left_since_its_request_is_not_approved(
    world: ProgramWorld, campaign_id: int
) -> None:
    fund = requested(world.engine, world.partner_b, campaign_id, world.b, 100)
    with session_scope(world.engine) as s:
        [member] = [m for m in list_members(s, world.vendor, "Cisco") if m.partner_id == world.b]
        end_membership(
            session=s, actor=world.partner_b, membership_id=member.membership_id,
            seen_version=member.version,
        )  # fmt: skip
    with pytest.raises(ProgramError, match=r"Beta IT is not an active member of Cisco's program"):
        approved(world.engine, world.vendor, fund)


def test_an_ended_campaign_takes_no_new_requests_and_says_so(world: ProgramWorld) -> None:
    yesterday = date.today() - timedelta(days=1)
    ended = new_campaign(
        world.engine, world.vendor, key="winter", name="Winter promo",
        starts_on=yesterday - timedelta(days=30), ends_on=yesterday,
    )  # fmt: skip
    with pytest.raises(
        ProgramError,
        match=rf"^The campaign 'Winter promo' ended on {yesterday.isoformat()}; it takes no new",
    ):
        requested(world.engine, world.partner_a, ended.id, world.a, 100)


def test_a_stale_version_is_refused_and_changes_nothing(
    world: ProgramWorld, campaign_id: int
) -> None:
    fund = requested(world.engine, world.partner_a, campaign_id, world.a, 1_000)
    approved(world.engine, world.vendor, fund, amount=500)
    # A second vendor user still looks at the request (version 1).
    with pytest.raises(StaleVersion, match=r"^This fund request was changed meanwhile. Reload"):
        approved(world.engine, world.vendor, fund)
    with pytest.raises(StaleVersion), session_scope(world.engine) as s:
        reject_funds(session=s, actor=world.vendor, fund_id=fund.id, seen_version=1, note="No.")
    assert _status(world.engine, fund.id) == ("approved", 2)
    assert committed(world.engine, campaign_id) == 500.0
    assert len(events(world.engine, "fund_request")) == 2


def test_unknown_campaigns_and_funds_and_bad_requests_are_named(
    world: ProgramWorld, campaign_id: int
) -> None:
    with pytest.raises(ProgramError, match=r"^There is no such campaign.$"):
        requested(world.engine, world.partner_a, 9_999, world.a, 100)
    with (
        pytest.raises(ProgramError, match=r"^There is no such fund request.$"),
        session_scope(world.engine) as s,
    ):
        approve_funds(session=s, actor=world.vendor, fund_id=9_999, seen_version=1)
    with pytest.raises(ProgramError, match=r"^Amount \(USD\): input should be greater than 0\.$"):
        requested(world.engine, world.partner_a, campaign_id, world.a, 0)
    with (
        pytest.raises(ProgramError, match=r"^Activity: string should have at least 3 characters"),
        session_scope(world.engine) as s,
    ):
        request_funds(
                session=s, actor=world.partner_a, campaign_id=campaign_id, partner_id=world.a,
                activity=" x ", amount_usd=100,
            )  # fmt: skip


def test_each_side_lists_its_own_funds_and_admins_all(
    world: ProgramWorld, campaign_id: int
) -> None:
    a = requested(world.engine, world.partner_a, campaign_id, world.a, 100)
    b = requested(world.engine, world.partner_b, campaign_id, world.b, 200)
    other = new_campaign(world.engine, world.vendor_y, vendor="Microsoft", key="azure")
    with session_scope(world.engine) as s:  # partner A joins Microsoft's program too
        m = invite_partner(session=s, actor=world.vendor_y, partner_id=world.a, vendor="Microsoft")
        accept_invitation(session=s, actor=world.partner_a, membership_id=m.id, seen_version=1)
    ms = requested(world.engine, world.partner_a, other.id, world.a, 300)

    def ids(actor: str, **filters: Any) -> list[int]:
        with session_scope(world.engine) as s:
            return [f.id for f in list_funds(session=s, actor=world.roles[actor], **filters)]

    assert ids("admin") == [ms.id, b.id, a.id]
    assert ids("admin", vendor="Cisco", partner_id=world.b) == [b.id]
    assert ids("vendor") == [b.id, a.id]
    assert ids("vendor", campaign_id=campaign_id, partner_id=world.a) == [a.id]
    assert ids("vendor_y") == [ms.id]
    assert ids("partner_a") == [ms.id, a.id]
    assert ids("partner_a", vendor="Cisco") == [a.id]
    assert ids("partner_b") == [b.id]
    for actor, filters in (
        ("vendor", {"vendor": "Microsoft"}),
        ("partner_b", {"partner_id": world.a}),
        ("anonymous", {}),
    ):
        with pytest.raises(PermissionDenied), session_scope(world.engine) as s:
            list_funds(session=s, actor=world.roles[actor], **filters)
