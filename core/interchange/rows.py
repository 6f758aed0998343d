"""Reading a partner CSV (see ``core.interchange``): the file, its header, and one row.

Nothing here writes: ``RowParser`` turns a row into a validated ``PartnerCreate`` or a list
of ``RowError``, and the import decides what to do with both.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from core.directory.records import CERT_STATUSES
from core.geo.places import lookup_zip
from core.interchange.format import (
    NO,
    REQUIRED_COLUMNS,
    YES,
    ImportReport,
    RowError,
    csv_columns,
    split_list,
    unguard,
)
from core.models import MaxLength, PartnerCreate
from core.taxonomy import MAX_LEVEL, get_taxonomy

Source = str | os.PathLike[str] | bytes | IO[str] | IO[bytes]


class UnreadableError(Exception):
    """The file cannot be read as CSV at all (encoding, quoting): no row can be trusted."""

    def __init__(self, error: RowError) -> None:
        super().__init__(str(error))
        self.error = error


def reopenable(source: Source) -> Callable[[], IO[str]]:
    """A way to read the source twice: ids are planned in a first, light pass."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        return lambda: path.open(encoding="utf-8-sig", newline="")
    raw = source if isinstance(source, bytes) else source.read()
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise UnreadableError(RowError(1, "", _NOT_UTF8)) from exc
    text = text.removeprefix("\ufeff")
    return lambda: io.StringIO(text, newline="")


_NOT_UTF8 = "the file is not UTF-8 text; save it as “CSV UTF-8”"


def read_records(handle: IO[str]) -> Iterator[tuple[int, list[str]]]:
    """(line the record starts on, values); a quoted value may span several lines."""
    reader = csv.reader(handle, strict=True)
    line = 1
    try:
        for values in reader:
            yield line, values
            line = reader.line_num + 1
    except csv.Error as exc:
        raise UnreadableError(RowError(line, "", f"not valid CSV: {exc}")) from exc
    except UnicodeDecodeError as exc:
        raise UnreadableError(RowError(line, "", _NOT_UTF8)) from exc


def _check_header(values: list[str]) -> tuple[list[str], list[RowError]]:
    header = [value.strip() for value in values]
    known, seen, errors = set(csv_columns()), set(), []
    for name in header:
        if name in seen:
            errors.append(RowError(1, name, "the column appears twice"))
        elif name not in known:
            errors.append(RowError(1, name or "(blank)", "unknown column"))
        seen.add(name)
    errors += [
        RowError(1, c, "required column is missing") for c in REQUIRED_COLUMNS if c not in seen
    ]
    return header, errors


def scan(open_text: Callable[[], IO[str]], report: ImportReport) -> tuple[list[str], list[str]]:
    """First pass: header, row count and partner_refs, without validating anything."""
    with open_text() as handle:
        records = read_records(handle)
        first = next(records, None)
        if first is None:
            raise UnreadableError(RowError(1, "", "the file is empty; it needs a header row"))
        header, errors = _check_header(first[1])
        report.errors += errors
        ref_at = header.index("partner_ref") if "partner_ref" in header else None
        refs = []
        for _, values in records:
            if any(v.strip() for v in values):
                report.rows += 1
                if ref_at is not None and ref_at < len(values):
                    refs.append(values[ref_at].strip())
    return header, refs


# --------------------------------------------------------------------------- one row


@dataclass(frozen=True)
class ParsedRow:
    partner: PartnerCreate
    statuses: tuple[str, ...]
    updated_at: datetime | None
    verified_at: datetime | None
    confirmed_at: datetime | None = None


def as_id(ref: str) -> int | None:
    # PostgreSQL's integer id column stops at 2**31 - 1 (10 digits); the length check comes
    # first because int() refuses strings of more than 4,300 digits with a ValueError.
    if not (ref.isascii() and ref.isdigit() and len(ref) <= 10):
        return None
    return int(ref) if 0 < int(ref) < 2**31 else None


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _shown(text: str) -> str:
    """A cell quoted in a message, cut short: a 100,000-character cell would bury the report."""
    return repr(text if len(text) <= 40 else text[:40] + "…")


def _zip_problem(text: str) -> str:
    hint = ""
    if text.isascii() and text.isdigit() and 3 <= len(text) <= 4:
        hint = f" (a spreadsheet may have dropped leading zeros: use {text.zfill(5)})"
    return f"unknown ZIP code {_shown(text)}{hint}"


