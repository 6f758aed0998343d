"""Reading a vendor's campaign responses (CSV) into validated rows; nothing here writes.

UTF-8, comma-separated, RFC 4180 quoting, one header row naming exactly the columns
``company, contact_name, contact_email, zip, company_size, needs`` (any order). ``needs`` is
a ``;``-separated list of need keys of the taxonomy, ``company_size`` one of its company
size keys (1-10, 11-50, …), ``zip`` a 5-digit ZIP code the directory knows.

Every problem becomes a ``RowError`` with the line its record starts on (the header is line
1), as in the partner import (core.interchange). Problems with the file itself (too large,
not CSV, a wrong header) are ``fatal``: no row of such a file is trusted.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator

from core.geo.places import lookup_zip
from core.interchange.format import RowError, split_list
from core.interchange.rows import UnreadableError, read_records
from core.models import MaxLength, RequiredEmail, clean_text, validate_area_keys
from core.taxonomy import get_taxonomy

COLUMNS = ("company", "contact_name", "contact_email", "zip", "company_size", "needs")
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000


class CampaignLeadRow(BaseModel):
    """One campaign response, as it becomes a lead."""

    company: str = Field(min_length=2, max_length=MaxLength.COMPANY)
    contact_name: str = Field(min_length=2, max_length=MaxLength.CONTACT_NAME)
    contact_email: RequiredEmail = Field(max_length=MaxLength.EMAIL)
    zip: str
    company_size: str
    needs: list[str] = Field(min_length=1)

    @field_validator("company", "contact_name", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        # Stored as typed (pages escape on output), only control characters are dropped.
        return clean_text(value) if isinstance(value, str) else value

    @field_validator("zip", mode="before")
    @classmethod
    def _zip(cls, value: Any) -> Any:
        text = (clean_text(value) or "") if isinstance(value, str) else value
        if not isinstance(text, str) or not (len(text) == 5 and text.isascii() and text.isdigit()):
            hint = ""
            if isinstance(text, str) and text.isdigit() and 3 <= len(text) <= 4:
                hint = f" (a spreadsheet may have dropped leading zeros: use {text.zfill(5)})"
            raise ValueError(f"a ZIP code has 5 digits, not {text!r}{hint}")
        if lookup_zip(text) is None:
            raise ValueError(f"unknown ZIP code {text}")
        return text

    @field_validator("company_size", mode="before")
    @classmethod
    def _size(cls, value: Any) -> Any:
        text = (clean_text(value) or "") if isinstance(value, str) else value
        known = get_taxonomy().segment_keys
        if text not in known:
            raise ValueError(f"company size must be one of {', '.join(known)}, not {text!r}")
        return text

    @field_validator("needs", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return split_list(value) if isinstance(value, str) else value

    @field_validator("needs")
    @classmethod
    def _needs(cls, value: list[str]) -> list[str]:
        return validate_area_keys(value)


@dataclass
class ParsedCampaignCsv:
    rows: list[tuple[int, CampaignLeadRow]] = field(default_factory=list)  # (line, row)
    errors: list[RowError] = field(default_factory=list)
    read: int = 0  # data rows read (blank lines are not rows)
    fatal: bool = False  # the file as a whole is refused


def _sentence(column: str, error: dict[str, Any]) -> str:
    kind, context = error.get("type", ""), error.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and not context.get("min_length")):
        return "a value is required"
    if kind == "string_too_short":
        return f"at least {context['min_length']} characters, please"
    if kind == "string_too_long":
        return f"at most {context['max_length']:,} characters, please shorten it"
    if column == "needs" and kind == "too_short":
        return "name at least one need key, separated by ;"
    if column == "needs" and "unknown need" in str(error.get("msg", "")):
        known = ", ".join(get_taxonomy().area_keys)
        return f"{str(error['msg']).removeprefix('Value error, ')} (known needs: {known})"
    return str(error.get("msg", "is not valid")).removeprefix("Value error, ")


def parse_row(line: int, cells: dict[str, str]) -> tuple[CampaignLeadRow | None, list[RowError]]:
    """One record's cells (column -> text) as a row, or every problem it has."""
    try:
        return CampaignLeadRow.model_validate(cells), []
    except ValidationError as exc:
        errors = []
        for error in exc.errors():
            column = str(error["loc"][0]) if error["loc"] else ""
            errors.append(RowError(line, column, _sentence(column, dict(error))))
        return None, errors


def _header_errors(values: list[str]) -> list[RowError]:
    seen: set[str] = set()
    errors = []
    for name in values:
        if name in seen:
            errors.append(RowError(1, name, "the column appears twice"))
        elif name not in COLUMNS:
            errors.append(
                RowError(1, name or "(blank)", f"unknown column; use {', '.join(COLUMNS)}")
            )
        seen.add(name)
    return errors + [RowError(1, c, "required column is missing") for c in COLUMNS if c not in seen]


def parse_campaign_csv(csv_text: str) -> ParsedCampaignCsv:
    """Every row of the file checked: the good ones parsed, each bad one named."""
    parsed = ParsedCampaignCsv()
    size = len(csv_text.encode("utf-8"))
    if size > MAX_BYTES:
        reason = (
            f"the file is {size / 1024 / 1024:.1f} MB; at most {MAX_BYTES // 1024 // 1024} MB "
            f"(about {MAX_ROWS:,} rows) at once, so split it"
        )
        return _refuse(parsed, RowError(1, "", reason))
    try:
        records = read_records(io.StringIO(csv_text.removeprefix("\ufeff"), newline=""))
        first = next(records, None)
        if first is None:
            return _refuse(parsed, RowError(1, "", "the file is empty; it needs a header row"))
        header = [value.strip() for value in first[1]]
        if header_errors := _header_errors(header):
            parsed.errors += header_errors
            parsed.fatal = True
            return parsed
        for line, values in records:
            if not any(v.strip() for v in values):
                continue
            parsed.read += 1
            if parsed.read > MAX_ROWS:
                reason = f"more than {MAX_ROWS:,} rows; import at most {MAX_ROWS:,} at once"
                return _refuse(parsed, RowError(line, "", reason))
            if len(values) != len(header):
                reason = f"{len(values)} values, but the header has {len(header)} columns"
                parsed.errors.append(RowError(line, "", reason))
                continue
            row, errors = parse_row(line, dict(zip(header, values, strict=True)))
            if row is None:
                parsed.errors += errors
            else:
                parsed.rows.append((line, row))
    except UnreadableError as exc:
        return _refuse(parsed, exc.error)
    return parsed


def _refuse(parsed: ParsedCampaignCsv, error: RowError) -> ParsedCampaignCsv:
    parsed.rows.clear()
    parsed.errors.append(error)
    parsed.fatal = True
    return parsed
