"""The profile editor in core: validation, saving, optimistic concurrency.

Runs on SQLite and on PostgreSQL (the `db_engine` fixture is parametrised over both).
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from core.db import read_data_version, session_scope
from core.directory import profiles
from core.directory.profile_fields import ProfileValidationError, parse_profile_form
from core.directory.profiles import ProfileConflict, load_profile_for_edit, save_profile
from core.models import (
    AccountPublic,
    AuditEvent,
    LocationInput,
    Partner,
    PartnerUpdate,
)
from tests.integration.worlds import World, build_profile_world

HOSTILE = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)"> & "quotes" \'single\'',
    "back\\slash \\n not a newline `tick` ${template}",
    "**bold** _it_ [link](javascript:alert(1)) # heading",
    "Ünïcödé — 日本語 — العربية — עברית — Ελληνικά — 🚀",
]


@pytest.fixture
def world(db_engine: Engine) -> World:
    return build_profile_world(db_engine)


def load(world: World, actor: AccountPublic | None = None, partner_id: int | None = None):  # type: ignore[no-untyped-def]
    with session_scope(world.engine) as session:
        return load_profile_for_edit(
            session=session, actor=actor or world.partner_a, partner_id=partner_id or world.a
        )


def save(world: World, expected_version: int, changes: PartnerUpdate, **kwargs):  # type: ignore[no-untyped-def]
    with session_scope(world.engine) as session:
        return save_profile(
            session=session,
            actor=kwargs.pop("actor", world.partner_a),
            partner_id=kwargs.pop("partner_id", world.a),
            expected_version=expected_version,
            changes=changes,
            **kwargs,
        )


def form(**overrides: object) -> dict:
    values = {
        "name": "Alpha Networks",
        "description": "Original description",
        "website": "",
        "email": "",
        "phone": "",
        "service_radius_km": None,
        "states_served": [],
        "segments": [],
        "locations": "78701",
        "competencies": {"networking": 2},
        "allies": {},
    }
    return values | overrides


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("website", "javascript:alert(1)"),
        ("website", "ftp://example.com"),
        ("website", "https://exa mple.com"),
        ("email", "not-an-email"),
        ("phone", "call me <b>maybe</b>"),
        ("locations", "00000"),
        ("locations", "7870"),
        ("locations", ""),
        ("locations", "\n".join(str(10001 + i) for i in range(30))),
        ("competencies", {"networking": 5}),
        ("competencies", {"networking": -1}),
        ("competencies", {"astrology": 2}),
        ("allies", {"networking": "Not a business service"}),
        ("allies", {"financing": "x" * 121}),
        ("description", "x" * 2001),
        ("name", "x" * 121),
        ("name", "x"),
        ("service_radius_km", 6000.0),
        ("states_served", ["XX"]),
        ("segments", ["huge"]),
    ],
)
def test_form_rejects_bad_input_with_a_message_for_that_field(field: str, value: object) -> None:
    with pytest.raises(ProfileValidationError) as exc:
        parse_profile_form(form(**{field: value}))
    assert list(exc.value.errors) == [field]
    assert all(message.strip() for message in exc.value.errors[field])


def test_form_reports_every_bad_field_at_once() -> None:
    with pytest.raises(ProfileValidationError) as exc:
        parse_profile_form(form(website="javascript:x", locations="00000", email="nope"))
    assert set(exc.value.errors) == {"website", "locations", "email"}


def test_save_rejects_an_unknown_zip_even_without_the_form(world: World) -> None:
    profile = load(world)
    with pytest.raises(ProfileValidationError) as exc:
        save(world, profile.version, PartnerUpdate(locations=[LocationInput(zip_code="00000")]))
    assert "locations" in exc.value.errors
    assert load(world).version == profile.version


# --- saving ------------------------------------------------------------------------------------


def test_save_updates_fields_version_freshness_data_version_and_audit(world: World) -> None:
    profile = load(world)
    with Session(world.engine) as session:
        data_version = read_data_version(session)
    changes = parse_profile_form(
        form(
            description="We fix networks.",
            website="https://alpha.example",
            locations="78702\n78701",
            competencies={"networking": 3, "security": 1},
            allies={"financing": "Lease Co"},
            states_served=["tx", "OK"],
        )
    )
    result = save(world, profile.version, changes, loaded=profile)
    assert result.version == profile.version + 1
    assert set(result.changes) == {
        "description",
        "website",
        "locations",
        "competencies",
        "allies",
        "states_served",
    }
    after = load(world)
    assert after.version == result.version
    assert after.values["description"] == "We fix networks."
    assert after.values["locations"] == [
        {"zip_code": "78702", "is_headquarters": True},
        {"zip_code": "78701", "is_headquarters": False},
    ]
    assert after.values["competencies"] == {"networking": 3, "security": 1}
    assert after.values["allies"] == {"financing": "Lease Co"}
    assert after.values["states_served"] == ["OK", "TX"]
    assert after.updated_at > profile.updated_at
    assert after.confirmed_at is not None  # the partner confirmed it
    assert after.verified_at is None  # nobody verified it: issue 13
    with Session(world.engine) as session:
        assert read_data_version(session) > data_version
        event = session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "partner", AuditEvent.action == "update")
            .order_by(AuditEvent.id.desc())  # type: ignore[union-attr]
        ).first()
    assert event is not None and event.actor_label == "partner1"
    assert event.changes["description"] == {
        "before": "Original description",
        "after": "We fix networks.",
    }
    assert "name" not in event.changes  # only changed fields are stored


def test_saving_without_changes_confirms_the_profile_without_a_new_version(world: World) -> None:
    profile = load(world)
    result = save(world, profile.version, parse_profile_form(form()), loaded=profile)
    assert result.changes == {}
    after = load(world)
    assert after.version == profile.version
    assert after.updated_at == profile.updated_at
    assert after.confirmed_at is not None and after.verified_at is None


def test_optional_fields_can_be_cleared(world: World) -> None:
    profile = load(world)
    save(world, profile.version, parse_profile_form(form(website="https://a.example")))
    profile = load(world)
    save(world, profile.version, parse_profile_form(form(website="")))
    assert load(world).values["website"] is None


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_stored_and_returned_exactly(world: World, text: str) -> None:
    profile = load(world)
    description = (text + " ") * (1990 // (len(text) + 1))
    changes = parse_profile_form(
        form(name=text[:120], description=description, allies={"insurance": text[:120]})
    )
    save(world, profile.version, changes)
    after = load(world).values
    assert after["name"] == text[:120].strip()
    assert after["description"] == description.strip()
    assert after["allies"] == {"insurance": text[:120].strip()}


# --- two editors -------------------------------------------------------------------------------


def test_second_editor_is_told_what_changed_and_nothing_is_overwritten(world: World) -> None:
    first = load(world)
    second = load(world)
    save(world, first.version, parse_profile_form(form(description="First editor's text")))
    with pytest.raises(ProfileConflict) as exc:
        save(
            world,
            second.version,
            parse_profile_form(form(phone="+1 512 555 0100")),
            loaded=second,
        )
    conflict = exc.value
    assert [d.field for d in conflict.differences] == ["description"]
    diff = conflict.differences[0]
    assert diff.loaded == "Original description"
    assert diff.current == "First editor's text"
    assert diff.yours == "Original description"
    stored = load(world)
    assert stored.values["description"] == "First editor's text"
    assert stored.values["phone"] is None  # the second save wrote nothing
    assert conflict.current.version == stored.version
    # Reloaded, the second editor saves its own change on top of the first one's.
    save(
        world,
        conflict.current.version,
        parse_profile_form(form(description="First editor's text", phone="+1 512 555 0100")),
    )
    final = load(world).values
    assert final["description"] == "First editor's text"
    assert final["phone"] == "+1 512 555 0100"


def test_conflict_without_loaded_values_lists_fields_that_differ_from_yours(world: World) -> None:
    profile = load(world)
    save(world, profile.version, parse_profile_form(form(description="Newer")))
    with pytest.raises(ProfileConflict) as exc:
        save(world, profile.version, PartnerUpdate(description="Mine"))
    assert [(d.field, d.yours, d.current) for d in exc.value.differences] == [
        ("description", "Mine", "Newer")
    ]


def test_compare_and_swap_catches_a_save_between_read_and_write(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = load(world)
    original = profiles._check_locations
    interleaved = []

    def save_meanwhile(locations):  # type: ignore[no-untyped-def]
        if not interleaved:
            interleaved.append(True)
            save(world, profile.version, PartnerUpdate(description="Got there first"))
        return original(locations)

    monkeypatch.setattr(profiles, "_check_locations", save_meanwhile)
    with pytest.raises(ProfileConflict) as exc:
        save(world, profile.version, PartnerUpdate(phone="+1 512 555 0100"), loaded=profile)
    assert [d.field for d in exc.value.differences] == ["description"]
    stored = load(world).values
    assert stored["description"] == "Got there first"
    assert stored["phone"] is None


def test_profile_of_a_missing_partner_is_a_clear_error(world: World) -> None:
    with pytest.raises(LookupError):
        load(world, actor=world.admin, partner_id=99999)
    with Session(world.engine) as session:
        assert session.get(Partner, world.a) is not None
