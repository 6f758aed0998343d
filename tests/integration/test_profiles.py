"""The profile editor in core: validation, saving, optimistic concurrency, certifications.

Runs on SQLite and on PostgreSQL (the `db_engine` fixture is parametrised over both).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from core import profiles
from core.access import PermissionDenied
from core.accounts import create_account
from core.db import read_data_version, session_scope
from core.models import (
    CERT_APPROVED,
    CERT_PENDING,
    AccountPublic,
    AuditEvent,
    CertificationInput,
    LocationInput,
    Partner,
    PartnerCertification,
    PartnerCreate,
    PartnerUpdate,
)
from core.profiles import (
    CertificationError,
    ProfileConflict,
    ProfileValidationError,
    load_profile_for_edit,
    parse_profile_form,
    review_certification,
    save_profile,
    submit_certification,
    withdraw_certification,
)
from core.profiles_io import create_partner

PASSWORD = "integration-pass"


HOSTILE = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)"> & "quotes" \'single\'',
    "back\\slash \\n not a newline `tick` ${template}",
    "**bold** _it_ [link](javascript:alert(1)) # heading",
    "Ünïcödé — 日本語 — العربية — עברית — Ελληνικά — 🚀",
]


@dataclass
class World:
    engine: Engine
    a: int  # partner ids
    b: int
    admin: AccountPublic
    partner_a: AccountPublic
    partner_b: AccountPublic
    vendor: AccountPublic


@pytest.fixture
def world(db_engine: Engine) -> World:
    with session_scope(db_engine) as session:
        ids = [
            create_partner(
                session=session,
                partner=PartnerCreate(
                    name=name,
                    description="Original description",
                    locations=[LocationInput(zip_code=zip_code)],
                    competencies={"networking": 2},
                ),
                actor_label="test",
            )
            for name, zip_code in (("Alpha Networks", "78701"), ("Beta Secure", "10001"))
        ]
    with session_scope(db_engine) as session:
        admin = create_account(
            session=session, actor=None, username="admin", password=PASSWORD, role="admin"
        )
        accounts = [
            create_account(
                session=session,
                actor=admin,
                username=f"partner{i}",
                password=PASSWORD,
                role="partner",
                partner_id=pid,
            )
            for i, pid in enumerate(ids, start=1)
        ]
        vendor = create_account(
            session=session,
            actor=admin,
            username="vendor",
            password=PASSWORD,
            role="vendor",
            vendor_name="Cisco",
            regions=["south"],
        )
    return World(db_engine, ids[0], ids[1], admin, accounts[0], accounts[1], vendor)


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
    assert after.verified_at is not None
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
    assert after.verified_at is not None


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


# --- certifications ----------------------------------------------------------------------------


def submit(world: World, key: str = "cisco-ccna", **dates: date) -> int:
    obtained = dates.get("obtained_on", date.today() - timedelta(days=30))
    with session_scope(world.engine) as session:
        view = submit_certification(
            session=session,
            actor=world.partner_a,
            partner_id=world.a,
            cert=CertificationInput(
                certification_key=key, obtained_on=obtained, expires_on=dates.get("expires_on")
            ),
        )
    return view.id


def cert_status(world: World, cert_id: int) -> str | None:
    with Session(world.engine) as session:
        row = session.get(PartnerCertification, cert_id)
        return row.status if row else None


def test_certification_waits_for_approval_then_counts(world: World) -> None:
    cert_id = submit(world)
    assert cert_status(world, cert_id) == CERT_PENDING
    with Session(world.engine) as session:
        pending = profiles.list_pending_certifications(session=session, actor=world.admin)
        before = read_data_version(session)
    assert [p.certification.id for p in pending] == [cert_id]
    with session_scope(world.engine) as session, pytest.raises(PermissionDenied):
        review_certification(
            session=session, actor=world.partner_a, certification_id=cert_id, approve=True
        )
    with session_scope(world.engine) as session:
        review_certification(
            session=session, actor=world.admin, certification_id=cert_id, approve=True, note="ok"
        )
    assert cert_status(world, cert_id) == CERT_APPROVED
    with Session(world.engine) as session:
        assert read_data_version(session) > before
        actions = session.exec(
            select(AuditEvent.action).where(AuditEvent.entity_type == "certification")
        ).all()
    assert {"submit", "approve"} <= set(actions)
    shown = load(world).certifications
    assert [(c.id, c.status, c.review_note) for c in shown] == [(cert_id, "approved", "ok")]


def test_rejected_certification_never_counts_and_cannot_be_reviewed_twice(world: World) -> None:
    cert_id = submit(world)
    with session_scope(world.engine) as session:
        review_certification(
            session=session, actor=world.admin, certification_id=cert_id, approve=False
        )
    assert cert_status(world, cert_id) == "rejected"
    with session_scope(world.engine) as session, pytest.raises(CertificationError):
        review_certification(
            session=session, actor=world.admin, certification_id=cert_id, approve=True
        )


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ({"obtained_on": date.today() + timedelta(days=2)}, "future"),
        (
            {"obtained_on": date(2024, 5, 1), "expires_on": date(2024, 4, 1)},
            "after the date obtained",
        ),
    ],
)
def test_certification_dates_are_checked(world: World, dates: dict, message: str) -> None:
    with pytest.raises(CertificationError, match=message):
        submit(world, **dates)


def test_duplicate_pending_certification_is_refused(world: World) -> None:
    submit(world)
    with pytest.raises(CertificationError, match="already waiting"):
        submit(world)


def test_renewal_supersedes_the_older_approved_entry(world: World) -> None:
    old = submit(world, obtained_on=date(2022, 1, 1))
    with session_scope(world.engine) as session:
        review_certification(session=session, actor=world.admin, certification_id=old, approve=True)
    new = submit(world, obtained_on=date(2025, 1, 1))
    with session_scope(world.engine) as session:
        review_certification(session=session, actor=world.admin, certification_id=new, approve=True)
    assert cert_status(world, old) is None
    assert cert_status(world, new) == CERT_APPROVED


def test_withdrawing_removes_the_certification_and_is_audited(world: World) -> None:
    cert_id = submit(world)
    with session_scope(world.engine) as session:
        withdraw_certification(session=session, actor=world.partner_a, certification_id=cert_id)
    assert cert_status(world, cert_id) is None
    with Session(world.engine) as session:
        event = session.exec(
            select(AuditEvent).where(
                AuditEvent.entity_type == "certification", AuditEvent.action == "withdraw"
            )
        ).one()
    assert event.changes["status"] == {"before": "pending", "after": None}


def test_profile_of_a_missing_partner_is_a_clear_error(world: World) -> None:
    with pytest.raises(LookupError):
        load(world, actor=world.admin, partner_id=99999)
    with Session(world.engine) as session:
        assert session.get(Partner, world.a) is not None
