"""Every table of Partner Atlas and its role variants, in one module.

Pattern (full-stack-fastapi-template): ``XBase`` holds the shared, validated fields;
``X(table=True)`` is the row; ``XCreate`` / ``XUpdate`` validate input; ``XPublic`` is
what may leave the core for public pages. SQLModel table models do NOT validate on
construction, so user input always goes through a non-table model first
(``PartnerCreate.model_validate(...)``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Final

from pydantic import (
    BeforeValidator,
    EmailStr,
    HttpUrl,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.geo.states import STATE_NAMES
from core.partner_attributes import get_attributes, validate_delivery, validate_keys
from core.taxonomy import MAX_LEVEL, get_taxonomy

ZIP_PATTERN = re.compile(r"^\d{5}$")

ROLE_ADMIN, ROLE_VENDOR, ROLE_PARTNER = "admin", "vendor", "partner"
ROLES = (ROLE_ADMIN, ROLE_VENDOR, ROLE_PARTNER)

CERT_PENDING, CERT_APPROVED, CERT_REJECTED = "pending", "approved", "rejected"

# Lead life cycle: new -> engaged -> qualified out / nurture -> won / lost.
LEAD_STATUSES = ("new", "engaged", "qualified_out", "nurture", "won", "lost")
LEAD_STATUS_LABELS: dict[str, str] = {
    "new": "New",
    "engaged": "Engaged",
    "qualified_out": "Qualified out",
    "nurture": "Nurture",
    "won": "Won",
    "lost": "Lost",
}
LEAD_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("engaged", "qualified_out", "lost"),
    "engaged": ("qualified_out", "nurture", "won", "lost"),
    "nurture": ("engaged", "won", "lost"),
    "qualified_out": ("nurture",),
    "won": (),
    "lost": ("nurture",),
}
LEAD_SOURCES = ("directory", "team", "co_marketing", "vendor_referral")


class MaxLength:
    """Size limits of stored text, defined once: the columns and input models below, the
    services' own checks and the pages' ``max_chars`` all read them."""

    PARTNER_NAME: Final = 120
    DESCRIPTION: Final = 2000
    WEBSITE: Final = 300
    EMAIL: Final = 254  # RFC 5321's limit for a whole address
    PHONE: Final = 40
    CITY: Final = 80
    ALLY_NAME: Final = 120
    USERNAME: Final = 64
    DISPLAY_NAME: Final = 120
    VENDOR_NAME: Final = 80
    CONTACT_NAME: Final = 100
    MESSAGE: Final = 2000
    NOTE: Final = 500  # lead notes, lost reasons, certification review notes
    ACTOR_LABEL: Final = 120
    AUDIT_ENTITY_ID: Final = 40
    AUDIT_ACTION: Final = 40
    SEARCH_PLACE: Final = 80  # "Near": a ZIP code or "City, ST"
    SEARCH_KEYWORD: Final = 100
    CAMPAIGN_NAME: Final = 120
    COMPANY: Final = 120  # a customer's company name (campaign leads, deal registrations)


PHONE_PATTERN = re.compile(rf"^[0-9+()\-. x]{{7,{MaxLength.PHONE}}}$")


# Datetimes: every ``datetime`` field below becomes SQLModel's ``UTCDateTime`` column type
# (SQLModel picks it by itself since 0.0.45). That TypeDecorator is the one place that
# stores them: it refuses naive values on write (whose clock would they be on?) and returns
# aware UTC on read from SQLite and PostgreSQL alike. Never give a datetime field an explicit
# ``sa_column=Column(DateTime…)``: that would bypass it (tests/unit/test_models.py checks).


def utc_now() -> datetime:
    """Timezone-aware UTC: SQLModel's datetime columns refuse naive values."""
    return datetime.now(UTC)


# --- shared validators ---------------------------------------------------------------


def clean_text(value: str | None) -> str | None:
    """Strip surrounding white space and drop control characters (keeps newlines/tabs)."""
    if value is None:
        return None
    return "".join(ch for ch in value.strip() if ch in "\n\t" or ord(ch) >= 32)


_HTTP_URL = TypeAdapter(HttpUrl)
WEBSITE_RULE = "website must start with http:// or https:// and contain no spaces"


def _website_or_none(value: Any) -> Any:
    """Blank means no website; otherwise pydantic's HttpUrl decides (http/https with a host).

    The text is stored as typed, not as HttpUrl's normal form: that form adds a trailing
    slash and punycode (``https://café.example`` -> ``https://xn--caf-dma.example/``), so
    every profile saved unchanged would record a spurious edit, and people would see a
    different address from the one they entered.
    """
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    if not text:
        return None
    # HttpUrl would percent-encode a space in the path (an address with one is a typo) and
    # accept "https:example.com", which the rule people read does not.
    if any(ch.isspace() for ch in text) or not text.lower().startswith(("http://", "https://")):
        raise ValueError(WEBSITE_RULE)
    try:
        _HTTP_URL.validate_python(text)
    except ValidationError:
        raise ValueError(WEBSITE_RULE) from None
    return text


def _readable_email(value: Any, handler: ValidatorFunctionWrapHandler, *, required: bool) -> Any:
    """EmailStr (email-validator) checks the address; this turns its error into one sentence
    and blank input into None (or a "required" message)."""
    text = clean_text(value) if isinstance(value, str) else value
    if not text:
        if required:
            raise ValueError("an email address is required so the partner can answer")
        return None
    if isinstance(text, str) and len(text) > MaxLength.EMAIL:
        # The same error as any over-long field, so forms show their usual "at most …".
        raise PydanticCustomError(
            "string_too_long",
            "String should have at most {max_length} characters",
            {"max_length": MaxLength.EMAIL},
        )
    try:
        return handler(text)
    except ValidationError as exc:
        reason = str((exc.errors()[0].get("ctx") or {}).get("reason", "")).rstrip(".")
        detail = f" ({reason[:1].lower()}{reason[1:]})" if reason else ""
        raise ValueError(f"email must look like name@example.com{detail}") from None


