"""core.models: library validation (EmailStr, HttpUrl) with readable messages, UTC columns,
and the size limits and labels defined once."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import DateTime
from sqlmodel import SQLModel, UTCDateTime

from core import models as m
from core.leads.contact_requests import MAX_LENGTHS
from core.taxonomy import EXPERT, FOUNDATIONAL, NONE, PROFICIENT, get_taxonomy


def messages(model: type[SQLModel], **values: object) -> dict[str, str]:
    """Field -> the message a person would read (as ProfileValidationError shows it)."""
    with pytest.raises(ValidationError) as caught:
        model.model_validate(values)
    return {
        str(e["loc"][0]): str(e["msg"]).removeprefix("Value error, ") for e in caught.value.errors()
    }


# --- website: pydantic's HttpUrl decides, the text is kept as typed ----------------------------


@pytest.mark.parametrize(
    "website",
    [
        "https://a.example",  # no trailing slash added
        "http://A.Example/Path?q=1,2#top",  # case kept
        "https://café.example/menü",  # no punycode, no percent-encoding
        "https://www.example.org/atlas",
    ],
)
def test_a_website_is_stored_exactly_as_typed(website: str) -> None:
    assert m.PartnerUpdate(website=f"  {website} ").website == website


@pytest.mark.parametrize(
    "website",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<b>x</b>",
        "ftp://example.com",
        "https://exa mple.com",
        "https://example.com/a b",
        "http://",
        "www.example.com",
        "//example.com",
        "https:example.com",
    ],
)
def test_a_website_must_be_http_or_https(website: str) -> None:
    assert messages(m.PartnerUpdate, website=website) == {"website": m.WEBSITE_RULE}


def test_a_blank_website_is_none() -> None:
    assert m.PartnerUpdate(website="   ").website is None
    assert m.PartnerCreate(name="Alpha", website="").website is None


def test_a_website_longer_than_its_column_is_refused() -> None:
    long = "https://example.com/" + "a" * m.MaxLength.WEBSITE
    assert "at most 300 characters" in messages(m.PartnerUpdate, website=long)["website"]


# --- email: EmailStr (email-validator) decides, the message stays one plain sentence -----------


def test_an_email_is_checked_by_email_validator_and_its_domain_lower_cased() -> None:
    assert m.PartnerUpdate(email=" Hello@Austin-Secure.EXAMPLE ").email == (
        "Hello@austin-secure.example"
    )
    assert m.PartnerUpdate(email="o'brien@example.com").email == "o'brien@example.com"


@pytest.mark.parametrize(
    ("email", "reason"),
    [
        ("not-an-email", "an email address must have an @-sign"),
        ("jo@", "there must be something after the @-sign"),
        ("jo@exa_mple.com", "invalid characters"),
        ("<b>@example.com", ""),
    ],
)
def test_a_bad_email_gets_a_plain_sentence(email: str, reason: str) -> None:
    message = messages(m.PartnerUpdate, email=email)["email"]
    assert message.startswith("email must look like name@example.com")
    assert reason in message and "value is not a valid" not in message


def test_an_over_long_email_gets_the_usual_length_message() -> None:
    errors = messages(m.ContactRequest, contact_email="x" * 250 + "@example.com")
    assert errors["contact_email"] == "String should have at most 254 characters"


def test_a_contact_request_needs_an_email() -> None:
    errors = messages(
        m.ContactRequest, contact_name="Jo", contact_email=" ", company_size="1-10", needs=["iot"]
    )
    assert errors == {"contact_email": "an email address is required so the partner can answer"}


def test_an_optional_email_may_be_blank() -> None:
    assert m.PartnerUpdate(email="").email is None
    assert m.PartnerUpdate().email is None


# --- datetimes: one column type for all ----------------------------------------------------------


def test_every_datetime_column_stores_aware_utc() -> None:
    """SQLModel's UTCDateTime is the one place datetimes are stored: a column given its own
    DateTime type would bypass it and hand back naive values on SQLite."""
    types = {
        f"{table.name}.{column.name}": column.type
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        if isinstance(getattr(column.type, "impl", column.type), DateTime)
    }
    assert len(types) >= 15 and "partner.updated_at" in types and "audit_event.at" in types
    assert [name for name, kind in types.items() if not isinstance(kind, UTCDateTime)] == []


def test_utc_now_is_aware() -> None:
    assert m.utc_now().utcoffset() is not None


# --- defined once --------------------------------------------------------------------------------


def test_columns_and_input_models_share_the_size_limits() -> None:
    limits = {
        (m.Partner, "name"): m.MaxLength.PARTNER_NAME,
        (m.Partner, "description"): m.MaxLength.DESCRIPTION,
        (m.Partner, "website"): m.MaxLength.WEBSITE,
        (m.Partner, "email"): m.MaxLength.EMAIL,
        (m.PartnerLocation, "city"): m.MaxLength.CITY,
        (m.PartnerCompetency, "ally_name"): m.MaxLength.ALLY_NAME,
        (m.Account, "username"): m.MaxLength.USERNAME,
        (m.Account, "display_name"): m.MaxLength.DISPLAY_NAME,
        (m.Account, "vendor_name"): m.MaxLength.VENDOR_NAME,
        (m.Lead, "contact_name"): m.MaxLength.CONTACT_NAME,
        (m.Lead, "message"): m.MaxLength.MESSAGE,
        (m.Lead, "lost_reason"): m.MaxLength.NOTE,
        (m.LeadStatusChange, "note"): m.MaxLength.NOTE,
        (m.AuditEvent, "actor_label"): m.MaxLength.ACTOR_LABEL,
    }
    for (table, column), limit in limits.items():
        assert table.__table__.c[column].type.length == limit, (table.__name__, column)
    assert MAX_LENGTHS == {
        "contact_name": m.MaxLength.CONTACT_NAME,
        "contact_email": m.MaxLength.EMAIL,
        "message": m.MaxLength.MESSAGE,
    }


def test_an_ally_name_limit_is_the_column_limit() -> None:
    too_long = {"financing": "x" * (m.MaxLength.ALLY_NAME + 1)}
    assert messages(m.PartnerUpdate, allies=too_long) == {
        "allies": f"an ally name is at most {m.MaxLength.ALLY_NAME} characters"
    }


def test_every_lead_status_has_one_label() -> None:
    assert tuple(m.LEAD_STATUS_LABELS) == m.LEAD_STATUSES
    assert m.LEAD_STATUS_LABELS["qualified_out"] == "Qualified out"


def test_level_labels_come_from_the_taxonomy_file() -> None:
    taxonomy = get_taxonomy()
    assert taxonomy.level_labels() == {
        NONE: "None",
        FOUNDATIONAL: "Foundational",
        PROFICIENT: "Proficient",
        EXPERT: "Expert",
    }
    assert taxonomy.level_labels(at_least=PROFICIENT) == {2: "Proficient", 3: "Expert"}