class RowParser:
    """Turns one row's cells into a validated profile, collecting every problem found."""

    def __init__(self, line: int, cells: dict[str, str], now: datetime) -> None:
        self.line, self.now = line, now
        self.errors: list[RowError] = []
        # The export guards every cell (core.csv_safety), so every cell is unguarded.
        self.cells = {k: unguard(v) for k, v in cells.items()}

    def fail(self, column: str, reason: str) -> None:
        # Model validators quote the offending value whole; a huge cell must not bury the report.
        reason = reason if len(reason) <= 200 else reason[:200] + "…"
        self.errors.append(RowError(self.line, column, reason))

    def get(self, column: str) -> str:
        return self.cells.get(column, "").strip()

    def parse(self) -> ParsedRow | None:
        taxonomy = get_taxonomy()
        payload: dict[str, Any] = {
            key: self.get(key) for key in ("name", "description", "website", "email", "phone")
        }
        payload["description"] = self.cells.get("description", "")
        payload["service_radius_km"] = self.radius()
        payload["states_served"] = split_list(self.get("states_served"))
        payload["segments"] = split_list(self.get("segments"))
        payload["industries"] = split_list(self.get("industries"))
        payload["languages"] = split_list(self.get("languages"))
        payload["delivery"] = self.get("delivery") or None
        payload["accepting_new_clients"] = self.yes_no("accepting_new_clients")
        payload["locations"] = self.locations()
        payload["competencies"] = {}
        for area in taxonomy.area_keys:
            raw = self.get(f"level_{area}")
            if raw and raw not in {str(v) for v in range(MAX_LEVEL + 1)}:
                self.fail(
                    f"level_{area}",
                    f"level must be a whole number 0–{MAX_LEVEL}, not {_shown(raw)}",
                )
            elif raw and int(raw):
                payload["competencies"][area] = int(raw)
        payload["allies"] = {}
        for service in taxonomy.service_keys:
            ally = self.get(f"ally_{service}")
            if len(ally) > MaxLength.ALLY_NAME:
                limit = MaxLength.ALLY_NAME
                self.fail(f"ally_{service}", f"an ally name has at most {limit} characters")
            elif ally:
                payload["allies"][service] = ally
        payload["certifications"], statuses = self.certifications()
        updated, verified = self.time("updated_at"), self.time("verified_at")
        confirmed = self.time("confirmed_at")
        try:
            partner = PartnerCreate.model_validate(payload)
        except ValidationError as exc:
            for error in exc.errors():
                reason = str(error["msg"]).removeprefix("Value error, ")
                self.fail(self.column_of(error["loc"]), reason)
            return None
        if self.errors:
            return None
        return ParsedRow(partner, tuple(statuses), updated, verified, confirmed)

    def column_of(self, loc: tuple[Any, ...]) -> str:
        name = str(loc[0]) if loc else ""
        if name == "locations":
            first_is_hq = bool(self.get("hq_zip"))
            return "hq_zip" if first_is_hq and len(loc) > 1 and loc[1] == 0 else "branch_zips"
        return {"competencies": "level_*", "allies": "ally_*"}.get(name, name)

    def yes_no(self, column: str) -> bool:
        """yes / no (any case; 1 / 0, true / false too); blank or a file without the
        column = yes, the default of a profile."""
        raw = self.get(column).casefold()
        if raw in ("", YES, "1", "true"):
            return True
        if raw in (NO, "0", "false"):
            return False
        self.fail(column, f"must be yes or no, not {raw[:40]!r}")
        return True

    def radius(self) -> float | None:
        raw = self.get("service_radius_km")
        if not raw:
            return None
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if value != value or value in (float("inf"), float("-inf")):
            self.fail("service_radius_km", f"must be a number of kilometres, not {_shown(raw)}")
            return None
        return value

    def locations(self) -> list[dict[str, Any]]:
        hq, branches = self.get("hq_zip"), split_list(self.get("branch_zips"))
        found = []
        if not hq and branches:
            self.fail("hq_zip", "a headquarters ZIP is needed when branch_zips are given")
        for column, text in [("hq_zip", hq)] * bool(hq) + [("branch_zips", b) for b in branches]:
            place = lookup_zip(text)
            if place is None:
                self.fail(column, _zip_problem(text))
            else:
                found.append({"zip_code": place.zip_code, "is_headquarters": column == "hq_zip"})
        return found

    def certifications(self) -> tuple[list[dict[str, Any]], list[str]]:
        catalogue = get_taxonomy().certifications
        items, statuses = [], []
        for n, item in enumerate(split_list(self.get("certifications")), start=1):
            parts = [part.strip() for part in item.split("|")]
            if not 2 <= len(parts) <= 4:
                self.fail(
                    "certifications", f"item {n} {_shown(item)}: write key|obtained|expires|status"
                )
                continue
            key, obtained_text, expires_text, status = (*parts, "", "")[:4]
            obtained, expires = _parse_date(obtained_text), _parse_date(expires_text)
            status = status or CERT_STATUSES[0]
            problems = []
            if key not in catalogue:
                problems.append("not in the certification catalogue")
            if obtained is None:
                problems.append("obtained date must be YYYY-MM-DD")
            elif obtained > self.now.date():
                problems.append("obtained date is in the future")
            if expires_text and expires is None:
                problems.append("expiry date must be YYYY-MM-DD or blank")
            elif obtained and expires and expires < obtained:
                problems.append("expires before it was obtained")
            if status not in CERT_STATUSES:
                problems.append(f"status must be one of {', '.join(CERT_STATUSES)}")
            if problems:
                self.fail("certifications", f"item {n} ({key}): {'; '.join(problems)}")
                continue
            items.append({"certification_key": key, "obtained_on": obtained, "expires_on": expires})
            statuses.append(status)
        return items, statuses

    def time(self, column: str) -> datetime | None:
        raw = self.get(column)
        if not raw:
            return None
        try:
            value = datetime.fromisoformat(raw)
            # A time at the calendar's edge may fall outside it in UTC: 0001-01-01T00:00+01:00
            # is in year 0, which astimezone reports with an OverflowError.
            value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
        except (ValueError, OverflowError):
            self.fail(
                column, f"must be an ISO 8601 time such as 2025-03-01T14:30:00Z, not {_shown(raw)}"
            )
            return None
        if value > self.now + timedelta(days=1):
            self.fail(column, "is in the future")
            return None
        return value