def _optional_email(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    return _readable_email(value, handler, required=False)


def _required_email(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    return _readable_email(value, handler, required=True)


# Stored as email-validator normalises it: the domain lower-cased (case never matters there).
OptionalEmail = Annotated[EmailStr | None, WrapValidator(_optional_email)]
RequiredEmail = Annotated[EmailStr, WrapValidator(_required_email)]
OptionalWebsite = Annotated[str | None, BeforeValidator(_website_or_none)]


def validate_phone(value: str | None) -> str | None:
    value = clean_text(value)
    if value and not PHONE_PATTERN.match(value):
        raise ValueError("phone may contain digits, spaces and + ( ) - . x only")
    return value or None


def validate_states(values: list[str]) -> list[str]:
    cleaned = sorted({v.strip().upper() for v in values if v and v.strip()})
    unknown = [v for v in cleaned if v not in STATE_NAMES]
    if unknown:
        raise ValueError(f"unknown state code(s): {', '.join(unknown)}")
    return cleaned


def validate_segments(values: list[str]) -> list[str]:
    known = get_taxonomy().segment_keys
    cleaned = [v.strip() for v in values if v and v.strip()]
    unknown = [v for v in cleaned if v not in known]
    if unknown:
        raise ValueError(f"unknown company size(s): {', '.join(unknown)}")
    return [k for k in known if k in cleaned]


def validate_area_keys(values: list[str]) -> list[str]:
    known = get_taxonomy().area_keys
    cleaned = [v.strip() for v in values if v and v.strip()]
    unknown = [v for v in cleaned if v not in known]
    if unknown:
        raise ValueError(f"unknown need(s): {', '.join(unknown)}")
    return [k for k in known if k in cleaned]


# --- partners --------------------------------------------------------------------------


class PartnerBase(SQLModel):
    name: str = Field(min_length=2, max_length=MaxLength.PARTNER_NAME, index=True)
    description: str = Field(default="", max_length=MaxLength.DESCRIPTION)
    website: OptionalWebsite = Field(default=None, max_length=MaxLength.WEBSITE)
    email: OptionalEmail = Field(default=None, max_length=MaxLength.EMAIL)
    phone: str | None = Field(default=None, max_length=MaxLength.PHONE)
    # Service area: how far from its locations the partner travels, and/or whole states.
    service_radius_km: float | None = Field(default=None, ge=0, le=5000)
    states_served: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    segments: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    # Issue 13 fields (vocabularies in core.partner_attributes; validators at the end).
    industries: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    delivery: str | None = Field(default=None, max_length=10)  # remote / on_site / both
    accepting_new_clients: bool = True

    @field_validator("name", "description", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return validate_phone(value)

    @field_validator("states_served")
    @classmethod
    def _states(cls, value: list[str]) -> list[str]:
        return validate_states(value)

    @field_validator("segments")
    @classmethod
    def _segments(cls, value: list[str]) -> list[str]:
        return validate_segments(value)

    @field_validator("industries")
    @classmethod
    def _industries(cls, value: list[str]) -> list[str]:
        return validate_industries(value)

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        return validate_languages(value)

    @field_validator("delivery", mode="before")
    @classmethod
    def _delivery(cls, value: Any) -> Any:
        return validate_delivery(value) if isinstance(value, str) or value is None else value


class Partner(PartnerBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now, index=True)
    # Set only when an administrator (or vendor) verified the profile; a partner's own save
    # or the "still correct" link sets confirmed_at (issue 13: "verified" means verified).
    verified_at: datetime | None = None
    confirmed_at: datetime | None = None
    # Optimistic concurrency: every save must name the version it started from.
    version: int = Field(default=1)


class LocationInput(SQLModel):
    zip_code: str
    is_headquarters: bool = False

    @field_validator("zip_code", mode="before")
    @classmethod
    def _zip(cls, value: Any) -> str:
        text = str(value or "").strip()[:5]
        if not ZIP_PATTERN.match(text):
            raise ValueError("ZIP code must be 5 digits")
        return text


class PartnerLocation(SQLModel, table=True):
    __tablename__ = "partner_location"
    # Lead routing's bounding box ("offices near this ZIP"): a range seek on latitude.
    __table_args__ = (Index("ix_partner_location_lat_lon", "latitude", "longitude"),)
    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner.id", index=True, ondelete="CASCADE")
    is_headquarters: bool = False
    zip_code: str = Field(max_length=5)
    city: str = Field(max_length=MaxLength.CITY)
    state: str = Field(max_length=2, index=True)
    latitude: float
    longitude: float


class PartnerCompetency(SQLModel, table=True):
    """Self-assessed level per area; business services may be delivered through a named ally."""

    __tablename__ = "partner_competency"
    partner_id: int = Field(foreign_key="partner.id", primary_key=True, ondelete="CASCADE")
    area_key: str = Field(primary_key=True, max_length=40)
    claimed_level: int = Field(ge=0, le=MAX_LEVEL)
    ally_name: str | None = Field(default=None, max_length=MaxLength.ALLY_NAME)


class CertificationInput(SQLModel):
    certification_key: str
    obtained_on: date
    expires_on: date | None = None

    @field_validator("certification_key")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in get_taxonomy().certifications:
            raise ValueError(f"unknown certification {value!r}")
        return value


class PartnerCertification(SQLModel, table=True):
    """A certification a partner holds; it counts as evidence only once approved."""

    __tablename__ = "partner_certification"
    __table_args__ = (Index("ix_partner_certification_partner_status", "partner_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner.id", ondelete="CASCADE")
    certification_key: str = Field(max_length=80, index=True)
    obtained_on: date
    expires_on: date | None = None
    status: str = Field(default=CERT_PENDING, max_length=10)
    submitted_at: datetime = Field(default_factory=utc_now)
    reviewed_at: datetime | None = None
    reviewed_by_account_id: int | None = Field(default=None, foreign_key="account.id")


class PartnerCreate(PartnerBase):
    """A whole partner profile as it comes in (CSV import, demo generator, admin)."""

    locations: list[LocationInput] = Field(default_factory=list)
    competencies: dict[str, int] = Field(default_factory=dict)
    allies: dict[str, str] = Field(default_factory=dict)
    certifications: list[CertificationInput] = Field(default_factory=list)

    @field_validator("competencies")
    @classmethod
    def _levels(cls, value: dict[str, int]) -> dict[str, int]:
        validate_area_keys(list(value))
        bad = {k: v for k, v in value.items() if not 0 <= int(v) <= MAX_LEVEL}
        if bad:
            raise ValueError(f"levels must be 0..{MAX_LEVEL}: {bad}")
        return {k: int(v) for k, v in value.items()}

    @field_validator("allies")
    @classmethod
    def _allies(cls, value: dict[str, str]) -> dict[str, str]:
        services = set(get_taxonomy().service_keys)
        wrong = [k for k in value if k not in services]
        if wrong:
            raise ValueError(f"allies are for business services only, not {', '.join(wrong)}")
        cleaned = {k: clean_text(v) or "" for k, v in value.items()}
        if any(len(v) > MaxLength.ALLY_NAME for v in cleaned.values()):
            raise ValueError(f"an ally name is at most {MaxLength.ALLY_NAME} characters")
        return {k: v for k, v in cleaned.items() if v}


class PartnerUpdate(SQLModel):
    """Fields a partner edits in its own profile; None means unchanged."""

    name: str | None = Field(default=None, min_length=2, max_length=MaxLength.PARTNER_NAME)
    description: str | None = Field(default=None, max_length=MaxLength.DESCRIPTION)
    website: OptionalWebsite = Field(default=None, max_length=MaxLength.WEBSITE)
    email: OptionalEmail = Field(default=None, max_length=MaxLength.EMAIL)
    phone: str | None = Field(default=None, max_length=MaxLength.PHONE)
    service_radius_km: float | None = Field(default=None, ge=0, le=5000)
    states_served: list[str] | None = None
    segments: list[str] | None = None
    industries: list[str] | None = None
    languages: list[str] | None = None
    delivery: str | None = Field(default=None, max_length=10)
    accepting_new_clients: bool | None = None
    locations: list[LocationInput] | None = None
    competencies: dict[str, int] | None = None
    allies: dict[str, str] | None = None

    @field_validator("name", "description", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return validate_phone(value)

    @field_validator("states_served")
    @classmethod
    def _states(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else validate_states(value)

    @field_validator("segments")
    @classmethod
    def _segments(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else validate_segments(value)

    @field_validator("industries")
    @classmethod
    def _industries(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else validate_industries(value)

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else validate_languages(value)

    @field_validator("delivery", mode="before")
    @classmethod
    def _delivery(cls, value: Any) -> Any:
        return validate_delivery(value) if isinstance(value, str) or value is None else value

    @field_validator("competencies")
    @classmethod
    def _levels(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        return None if value is None else PartnerCreate._levels(value)

    @field_validator("allies")
    @classmethod
    def _allies(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return None if value is None else PartnerCreate._allies(value)


class PartnerPublic(PartnerBase):
    """What public pages may show: never business figures, leads or account data."""

    id: int
    updated_at: datetime
    verified_at: datetime | None
    confirmed_at: datetime | None = None
    version: int


# --- accounts ------------------------------------------------------------------------


class Account(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=MaxLength.USERNAME, unique=True, index=True)
    display_name: str = Field(default="", max_length=MaxLength.DISPLAY_NAME)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=10)
    partner_id: int | None = Field(default=None, foreign_key="partner.id")
    vendor_name: str | None = Field(default=None, max_length=MaxLength.VENDOR_NAME)
    regions: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    is_active: bool = True
    failed_sign_ins: int = 0
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=utc_now)
    password_changed_at: datetime = Field(default_factory=utc_now)
    last_sign_in_at: datetime | None = None


class AccountPublic(SQLModel):
    id: int
    username: str
    display_name: str
    role: str
    partner_id: int | None
    vendor_name: str | None
    regions: list[str]
    is_active: bool


# --- leads -----------------------------------------------------------------------------


class ContactRequest(SQLModel):
    """What an anonymous visitor types into the contact form."""

    contact_name: str = Field(min_length=2, max_length=MaxLength.CONTACT_NAME)
    contact_email: RequiredEmail = Field(max_length=MaxLength.EMAIL)
    company_size: str
    needs: list[str] = Field(min_length=1)
    message: str = Field(default="", max_length=MaxLength.MESSAGE)

    @field_validator("contact_name", "message", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value

    @field_validator("company_size")
    @classmethod
    def _size(cls, value: str) -> str:
        if value not in get_taxonomy().segment_keys:
            raise ValueError("choose a company size")
        return value

    @field_validator("needs")
    @classmethod
    def _needs(cls, value: list[str]) -> list[str]:
        return validate_area_keys(value)


class Lead(SQLModel, table=True):
    __table_args__ = (
        Index("ix_lead_partner_status", "partner_id", "status"),
        # A vendor's program page aggregates its own leads of a time window: vendor, then
        # time, then every column the aggregates read, so the index alone answers them.
        Index(
            "ix_lead_vendor_window",
            "vendor_name",
            "created_at",
            "partner_id",
            "status",
            "value_usd",
            "first_response_at",
            "engaged_at",
            "company_size",
            "vendor_member",
        ),
        # A campaign's results: its leads' outcomes from the index alone.
        Index(
            "ix_lead_campaign_outcome",
            "campaign_id",
            "vendor_name",
            "vendor_member",
            "status",
            "value_usd",
            "engaged_at",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    # None: a vendor's campaign lead not yet given to a partner (the vendor assigns it).
    partner_id: int | None = Field(default=None, foreign_key="partner.id", ondelete="CASCADE")
    # Leads created together for a team share a team_key.
    team_key: str | None = Field(default=None, max_length=36, index=True)
    source: str = Field(default="directory", max_length=20)
    vendor_name: str | None = Field(default=None, max_length=MaxLength.VENDOR_NAME)
    # A co-marketing lead names the vendor campaign that produced it (vendor_name is its vendor).
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id")
    contact_name: str = Field(max_length=MaxLength.CONTACT_NAME)
    contact_email: str = Field(max_length=MaxLength.EMAIL)
    # Campaign responses name the company and its ZIP; a directory request may not.
    company: str | None = Field(default=None, max_length=MaxLength.COMPANY)
    zip_code: str | None = Field(default=None, max_length=5)
    company_size: str = Field(max_length=10)
    needs: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    message: str = Field(default="", max_length=MaxLength.MESSAGE)
    status: str = Field(default="new", max_length=15)
    value_usd: float | None = None
    # Which of the source vendor's product lines a won lead sold (closed-loop reporting).
    product_lines: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    lost_reason: str | None = Field(default=None, max_length=MaxLength.NOTE)
    created_at: datetime = Field(default_factory=utc_now, index=True)
    updated_at: datetime = Field(default_factory=utc_now)
    first_response_at: datetime | None = None
    # When the partner first engaged the lead (an "engaged opportunity" from then on, even if
    # later qualified out or lost): kept on the row so a vendor's results count engaged
    # opportunities from an index, not by searching every lead's history.
    engaged_at: datetime | None = None
    # For a vendor's lead (vendor_name set): unassigned, or held by an active member of that
    # vendor's program. Kept by core.programs.store on every membership change; the vendor's
    # results count only these (a former member's outcomes are no longer program data).
    vendor_member: bool = True


class LeadStatusChange(SQLModel, table=True):
    __tablename__ = "lead_status_change"
    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", index=True, ondelete="CASCADE")
    from_status: str | None = Field(default=None, max_length=15)
    to_status: str = Field(max_length=15)
    changed_at: datetime = Field(default_factory=utc_now)
    actor_account_id: int | None = Field(default=None, foreign_key="account.id")
    note: str = Field(default="", max_length=MaxLength.NOTE)


# --- confidential figures, audit, demand -------------------------------------------------


class PartnerYearFigures(SQLModel, table=True):
    """Confidential yearly business figures: vendor and admin screens only."""

    __tablename__ = "partner_year_figures"
    partner_id: int = Field(foreign_key="partner.id", primary_key=True, ondelete="CASCADE")
    year: int = Field(primary_key=True)
    revenue_usd: float = 0.0
    comarketing_funds_usd: float = 0.0
    headcount: int | None = None  # employees at the end of the year


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity_type", "entity_id"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utc_now, index=True)
    actor_account_id: int | None = Field(default=None, foreign_key="account.id")
    # username, "system" or "anonymous visitor"
    actor_label: str = Field(max_length=MaxLength.ACTOR_LABEL)
    entity_type: str = Field(max_length=30)  # partner, account, certification, lead
    entity_id: str = Field(max_length=MaxLength.AUDIT_ENTITY_ID)
    action: str = Field(max_length=MaxLength.AUDIT_ACTION)
    # {field: {"before": ..., "after": ...}}
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


SEARCH_KIND, TEAM_KIND = "search", "team"  # SearchEvent.kind


class SearchEvent(SQLModel, table=True):
    """An anonymous search, kept as a demand signal: no personal data."""

    __tablename__ = "search_event"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utc_now, index=True)
    needs: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    min_level: int = 2
    state: str | None = Field(default=None, max_length=2, index=True)
    latitude: float | None = None
    longitude: float | None = None
    radius_km: float | None = None
    # "search": result_count is the partners Find partners found. "team": a team search whose
    # best team needed 2+ members (no single partner covered the needs); result_count is the
    # number of teams found, not partners, so "fewer than 3 results" reads only "search" rows.
    kind: str = Field(default=SEARCH_KIND, max_length=10)
    result_count: int = 0


class DataVersion(SQLModel, table=True):
    """A counter bumped by every write, so each app process knows when to rebuild its index."""

    __tablename__ = "data_version"
    __table_args__ = (UniqueConstraint("id"),)
    id: int = Field(default=1, primary_key=True)
    version: int = 0


# --- vendor programs --------------------------------------------------------------------

# A membership is partner x vendor. "requested" waits for the side that did not ask
# (requested_by): a partner's application waits for the vendor, a vendor's invitation for
# the partner. Declined and ended rows stay (the history is the audit trail) and a new
# request reuses the row, since there is one per partner x vendor.
PROGRAM_REQUESTED, PROGRAM_ACTIVE = "requested", "active"
PROGRAM_DECLINED, PROGRAM_ENDED = "declined", "ended"
PROGRAM_STATUSES = (PROGRAM_REQUESTED, PROGRAM_ACTIVE, PROGRAM_DECLINED, PROGRAM_ENDED)
SIDE_PARTNER, SIDE_VENDOR = "partner", "vendor"
PROGRAM_SIDES = (SIDE_PARTNER, SIDE_VENDOR)


def validate_vendor(value: str) -> str:
    value = (clean_text(value) or "").strip()
    if value not in get_taxonomy().vendors:
        raise ValueError(f"unknown vendor {value!r}: vendors come from the certification catalogue")
    return value


class ProgramMembership(SQLModel, table=True):
    __tablename__ = "program_membership"
    __table_args__ = (
        UniqueConstraint("partner_id", "vendor", name="uq_program_membership_partner_vendor"),
        # Ends with partner_id: "which of these partners are its active members" is a seek
        # per partner, not a walk over every member of a 300,000-member program.
        Index("ix_program_membership_vendor_status_partner", "vendor", "status", "partner_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner.id", ondelete="CASCADE")
    vendor: str = Field(max_length=80)
    tier: str | None = Field(default=None, max_length=40)
    status: str = Field(default=PROGRAM_REQUESTED, max_length=10)
    requested_by: str = Field(max_length=10)
    requested_at: datetime = Field(default_factory=utc_now)
    since: date | None = None  # the day it became active
    ended_on: date | None = None  # the day it was declined or ended
    updated_at: datetime = Field(default_factory=utc_now)
    # Compare-and-swap: every change names the version the user saw.
    version: int = Field(default=1)


class ProgramMembershipCreate(SQLModel):
    """A request (partner side) or an invitation (vendor side), validated before any write."""

    partner_id: int
    vendor: str
    requested_by: str
    tier: str | None = None  # a vendor may propose a tier in its invitation

    @field_validator("vendor")
    @classmethod
    def _vendor(cls, value: str) -> str:
        return validate_vendor(value)

    @field_validator("requested_by")
    @classmethod
    def _side(cls, value: str) -> str:
        if value not in PROGRAM_SIDES:
            raise ValueError(f"requested_by must be one of {', '.join(PROGRAM_SIDES)}")
        return value


class ProgramMembershipPublic(SQLModel):
    id: int
    partner_id: int
    vendor: str
    tier: str | None
    status: str
    requested_by: str
    requested_at: datetime
    since: date | None
    ended_on: date | None
    version: int


class FiguresConsent(SQLModel, table=True):
    """A partner's switch letting one vendor see its business figures; absent means no."""

    __tablename__ = "figures_consent"
    partner_id: int = Field(foreign_key="partner.id", primary_key=True, ondelete="CASCADE")
    vendor: str = Field(primary_key=True, max_length=80)
    granted: bool = False
    changed_at: datetime = Field(default_factory=utc_now)


class FiguresConsentCreate(SQLModel):
    partner_id: int
    vendor: str
    granted: bool

    @field_validator("vendor")
    @classmethod
    def _vendor(cls, value: str) -> str:
        return validate_vendor(value)


class FiguresConsentPublic(SQLModel):
    partner_id: int
    vendor: str
    granted: bool
    changed_at: datetime


def validate_product_lines(vendor: str, values: list[str]) -> list[str]:
    """Product lines of ``vendor``, de-duplicated in the vendor's own order."""
    known = get_taxonomy().product_lines_of(vendor)
    cleaned = [v.strip() for v in values if v and v.strip()]
    unknown = [v for v in cleaned if v not in known]
    if unknown:
        raise ValueError(
            f"{vendor} has no product line {', '.join(map(repr, unknown))} "
            f"(product lines: {', '.join(known)})"
        )
    return [k for k in known if k in cleaned]


# --- co-marketing campaigns and market development funds -------------------------------

CAMPAIGN_KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
MAX_BUDGET_USD = 100_000_000


class CampaignBase(SQLModel):
    name: str = Field(min_length=2, max_length=MaxLength.CAMPAIGN_NAME)
    regions: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    target_needs: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    target_sizes: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    budget_usd: float = Field(gt=0, le=MAX_BUDGET_USD)
    starts_on: date
    ends_on: date


class Campaign(CampaignBase, table=True):
    """A vendor's co-marketing campaign; ``committed_usd`` is what approved funds hold of
    the budget, moved only by one guarded UPDATE so it never exceeds ``budget_usd``."""

    __table_args__ = (UniqueConstraint("vendor", "key", name="uq_campaign_vendor_key"),)
    id: int | None = Field(default=None, primary_key=True)
    vendor: str = Field(max_length=MaxLength.VENDOR_NAME, index=True)
    key: str = Field(max_length=40)
    committed_usd: float = 0.0
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)
    version: int = Field(default=1)


class _CampaignRules(SQLModel):
    @field_validator("name", mode="before", check_fields=False)
    @classmethod
    def _clean_name(cls, value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value

    @field_validator("regions", check_fields=False)
    @classmethod
    def _regions(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        known = [r.key for r in get_taxonomy().regions]
        unknown = [v for v in value if v not in known]
        if unknown:
            raise ValueError(f"unknown region(s): {', '.join(unknown)}")
        return [k for k in known if k in value]

    @field_validator("target_needs", check_fields=False)
    @classmethod
    def _needs(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else validate_area_keys(value)

    @field_validator("target_sizes", check_fields=False)
    @classmethod
    def _sizes(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else validate_segments(value)


class CampaignCreate(_CampaignRules, CampaignBase):
    vendor: str
    key: str

    @field_validator("vendor")
    @classmethod
    def _vendor(cls, value: str) -> str:
        return validate_vendor(value)

    @field_validator("key", mode="before")
    @classmethod
    def _key(cls, value: Any) -> Any:
        text = (clean_text(value) or "").lower() if isinstance(value, str) else value
        if not isinstance(text, str) or not CAMPAIGN_KEY_PATTERN.match(text):
            raise ValueError(
                "key must be 2-40 lower-case letters, digits or dashes, starting with a letter "
                "or digit (it names the campaign in imports and links)"
            )
        return text

    @model_validator(mode="after")
    def _dates(self) -> CampaignCreate:
        if self.ends_on < self.starts_on:
            raise ValueError("the campaign must end on or after the day it starts")
        return self


class CampaignUpdate(_CampaignRules):
    name: str | None = Field(default=None, min_length=2, max_length=MaxLength.CAMPAIGN_NAME)
    regions: list[str] | None = None
    target_needs: list[str] | None = None
    target_sizes: list[str] | None = None
    budget_usd: float | None = Field(default=None, gt=0, le=MAX_BUDGET_USD)
    starts_on: date | None = None
    ends_on: date | None = None


class CampaignPublic(CampaignBase):
    id: int
    vendor: str
    key: str
    committed_usd: float
    version: int


# Fund (MDF) life cycle: requested (by the partner, or allocated by the vendor) -> approved /
# rejected; approved -> claimed (proof of performance) -> paid / returned (sent back to the
# partner to correct, who may claim again). Approved, claimed and paid funds hold budget.
FUND_REQUESTED, FUND_APPROVED, FUND_REJECTED = "requested", "approved", "rejected"
FUND_CLAIMED, FUND_PAID, FUND_RETURNED = "claimed", "paid", "returned"
FUND_STATUSES = (
    FUND_REQUESTED,
    FUND_APPROVED,
    FUND_REJECTED,
    FUND_CLAIMED,
    FUND_PAID,
    FUND_RETURNED,
)
FUND_HOLDS_BUDGET = (FUND_APPROVED, FUND_CLAIMED, FUND_PAID, FUND_RETURNED)
ATTACHMENT_NAME_PATTERN = re.compile(r"^[\w][\w .()-]{0,118}\.[A-Za-z0-9]{1,8}$")


class FundRequest(SQLModel, table=True):
    __tablename__ = "fund_request"
    __table_args__ = (
        Index("ix_fund_request_campaign_status", "campaign_id", "status"),
        Index("ix_fund_request_vendor_partner", "vendor", "partner_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id")
    partner_id: int = Field(foreign_key="partner.id", index=True, ondelete="CASCADE")
    vendor: str = Field(max_length=MaxLength.VENDOR_NAME)
    requested_by: str = Field(max_length=10)  # SIDE_PARTNER asked, SIDE_VENDOR allocated
    activity: str = Field(max_length=MaxLength.NOTE)
    amount_usd: float  # asked for (or allocated)
    approved_usd: float | None = None
    claim_description: str | None = Field(default=None, max_length=MaxLength.NOTE)
    claim_amount_usd: float | None = None
    claim_attachment: str | None = Field(default=None, max_length=120)
    paid_usd: float | None = None
    decision_note: str = Field(default="", max_length=MaxLength.NOTE)
    status: str = Field(default=FUND_REQUESTED, max_length=10)
    requested_at: datetime = Field(default_factory=utc_now)
    decided_at: datetime | None = None
    claimed_at: datetime | None = None
    paid_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utc_now)
    version: int = Field(default=1)


class FundRequestCreate(SQLModel):
    campaign_id: int
    partner_id: int
    activity: str = Field(min_length=3, max_length=MaxLength.NOTE)
    amount_usd: float = Field(gt=0, le=MAX_BUDGET_USD)

    @field_validator("activity", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value


class FundClaim(SQLModel):
    """Proof of performance: what was done, what it cost, the proof's file name."""

    description: str = Field(min_length=3, max_length=MaxLength.NOTE)
    amount_usd: float = Field(gt=0, le=MAX_BUDGET_USD)
    attachment_name: str = Field(min_length=3, max_length=120)

    @field_validator("description", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value

    @field_validator("attachment_name", mode="before")
    @classmethod
    def _file_name(cls, value: Any) -> Any:
        # A bare file name: no folders, no leading dot, an extension (invoice.pdf).
        text = clean_text(value) if isinstance(value, str) else value
        if not isinstance(text, str) or not ATTACHMENT_NAME_PATTERN.match(text):
            raise ValueError(
                "attachment must be a file name such as invoice-march.pdf "
                "(letters, digits, spaces, . ( ) - _; no folders)"
            )
        return text


class FundRequestPublic(SQLModel):
    id: int
    campaign_id: int
    partner_id: int
    vendor: str
    requested_by: str
    activity: str
    amount_usd: float
    approved_usd: float | None
    claim_description: str | None
    claim_amount_usd: float | None
    claim_attachment: str | None
    paid_usd: float | None
    decision_note: str
    status: str
    requested_at: datetime
    decided_at: datetime | None
    claimed_at: datetime | None
    paid_at: datetime | None
    version: int


# --- deal registration ---------------------------------------------------------------

# pending -> approved (protected until protected_until) / denied; the partner may withdraw
# a pending one. A registration is "protecting" while approved and protected_until >= today.
DEAL_PENDING, DEAL_APPROVED, DEAL_DENIED, DEAL_WITHDRAWN = (
    "pending",
    "approved",
    "denied",
    "withdrawn",
)
DEAL_STATUSES = (DEAL_PENDING, DEAL_APPROVED, DEAL_DENIED, DEAL_WITHDRAWN)


def customer_key(company: str) -> str:
    """A customer's name as registrations compare it: case, punctuation and legal-form
    suffixes ignored ("ACME, Inc." == "Acme")."""
    words = re.sub(r"[^0-9a-z]+", " ", company.casefold()).split()
    while len(words) > 1 and words[-1] in _LEGAL_FORMS:
        words.pop()
    return " ".join(words)


_LEGAL_FORMS = frozenset(
    {"inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company",
     "plc", "lp", "llp", "pc", "pllc", "gmbh"}
)  # fmt: skip


class DealRegistration(SQLModel, table=True):
    __tablename__ = "deal_registration"
    __table_args__ = (
        Index("ix_deal_registration_vendor_customer", "vendor", "customer_key", "zip_code"),
        Index("ix_deal_registration_vendor_status", "vendor", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner.id", index=True, ondelete="CASCADE")
    vendor: str = Field(max_length=MaxLength.VENDOR_NAME)
    customer_company: str = Field(max_length=MaxLength.COMPANY)
    customer_key: str = Field(max_length=MaxLength.COMPANY)
    zip_code: str = Field(max_length=5)
    product_lines: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    value_usd: float
    expected_close_on: date
    status: str = Field(default=DEAL_PENDING, max_length=10)
    protected_until: date | None = None
    decision_note: str = Field(default="", max_length=MaxLength.NOTE)
    registered_at: datetime = Field(default_factory=utc_now)
    decided_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utc_now)
    version: int = Field(default=1)


class DealRegistrationCreate(SQLModel):
    partner_id: int
    vendor: str
    customer_company: str = Field(min_length=2, max_length=MaxLength.COMPANY)
    zip_code: str
    product_lines: list[str] = Field(min_length=1)
    value_usd: float = Field(gt=0, le=MAX_BUDGET_USD)
    expected_close_on: date

    @field_validator("vendor")
    @classmethod
    def _vendor(cls, value: str) -> str:
        return validate_vendor(value)

    @field_validator("customer_company", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value

    @field_validator("zip_code", mode="before")
    @classmethod
    def _zip(cls, value: Any) -> Any:
        text = (clean_text(value) or "") if isinstance(value, str) else value
        if not isinstance(text, str) or not ZIP_PATTERN.match(text):
            raise ValueError("ZIP code must be 5 digits")
        return text

    @model_validator(mode="after")
    def _lines(self) -> DealRegistrationCreate:
        self.product_lines = validate_product_lines(self.vendor, self.product_lines)
        if not customer_key(self.customer_company):
            raise ValueError("customer company must contain letters or digits")
        return self


class DealRegistrationPublic(SQLModel):
    id: int
    partner_id: int
    vendor: str
    customer_company: str
    customer_key: str
    zip_code: str
    product_lines: list[str]
    value_usd: float
    expected_close_on: date
    status: str
    protected_until: date | None
    decision_note: str
    registered_at: datetime
    decided_at: datetime | None
    version: int


# --- lead routing: vendor leads offered to members with an acceptance deadline ----------

ROUTING_ROUND_ROBIN, ROUTING_WEIGHTED_TIER = "round_robin", "weighted_tier"
ROUTING_FAIRNESS = (ROUTING_ROUND_ROBIN, ROUTING_WEIGHTED_TIER)
OFFER_OPEN, OFFER_ACCEPTED, OFFER_DECLINED, OFFER_EXPIRED, OFFER_WITHDRAWN = (
    "open",
    "accepted",
    "declined",
    "expired",
    "withdrawn",
)
OFFER_STATUSES = (OFFER_OPEN, OFFER_ACCEPTED, OFFER_DECLINED, OFFER_EXPIRED, OFFER_WITHDRAWN)


class CampaignRoutingBase(SQLModel):
    """A vendor's rules for offering one campaign's leads to its members."""

    enabled: bool = True
    radius_km: float = Field(default=80.0, gt=0, le=5000)
    min_level: int = Field(default=1, ge=1, le=MAX_LEVEL)
    evidence_only: bool = False
    tiers: list[str] = Field(default_factory=list, sa_column=Column(JSON))  # empty: any tier
    max_open_offers: int = Field(default=3, ge=1, le=1000)
    fairness: str = Field(default=ROUTING_ROUND_ROBIN, max_length=20)
    accept_hours: int = Field(default=48, ge=1, le=24 * 30)

    @field_validator("fairness")
    @classmethod
    def _fairness(cls, value: str) -> str:
        if value not in ROUTING_FAIRNESS:
            raise ValueError(f"fairness must be one of {', '.join(ROUTING_FAIRNESS)}")
        return value


class CampaignRouting(CampaignRoutingBase, table=True):
    """Absent for a campaign: its leads are not routed (the vendor assigns them by hand)."""

    __tablename__ = "campaign_routing"
    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True, ondelete="CASCADE")
    updated_at: datetime = Field(default_factory=utc_now)
    version: int = Field(default=1)


class CampaignRoutingUpdate(CampaignRoutingBase):
    """What the vendor's rules form sends; validated before any write."""


class LeadOffer(SQLModel, table=True):
    """One offer of a vendor lead to one member; the rows of a lead are its routing history."""

    __tablename__ = "lead_offer"
    __table_args__ = (
        # The worker's "what is due": open offers by deadline.
        Index("ix_lead_offer_status_expires", "status", "expires_at"),
        # A partner's open offers (inbox, capacity cap) and its recent expiries (cooling).
        Index("ix_lead_offer_partner_status", "partner_id", "status", "offered_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", index=True, ondelete="CASCADE")
    partner_id: int = Field(foreign_key="partner.id", ondelete="CASCADE")
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id")
    vendor: str = Field(max_length=MaxLength.VENDOR_NAME)
    status: str = Field(default=OFFER_OPEN, max_length=10)
    offered_at: datetime = Field(default_factory=utc_now)
    expires_at: datetime
    reminded_at: datetime | None = None
    responded_at: datetime | None = None
    decline_reason: str = Field(default="", max_length=MaxLength.NOTE)


class RoutingEvent(SQLModel, table=True):
    """A step of a lead's routing the vendor can read: offered, accepted, declined, expired,
    no candidate (and why), cooling started."""

    __tablename__ = "routing_event"
    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", index=True, ondelete="CASCADE")
    at: datetime = Field(default_factory=utc_now)
    kind: str = Field(max_length=20)
    partner_id: int | None = Field(default=None, foreign_key="partner.id", ondelete="SET NULL")
    detail: str = Field(default="", max_length=MaxLength.NOTE)


# --- email: a transactional outbox, one-click links, unsubscribes ------------------------

OUTBOX_PENDING, OUTBOX_SENT, OUTBOX_FAILED, OUTBOX_SUPPRESSED = (
    "pending",
    "sent",
    "failed",
    "suppressed",
)
OUTBOX_STATUSES = (OUTBOX_PENDING, OUTBOX_SENT, OUTBOX_FAILED, OUTBOX_SUPPRESSED)


class OutboxMessage(SQLModel, table=True):
    """An email written in the same transaction as the event that causes it; the worker
    delivers it. ``message_id`` is fixed at creation, so a retried send carries the same
    Message-ID and a receiving server (or a test) can tell a duplicate."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(max_length=120, unique=True)
    # Set for a message that must exist at most once (a reminder, a follow-up, a nudge):
    # a second enqueue with the same key is a no-op, so two workers cannot both create it.
    dedup_key: str | None = Field(default=None, max_length=120, unique=True)
    kind: str = Field(max_length=40, index=True)
    essential: bool = True  # non-essential messages carry an unsubscribe link
    to_email: str = Field(max_length=MaxLength.EMAIL)
    to_name: str = Field(default="", max_length=MaxLength.CONTACT_NAME)
    subject: str = Field(max_length=300)
    text_body: str
    html_body: str
    partner_id: int | None = Field(default=None, foreign_key="partner.id", ondelete="SET NULL")
    lead_id: int | None = Field(default=None, foreign_key="lead.id", ondelete="SET NULL")
    status: str = Field(default=OUTBOX_PENDING, max_length=12)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utc_now)
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utc_now, index=True)
    sent_at: datetime | None = None


class OutboxMessagePublic(SQLModel):
    """What the administrators' Outbox page and ``outbox --format json`` show."""

    id: int
    message_id: str
    kind: str
    essential: bool
    to_email: str
    to_name: str
    subject: str
    text_body: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    created_at: datetime
    sent_at: datetime | None
    partner_id: int | None
    lead_id: int | None


TOKEN_CONTACTED, TOKEN_STILL_CORRECT, TOKEN_UNSUBSCRIBE = (
    "contacted",
    "still_correct",
    "unsubscribe",
)
TOKEN_REVIEW = "review"  # noqa: S105 — issue 13: a won lead's customer rates the partner, once
TOKEN_PURPOSES = (TOKEN_CONTACTED, TOKEN_STILL_CORRECT, TOKEN_UNSUBSCRIBE, TOKEN_REVIEW)


class OneClickToken(SQLModel, table=True):
    """A link in an email that acts without an account. Only the SHA-256 of the random
    token is stored, so a copy of the database cannot be used to answer for anyone."""

    __tablename__ = "one_click_token"
    token_hash: str = Field(primary_key=True, max_length=64)
    purpose: str = Field(max_length=20)
    lead_id: int | None = Field(default=None, foreign_key="lead.id", ondelete="CASCADE")
    partner_id: int | None = Field(default=None, foreign_key="partner.id", ondelete="CASCADE")
    email: str | None = Field(default=None, max_length=MaxLength.EMAIL)
    created_at: datetime = Field(default_factory=utc_now)
    expires_at: datetime
    used_at: datetime | None = None
    answer: str | None = Field(default=None, max_length=20)


class LeadFeedback(SQLModel, table=True):
    """The customer's answer to "did the partner contact you?" (one per lead)."""

    __tablename__ = "lead_feedback"
    lead_id: int = Field(foreign_key="lead.id", primary_key=True, ondelete="CASCADE")
    contacted: bool
    answered_at: datetime = Field(default_factory=utc_now)


class EmailSuppression(SQLModel, table=True):
    """An address that unsubscribed: it gets essential messages only."""

    __tablename__ = "email_suppression"
    email: str = Field(primary_key=True, max_length=MaxLength.EMAIL)  # lower-cased
    since: datetime = Field(default_factory=utc_now)


class ContactAttempt(SQLModel, table=True):
    """The contact-form rate limit, kept in the database: one row per request sent, keyed
    by the SHA-256 of the visitor's address and of the email typed (no plain values)."""

    __tablename__ = "contact_attempt"
    __table_args__ = (
        Index("ix_contact_attempt_visitor", "visitor_key", "sent_at"),
        Index("ix_contact_attempt_email", "email_key", "sent_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    visitor_key: str = Field(max_length=64)
    email_key: str = Field(max_length=64)
    sent_at: datetime = Field(default_factory=utc_now)


class PartnerResponsiveness(SQLModel, table=True):
    """How a partner answers its leads over the last 12 months, summarised by the worker
    (aggregated in the database) so search and profiles read one row, not every lead."""

    __tablename__ = "partner_responsiveness"
    partner_id: int = Field(foreign_key="partner.id", primary_key=True, ondelete="CASCADE")
    leads: int = 0  # leads received in the window
    answered: int = 0  # of which had a first response
    within_two_business_days: int = 0
    median_response_hours: float | None = None
    customers_asked: int = 0  # leads whose customer answered the follow-up
    customers_contacted: int = 0  # of which said "yes, they contacted me"
    computed_at: datetime = Field(default_factory=utc_now)


# --- issue 13: trust signals and new profile fields ----------------------------------
# Partner.confirmed_at (the partner's own confirmation, apart from verified_at) and the
# PartnerBase fields industries / languages / delivery / accepting_new_clients are declared
# in place above (a table's columns live in its class); their validators are here.


def validate_industries(values: list[str]) -> list[str]:
    return validate_keys(values, get_attributes().industries, "industry (industries)")


def validate_languages(values: list[str]) -> list[str]:
    return validate_keys(values, get_attributes().languages, "language(s)")


# --- issue 13: teaming introductions, standing alliances, verified reviews ---

INTRO_OPEN, INTRO_ACCEPTED, INTRO_DECLINED, INTRO_WITHDRAWN, INTRO_ENDED = (
    "open",
    "accepted",
    "declined",
    "withdrawn",
    "ended",
)
INTRO_STATUSES = (INTRO_OPEN, INTRO_ACCEPTED, INTRO_DECLINED, INTRO_WITHDRAWN, INTRO_ENDED)
REVIEW_TEXT_MAX = 2000


class TeamingIntroduction(SQLModel, table=True):
    """One partner proposes teaming to another; accepted, it is a standing alliance.

    ``pair_key`` ("low-high" partner ids) is set while the introduction is open or accepted
    and cleared when it ends: its unique index lets at most one live introduction exist per
    pair (NULLs do not collide), whoever proposed it. An alliance shows on the public
    profiles only while both sides chose to show it."""

    __tablename__ = "teaming_introduction"
    __table_args__ = (Index("ix_intro_from_created", "from_partner_id", "created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    from_partner_id: int = Field(foreign_key="partner.id", ondelete="CASCADE", index=True)
    to_partner_id: int = Field(foreign_key="partner.id", ondelete="CASCADE", index=True)
    pair_key: str | None = Field(default=None, max_length=40, unique=True)
    message: str = Field(default="", max_length=MaxLength.MESSAGE)
    from_areas: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    to_areas: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    # Set when it links a free-text ally name: the business service the ally delivers.
    ally_area: str | None = Field(default=None, max_length=40)
    status: str = Field(default=INTRO_OPEN, max_length=12)
    from_shows: bool = False
    to_shows: bool = False
    created_at: datetime = Field(default_factory=utc_now)
    decided_at: datetime | None = None
    ended_at: datetime | None = None


class Review(SQLModel, table=True):
    """A verified customer's rating of the partner that won its lead (one per lead)."""

    __tablename__ = "review"
    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", unique=True, ondelete="CASCADE")
    partner_id: int = Field(foreign_key="partner.id", index=True, ondelete="CASCADE")
    rating: int
    text: str = Field(default="", max_length=REVIEW_TEXT_MAX)
    created_at: datetime = Field(default_factory=utc_now)
    reply: str | None = Field(default=None, max_length=REVIEW_TEXT_MAX)
    replied_at: datetime | None = None
    hidden_at: datetime | None = None
    hidden_reason: str | None = Field(default=None, max_length=MaxLength.NOTE)
    hidden_by: int | None = Field(default=None, foreign_key="account.id")


# --- issue 14: demand recording rate limit ---


class DemandAttempt(SQLModel, table=True):
    """Who recorded demand lately, as a SHA-256 key of the visitor's address only: at most
    so many search events per key in any rolling hour (core.analytics.demand), so nobody can
    inflate the unmet demand vendors see. Kept apart from search_event, which stays free of
    anything about the visitor."""

    __tablename__ = "demand_attempt"
    __table_args__ = (Index("ix_demand_attempt_visitor", "visitor_key", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    visitor_key: str = Field(max_length=64)
    at: datetime = Field(default_factory=utc_now)


# --- issue 14: sign-in sessions ---


class AuthSession(SQLModel, table=True):
    """A browser's sign-in, kept on the server (core.accounts.sessions).

    The browser holds a random token in an HttpOnly cookie; only its SHA-256 is stored, so a
    copy of the database signs nobody in. A fresh sign-in first gets a one-time hand-over
    code (also stored hashed, valid for a minute) that the browser trades for the cookie at
    ``/_atlas/session`` (deploy/serve.py); ``token_hash`` is empty until then.
    """

    __tablename__ = "auth_session"
    __table_args__ = (Index("ix_auth_session_account", "account_id", "ended_at"),)
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    handoff_hash: str | None = Field(default=None, max_length=64, unique=True)
    handoff_expires_at: datetime | None = None
    account_id: int = Field(foreign_key="account.id", ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utc_now)
    last_seen_at: datetime = Field(default_factory=utc_now)
    expires_at: datetime  # sliding: last_seen_at + session_minutes
    ended_at: datetime | None = None
    ended_reason: str | None = Field(default=None, max_length=30)
    address_key: str | None = Field(default=None, max_length=64)  # SHA-256 of the address
    via: str = Field(default="password", max_length=10)  # "password" or "sso"


class SignInAddress(SQLModel, table=True):
    """Failed sign-ins per client address (SHA-256, never the plain address): the address
    throttle that is checked before any account is counted (core.accounts.throttle)."""

    __tablename__ = "sign_in_address"
    address_key: str = Field(primary_key=True, max_length=64)
    failures: int = 0
    last_failure_at: datetime = Field(default_factory=utc_now)
    locked_until: datetime | None = None
    locks: int = 0  # how often this address was throttled: each throttle lasts twice as long


class AccountEmail(SQLModel, table=True):
    """The email of an account, for single sign-on (OIDC) only: a provider's verified email
    maps to at most one local account. A table of its own rather than a column on Account so
    that this section stays additive; nullable-unique in effect (no row = no email)."""

    __tablename__ = "account_email"
    account_id: int = Field(foreign_key="account.id", primary_key=True, ondelete="CASCADE")
    email: str = Field(max_length=MaxLength.EMAIL, unique=True)  # lower-cased


# --- issue 15: directory changes ---


class DirectoryChange(SQLModel, table=True):
    """Which partner a committed directory write changed, at the data version it made.

    Each process's read index applies just these partners when it falls behind
    (core.search.deltas) instead of rebuilding. partner_id NULL means "everything may have
    changed" (bulk or raw SQL writes): a full rebuild. Written by the unit of work, pruned
    by the worker (core.search.deltas.prune_directory_changes).
    """

    __tablename__ = "directory_change"
    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(index=True)
    partner_id: int | None = None  # no foreign key: a deleted partner's change is kept
