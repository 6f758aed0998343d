"""Co-marketing campaigns in core: the vendor creates and changes its own, its active members
list them; compare-and-swap on the version; the budget never below what funds hold; one
audit event per change. SQLite and PostgreSQL (the `db_engine` fixture)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine

from core.access import PermissionDenied
from core.db import session_scope
from core.programs.campaigns import create_campaign, list_campaigns, update_campaign
from core.programs.rules import ProgramError, StaleVersion
from tests.integration.programs.fund_world import (
    BUDGET,
    approved,
    campaign_data,
    committed,
    events,
    new_campaign,
    requested,
)
from tests.integration.programs.program_world import ProgramWorld, build_program_world


@pytest.fixture
def world(db_engine: Engine) -> ProgramWorld:
    return build_program_world(db_engine)


def test_vendor_creates_a_campaign_with_nothing_committed_yet(world: ProgramWorld) -> None:
    made = new_campaign(world.engine, world.vendor, key="Spring-WiFi ")
    assert (made.vendor, made.key, made.budget_usd, made.committed_usd, made.version) == (
        "Cisco", "spring-wifi", BUDGET, 0.0, 1,
    )  # fmt: skip
    [event] = events(world.engine, "campaign")
    assert (event.action, event.entity_id, event.actor_label) == ("create", str(made.id), "vendor")
    assert event.changes["budget_usd"] == {"before": None, "after": BUDGET}
    assert event.changes["regions"] == {"before": None, "after": ["south"]}


def test_an_administrator_creates_campaigns_for_any_vendor(world: ProgramWorld) -> None:
    made = new_campaign(world.engine, world.admin, vendor="Microsoft", key="azure-days")
    assert made.vendor == "Microsoft"


@pytest.mark.parametrize("who", ["anonymous", "partner_a", "vendor_y"])
def test_nobody_else_creates_a_vendors_campaign(world: ProgramWorld, who: str) -> None:
    with pytest.raises(PermissionDenied), session_scope(world.engine) as s:
        create_campaign(session=s, actor=world.roles[who], data=campaign_data())
    assert events(world.engine, "campaign") == []


def test_a_key_is_used_once_per_vendor(world: ProgramWorld) -> None:
    new_campaign(world.engine, world.vendor)
    with (
        pytest.raises(
            ProgramError, match=r"Cisco already has a campaign with the key 'spring-wifi'"
        ),
        session_scope(world.engine) as s,
    ):
        create_campaign(session=s, actor=world.vendor, data=campaign_data(name="Again"))
    # Another vendor may use the same key.
    assert new_campaign(world.engine, world.vendor_y, vendor="Microsoft").key == "spring-wifi"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"key": "Spring WiFi!"}, "Key must be 2-40 lower-case letters"),
        ({"ends_on": date.today() - timedelta(days=30)}, "The campaign must end on or after"),
        ({"regions": ["atlantis"]}, "Unknown region(s): atlantis."),
        ({"target_sizes": ["huge"]}, "Unknown company size(s): huge."),
        ({"budget_usd": 0}, "Budget (USD): input should be greater than 0."),
        ({"name": None}, "Name: input should be a valid string."),
        ({"vendor": "Cisko"}, "Unknown vendor 'Cisko'"),
    ],
)
def test_invalid_campaigns_are_refused_with_a_sentence_for_the_user(
    world: ProgramWorld, overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ProgramError) as refused, session_scope(world.engine) as s:
        create_campaign(session=s, actor=world.admin, data=campaign_data(**overrides))
    assert str(refused.value).startswith(message)
    assert str(refused.value).endswith(".")


def test_a_missing_field_is_named(world: ProgramWorld) -> None:
    data = campaign_data()
    del data["budget_usd"]
    with (
        pytest.raises(ProgramError, match=r"^Budget \(USD\) is required\.$"),
        session_scope(world.engine) as s,
    ):
        create_campaign(session=s, actor=world.vendor, data=data)


def test_vendor_changes_its_campaign_on_the_version_it_saw(world: ProgramWorld) -> None:
    made = new_campaign(world.engine, world.vendor)
    with session_scope(world.engine) as s:
        changed = update_campaign(
            session=s, actor=world.vendor, campaign_id=made.id, seen_version=1,
            changes={"name": "Summer Wi-Fi", "budget_usd": 12_500, "regions": None},
        )  # fmt: skip
    assert (changed.name, changed.budget_usd, changed.regions, changed.version) == (
        "Summer Wi-Fi", 12_500.0, ["south"], 2,
    )  # fmt: skip
    with (
        pytest.raises(StaleVersion, match=r"This campaign was changed meanwhile"),
        session_scope(world.engine) as s,
    ):
        update_campaign(
                session=s, actor=world.vendor, campaign_id=made.id, seen_version=1,
                changes={"name": "Autumn"},
            )  # fmt: skip
    update = events(world.engine, "campaign")[-1]
    assert update.action == "update"
    assert update.changes == {
        "name": {"before": "Spring Wi-Fi refresh", "after": "Summer Wi-Fi"},
        "budget_usd": {"before": BUDGET, "after": 12_500.0},
    }


def test_a_change_that_changes_nothing_records_nothing(world: ProgramWorld) -> None:
    made = new_campaign(world.engine, world.vendor)
    with session_scope(world.engine) as s:
        same = update_campaign(
            session=s, actor=world.vendor, campaign_id=made.id, seen_version=1,
            changes={"name": made.name},
        )  # fmt: skip
    assert same.version == 1
    assert len(events(world.engine, "campaign")) == 1


def test_the_budget_never_goes_below_what_approved_funds_hold(world: ProgramWorld) -> None:
    made = new_campaign(world.engine, world.vendor)
    fund = requested(world.engine, world.partner_a, made.id, world.a, 6_000)
    approved(world.engine, world.vendor, fund)
    with (
        pytest.raises(
            ProgramError, match=r"The budget cannot go below the \$6,000 that approved funds"
        ),
        session_scope(world.engine) as s,
    ):
        update_campaign(
            session=s, actor=world.vendor, campaign_id=made.id, seen_version=1,
            changes={"budget_usd": 5_999.99},
        )  # fmt: skip
    with session_scope(world.engine) as s:
        exact = update_campaign(
            session=s, actor=world.vendor, campaign_id=made.id, seen_version=1,
            changes={"budget_usd": 6_000},
        )  # fmt: skip
    assert (exact.budget_usd, exact.committed_usd) == (6_000.0, 6_000.0)
    assert committed(world.engine, made.id) == 6_000.0


def test_dates_are_checked_together_with_the_ones_kept(world: ProgramWorld) -> None:
    made = new_campaign(world.engine, world.vendor)
    with (
        pytest.raises(ProgramError, match=r"must end on or after the day it starts"),
        session_scope(world.engine) as s,
    ):
        update_campaign(
            session=s, actor=world.vendor, campaign_id=made.id, seen_version=1,
            changes={"starts_on": made.ends_on + timedelta(days=1)},
        )  # fmt: skip


@pytest.mark.parametrize("who", ["partner_a", "vendor_y"])
def test_only_the_vendor_changes_its_campaign(world: ProgramWorld, who: str) -> None:
    made = new_campaign(world.engine, world.vendor)
    with pytest.raises(PermissionDenied), session_scope(world.engine) as s:
        update_campaign(
            session=s, actor=world.roles[who], campaign_id=made.id, seen_version=1,
            changes={"budget_usd": 1},
        )  # fmt: skip
    assert len(events(world.engine, "campaign")) == 1


def test_the_vendor_its_active_members_and_admins_list_its_campaigns(world: ProgramWorld) -> None:
    older = new_campaign(
        world.engine, world.vendor, key="old",
        starts_on=date.today() - timedelta(days=90), ends_on=date.today() - timedelta(days=1),
    )  # fmt: skip
    newer = new_campaign(world.engine, world.vendor)
    new_campaign(world.engine, world.vendor_y, vendor="Microsoft")
    for who in ("vendor", "admin", "partner_a", "partner_b"):  # A and B: active members
        with session_scope(world.engine) as s:
            shown = list_campaigns(session=s, actor=world.roles[who], vendor="Cisco")
        assert [c.id for c in shown] == [newer.id, older.id], who
    for who in ("vendor_y", "anonymous"):
        with pytest.raises(PermissionDenied), session_scope(world.engine) as s:
            list_campaigns(session=s, actor=world.roles[who], vendor="Cisco")


def test_partners_outside_the_program_do_not_list_its_campaigns(world: ProgramWorld) -> None:
    new_campaign(world.engine, world.vendor)
    with (
        pytest.raises(PermissionDenied, match=r"its own accounts and its active members only"),
        session_scope(world.engine) as s,
    ):
        # Partner A is an active Cisco member, not a Microsoft one.
        list_campaigns(session=s, actor=world.partner_a, vendor="Microsoft")
