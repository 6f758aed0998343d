"""What a visitor asks of the directory: one validated ``SearchQuery``, and readable errors.

The same query comes from the Find partners form, a shared URL and the command line
(``params``, ``form``), so every way in is checked by the same rules.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.models import (
    MaxLength,
    validate_area_keys,
    validate_industries,
    validate_languages,
    validate_states,
)
from core.taxonomy import EXPERT, FOUNDATIONAL, PROFICIENT, get_taxonomy

SortKey = Literal["best", "distance", "breadth", "freshness", "name", "rating"]
MAX_RADIUS_KM = 800.0


class QueryError(ValueError):
    """A query that cannot run; the message is meant for the person who typed it."""


class PlaceNotFoundError(QueryError):
    """The query's place cannot be found; ``suggestion`` is a place that can, when the text
    looks like a misspelling of it (pages offer it as one click)."""

    def __init__(self, message: str, *, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.suggestion = suggestion


class SearchFilters(BaseModel):
    """Who may serve the customer: needs, level, place and the other filters. Find partners
    and the team builder share these fields and their rules."""

    model_config = ConfigDict(extra="forbid")

    needs: list[str] = Field(default_factory=list)
    min_level: int = Field(default=PROFICIENT, ge=FOUNDATIONAL, le=EXPERT)
    evidence_only: bool = False
    near: str | None = Field(default=None, max_length=MaxLength.SEARCH_PLACE)
    radius_km: float = Field(default=80.0, gt=0, le=MAX_RADIUS_KM)
    include_service_area: bool = False
    states: list[str] = Field(default_factory=list)
    region: str | None = None
    segment: str | None = None
    vendor: str | None = None
    keyword: str | None = Field(default=None, max_length=MaxLength.SEARCH_KEYWORD)
    # Only partners that answer at least half of their leads (5 or more in 12 months)
    # within 2 business days (core.search.responsiveness).
    responsive: bool = False
    # Issue 13 fields: a partner must serve EVERY industry and speak EVERY language asked
    # for (like needs); delivery "remote" also matches "both", as does "on_site".
    industries: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    delivery: Literal["remote", "on_site"] | None = None
    accepting_only: bool = False

    @field_validator("industries")
    @classmethod
    def _industries(cls, value: list[str]) -> list[str]:
        return validate_industries(value)

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        return validate_languages(value)

    @field_validator("needs")
    @classmethod
    def _needs(cls, value: list[str]) -> list[str]:
        return validate_area_keys(value)

    @field_validator("states")
    @classmethod
    def _states(cls, value: list[str]) -> list[str]:
        return validate_states(value)

    @field_validator("near", "keyword", "region", "segment", "vendor", "delivery", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        if value is not None and value not in {r.key for r in get_taxonomy().regions}:
            raise ValueError(f"unknown region {value!r}")
        return value

    @field_validator("segment")
    @classmethod
    def _segment(cls, value: str | None) -> str | None:
        if value is not None and value not in get_taxonomy().segment_keys:
            raise ValueError(f"unknown company size {value!r}")
        return value

    @field_validator("vendor")
    @classmethod
    def _vendor(cls, value: str | None) -> str | None:
        if value is None:
            return None
        for vendor in get_taxonomy().vendors:
            if vendor.casefold() == value.casefold():
                return vendor
        raise ValueError(f"unknown vendor {value!r}")


class SearchQuery(SearchFilters):
    """A Find partners search: the filters, then sort order and page."""

    sort: SortKey = "best"
    page: int = Field(default=1, ge=1, le=10_000)
    page_size: int = Field(default=20, ge=1, le=200)


Model = TypeVar("Model", bound=BaseModel)


def validate_readably(model: type[Model], fields: dict[str, Any]) -> Model:
    """Validate raw fields into `model`, turning errors into one readable QueryError."""
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"]) or "query"
            message = error["msg"].removeprefix("Value error, ")
            # Validators quote what was typed; a 5,000-character URL value must not fill the page.
            message = message if len(message) <= 160 else message[:160] + "…"
            problems.append(f"{where}: {message}")
        raise QueryError("; ".join(problems)) from exc


def parse_query(fields: dict[str, Any]) -> SearchQuery:
    return validate_readably(SearchQuery, fields)
