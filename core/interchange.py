"""Partner CSV interchange: one row per partner, covering the whole profile.

UTF-8, comma-separated, RFC 4180 quoting (a description may hold commas, quotes and line
breaks), one header row. Columns, in export order (import accepts any order):

==================  ====================================================================
partner_ref         stable id for round trips: the database id on export. On import a
                    positive whole number that no partner uses yet becomes the new
                    partner's id (so export -> import into an empty database keeps every
                    id); anything else gets a fresh id. Must be unique within the file.
name                required column and value, 2–120 characters
description         up to 2,000 characters
website             http:// or https:// address
email, phone        contact details
hq_zip              required column: 5-digit ZIP of the headquarters (may be blank
                    for a partner without offices, e.g. one serving whole states)
branch_zips         other office ZIPs, separated by ``;`` (needs an hq_zip)
service_radius_km   how far from its offices the partner travels; blank = no radius
states_served       whole states served, two-letter codes separated by ``;``
segments            company sizes served, separated by ``;`` (1-10;11-50;51-200;…)
level_<area>        one column per technology domain and business service of the
                    taxonomy: 0 none, 1 foundational, 2 proficient, 3 expert; blank = 0
ally_<service>      the named ally a business service is delivered through, if any
certifications      items ``key|obtained|expires|status`` separated by ``;``: a key of the
                    certification catalogue, ISO dates (expires may be blank), status
                    pending (the default), approved or rejected
updated_at          ISO 8601 UTC time of the last profile update; blank = now
verified_at         ISO 8601 UTC time of the last verification; blank = never
==================  ====================================================================

Only ``name`` and ``hq_zip`` must be in the header; unknown columns are rejected. Every row
is checked through ``PartnerCreate`` plus the rules above, and each problem is reported as
a ``RowError`` with the line it starts on (the header is line 1). Imports run in ONE
transaction: in ``all_or_nothing`` mode nothing is written when any row is bad, in
``valid_rows_only`` mode the good rows are written and the rest reported. Every imported
partner gets a "created" audit event under ``actor_label``; the data version is bumped once.
Certification statuses in the file are taken as given: import is an administrator's tool.

Spreadsheet safety: a text cell starting with ``= + - @`` (or a tab, or ``'``) is exported
with a leading ``'`` so a spreadsheet shows it as text instead of running it as a formula;
import removes that one ``'`` again, so files still round-trip byte for byte.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError
from sqlalchemy import Engine, select
from sqlmodel import Session

from core.geo import lookup_zip
from core.models import (
    Partner,
    PartnerCertification,
    PartnerCompetency,
    PartnerCreate,
    PartnerLocation,
    utc_now,
)
from core.profiles_io import (
    CERT_STATUSES,
    PartnerRecord,
    begin_partner_insert,
    insert_partner_records,
    sync_id_sequences,
)
from core.taxonomy import MAX_LEVEL, get_taxonomy

ALL_OR_NOTHING, VALID_ROWS_ONLY = "all_or_nothing", "valid_rows_only"
REQUIRED_COLUMNS = ("name", "hq_zip")
GUARDED_COLUMNS = ("name", "description", "email")  # plus every ally_<service>
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
BATCH = 500

Source = str | os.PathLike[str] | bytes | IO[str] | IO[bytes]
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}" if self.column else f"line {self.line}"
        return f"{where}: {self.reason}"


@dataclass
class ImportReport:
    mode: str
    rows: int = 0  # data rows read (blank lines are not rows)
    imported: int = 0
    rejected: int = 0  # rows with at least one problem
    ids_kept: int = 0  # rows whose partner_ref became their id
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.imported == 0 and self.errors:
            has = "has" if self.rejected == 1 else "have"
            return f"Nothing was imported: {self.rejected} of {self.rows} rows {has} problems."
        text = f"Imported {self.imported} of {self.rows} partners."
        rejected = "1 row was" if self.rejected == 1 else f"{self.rejected} rows were"
        return text + (f" {rejected} rejected." if self.rejected else "")


def csv_columns() -> list[str]:
    taxonomy = get_taxonomy()
    return [
        "partner_ref",
        "name",
        "description",
        "website",
        "email",
        "phone",
        "hq_zip",
        "branch_zips",
        "service_radius_km",
        "states_served",
        "segments",
        *(f"level_{key}" for key in taxonomy.area_keys),
        *(f"ally_{key}" for key in taxonomy.service_keys),
        "certifications",
        "updated_at",
        "verified_at",
    ]


# --------------------------------------------------------------------------- formatting


def _guard(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def _unguard(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


def _format_number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _format_time(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:  # SQLite hands back what it stored: UTC without an offset
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


# --------------------------------------------------------------------------- export


def _export_rows(session: Session, batch_size: int) -> Iterator[list[str]]:
    taxonomy = get_taxonomy()
    area_keys, service_keys = taxonomy.area_keys, taxonomy.service_keys
    segment_keys = taxonomy.segment_keys
    p_, loc, comp, cert = (
        model.__table__
        for model in (Partner, PartnerLocation, PartnerCompetency, PartnerCertification)
    )
    # The first nine in the order the loop below unpacks them.
    partner_columns = [p_.c[name] for name in (
        "id", "name", "description", "website", "email", "phone", "service_radius_km",
        "states_served", "segments", "updated_at", "verified_at",
    )]  # fmt: skip
    last_id = 0
    while True:
        batch = session.execute(
            select(*partner_columns).where(p_.c.id > last_id).order_by(p_.c.id).limit(batch_size)
        ).all()
        if not batch:
            return
        ids = [row[0] for row in batch]
        last_id = ids[-1]
        offices: dict[int, list[tuple[bool, str]]] = {}
        for pid, is_hq, zip_code in session.execute(
            select(loc.c.partner_id, loc.c.is_headquarters, loc.c.zip_code)
            .where(loc.c.partner_id.in_(ids))
            .order_by(loc.c.id)
        ):
            offices.setdefault(pid, []).append((is_hq, zip_code))
        levels: dict[int, dict[str, int]] = {}
        allies: dict[int, dict[str, str]] = {}
        for pid, area, level, ally in session.execute(
            select(
                comp.c.partner_id, comp.c.area_key, comp.c.claimed_level, comp.c.ally_name
            ).where(comp.c.partner_id.in_(ids))
        ):
            levels.setdefault(pid, {})[area] = level
            if ally:
                allies.setdefault(pid, {})[area] = ally
        certs: dict[int, list[str]] = {}
        cert_columns = ("partner_id", "certification_key", "obtained_on", "expires_on", "status")
        for pid, key, obtained, expires, status in session.execute(
            select(*(cert.c[name] for name in cert_columns)).where(cert.c.partner_id.in_(ids))
        ):
            ends = expires.isoformat() if expires else ""
            certs.setdefault(pid, []).append(f"{key}|{obtained.isoformat()}|{ends}|{status}")
        for row in batch:
            pid, name, description, website, email, phone, radius, states, segments = row[:9]
            zips = [z for _, z in offices.get(pid, [])]
            hq = next((z for is_hq, z in offices.get(pid, []) if is_hq), zips[0] if zips else "")
            if hq:
                zips.remove(hq)
            own_levels, own_allies = levels.get(pid, {}), allies.get(pid, {})
            yield [
                str(pid),
                _guard(name),
                _guard(description or ""),
                website or "",
                _guard(email or ""),
                phone or "",
                hq,
                ";".join(zips),
                _format_number(radius),
                ";".join(sorted(states or [])),
                ";".join(k for k in segment_keys if k in (segments or [])),
                *(str(own_levels[k]) if own_levels.get(k) else "" for k in area_keys),
                *(_guard(own_allies.get(k, "")) for k in service_keys),
                ";".join(sorted(certs.get(pid, []))),
                _format_time(row.updated_at),
                _format_time(row.verified_at),
            ]


def export_partners_csv(
    *, engine: Engine, path_or_buffer: str | os.PathLike[str] | IO[str], batch_size: int = 1000
) -> int:
    """Write every partner, in id order, as one CSV row each; returns the number of rows.

    The output depends only on the data, so exporting twice gives identical files.
    """
    if isinstance(path_or_buffer, str | os.PathLike):
        with Path(path_or_buffer).open("w", encoding="utf-8", newline="") as handle:
            return export_partners_csv(engine=engine, path_or_buffer=handle, batch_size=batch_size)
    writer = csv.writer(path_or_buffer, lineterminator="\n")
    writer.writerow(csv_columns())
    count = 0
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            # One snapshot for the whole file, even while others keep writing.
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin(), Session(bind=connection) as session:
            for row in _export_rows(session, batch_size):
                writer.writerow(row)
                count += 1
    return count


# --------------------------------------------------------------------------- reading


class _UnreadableError(Exception):
    """The file cannot be read as CSV at all (encoding, quoting): no row can be trusted."""

    def __init__(self, error: RowError) -> None:
        super().__init__(str(error))
        self.error = error


def _reopenable(source: Source) -> Callable[[], IO[str]]:
    """A way to read the source twice: ids are planned in a first, light pass."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        return lambda: path.open(encoding="utf-8-sig", newline="")
    raw = source if isinstance(source, bytes) else source.read()
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise _UnreadableError(RowError(1, "", _NOT_UTF8)) from exc
    text = text.removeprefix("\ufeff")
    return lambda: io.StringIO(text, newline="")


_NOT_UTF8 = "the file is not UTF-8 text; save it as “CSV UTF-8”"


def _records(handle: IO[str]) -> Iterator[tuple[int, list[str]]]:
    """(line the record starts on, values); a quoted value may span several lines."""
    reader = csv.reader(handle, strict=True)
    line = 1
    try:
        for values in reader:
            yield line, values
            line = reader.line_num + 1
    except csv.Error as exc:
        raise _UnreadableError(RowError(line, "", f"not valid CSV: {exc}")) from exc
    except UnicodeDecodeError as exc:
        raise _UnreadableError(RowError(line, "", _NOT_UTF8)) from exc


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


def _scan(open_text: Callable[[], IO[str]], report: ImportReport) -> tuple[list[str], list[str]]:
    """First pass: header, row count and partner_refs, without validating anything."""
    with open_text() as handle:
        records = _records(handle)
        first = next(records, None)
        if first is None:
            raise _UnreadableError(RowError(1, "", "the file is empty; it needs a header row"))
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
class _Parsed:
    partner: PartnerCreate
    statuses: tuple[str, ...]
    updated_at: datetime | None
    verified_at: datetime | None


def _as_id(ref: str) -> int | None:
    # PostgreSQL's integer id column stops at 2**31 - 1.
    return int(ref) if ref.isascii() and ref.isdigit() and 0 < int(ref) < 2**31 else None


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _zip_problem(text: str) -> str:
    hint = ""
    if text.isdigit() and 3 <= len(text) <= 4:
        hint = f" (a spreadsheet may have dropped leading zeros: use {text.zfill(5)})"
    return f"unknown ZIP code {text!r}{hint}"


class _RowParser:
    """Turns one row's cells into a validated profile, collecting every problem found."""

    def __init__(self, line: int, cells: dict[str, str], now: datetime) -> None:
        self.line, self.now, self.errors = line, now, []
        self.cells = {
            k: _unguard(v) if k in GUARDED_COLUMNS or k.startswith("ally_") else v
            for k, v in cells.items()
        }

    def fail(self, column: str, reason: str) -> None:
        self.errors.append(RowError(self.line, column, reason))

    def get(self, column: str) -> str:
        return self.cells.get(column, "").strip()

    def parse(self) -> _Parsed | None:
        taxonomy = get_taxonomy()
        payload: dict[str, Any] = {
            key: self.get(key) for key in ("name", "description", "website", "email", "phone")
        }
        payload["description"] = self.cells.get("description", "")
        payload["service_radius_km"] = self.radius()
        payload["states_served"] = _split(self.get("states_served"))
        payload["segments"] = _split(self.get("segments"))
        payload["locations"] = self.locations()
        payload["competencies"] = {}
        for area in taxonomy.area_keys:
            raw = self.get(f"level_{area}")
            if raw and raw not in {str(v) for v in range(MAX_LEVEL + 1)}:
                self.fail(
                    f"level_{area}", f"level must be a whole number 0–{MAX_LEVEL}, not {raw!r}"
                )
            elif raw and int(raw):
                payload["competencies"][area] = int(raw)
        payload["allies"] = {}
        for service in taxonomy.service_keys:
            ally = self.get(f"ally_{service}")
            if len(ally) > 120:
                self.fail(f"ally_{service}", "an ally name has at most 120 characters")
            elif ally:
                payload["allies"][service] = ally
        payload["certifications"], statuses = self.certifications()
        updated, verified = self.time("updated_at"), self.time("verified_at")
        try:
            partner = PartnerCreate.model_validate(payload)
        except ValidationError as exc:
            for error in exc.errors():
                reason = str(error["msg"]).removeprefix("Value error, ")
                self.fail(self.column_of(error["loc"]), reason)
            return None
        if self.errors:
            return None
        return _Parsed(partner, tuple(statuses), updated, verified)

    def column_of(self, loc: tuple[Any, ...]) -> str:
        name = str(loc[0]) if loc else ""
        if name == "locations":
            first_is_hq = bool(self.get("hq_zip"))
            return "hq_zip" if first_is_hq and len(loc) > 1 and loc[1] == 0 else "branch_zips"
        return {"competencies": "level_*", "allies": "ally_*"}.get(name, name)

    def radius(self) -> float | None:
        raw = self.get("service_radius_km")
        if not raw:
            return None
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if value != value or value in (float("inf"), float("-inf")):
            self.fail("service_radius_km", f"must be a number of kilometres, not {raw!r}")
            return None
        return value

    def locations(self) -> list[dict[str, Any]]:
        hq, branches = self.get("hq_zip"), _split(self.get("branch_zips"))
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
        for n, item in enumerate(_split(self.get("certifications")), start=1):
            parts = [part.strip() for part in item.split("|")]
            if not 2 <= len(parts) <= 4:
                self.fail("certifications", f"item {n} {item!r}: write key|obtained|expires|status")
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
        except ValueError:
            self.fail(column, f"must be an ISO 8601 time such as 2025-03-01T14:30:00Z, not {raw!r}")
            return None
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
        if value > self.now + timedelta(days=1):
            self.fail(column, "is in the future")
            return None
        return value


# --------------------------------------------------------------------------- import


def _free_ids(session: Session, refs: list[str]) -> set[int]:
    """Numeric partner_refs no partner uses yet: those rows keep them as their ids."""
    wanted = {n for ref in refs if (n := _as_id(ref)) is not None}
    ordered = sorted(wanted)
    for start in range(0, len(ordered), 900):
        chunk = ordered[start : start + 900]
        wanted -= set(session.execute(select(Partner.id).where(Partner.id.in_(chunk))).scalars())
    return wanted


def import_partners_csv(
    *,
    engine: Engine,
    source: Source,
    mode: str = ALL_OR_NOTHING,
    actor_label: str = "import",
    progress: Progress | None = None,
) -> ImportReport:
    """Validate every row, then write the partners in one transaction (see the module doc).

    Returns an ImportReport; raises only for database failures, after rolling back.
    """
    if mode not in (ALL_OR_NOTHING, VALID_ROWS_ONLY):
        raise ValueError(f"mode must be {ALL_OR_NOTHING!r} or {VALID_ROWS_ONLY!r}")
    report = ImportReport(mode=mode)
    try:
        open_text = _reopenable(source)
        header, refs = _scan(open_text, report)
    except _UnreadableError as exc:
        report.errors.append(exc.error)
        return report
    if report.errors:  # a bad header makes every row unreadable
        return report
    total, report.rows = report.rows, 0
    with Session(engine) as session:
        try:
            written = _write_rows(
                session, open_text, header, refs, report, actor_label, progress, total
            )
            if written == 0 or (report.errors and mode == ALL_OR_NOTHING):
                session.rollback()
                report.ids_kept = 0
            else:
                sync_id_sequences(session=session, tables=[Partner.__table__])
                session.commit()
                report.imported = written
        except BaseException:
            session.rollback()
            raise
    if progress is not None:
        progress(1.0, report.summary())
    return report


def _write_rows(
    session: Session,
    open_text: Callable[[], IO[str]],
    header: list[str],
    refs: list[str],
    report: ImportReport,
    actor_label: str,
    progress: Progress | None,
    total: int,
) -> int:
    now = utc_now().replace(microsecond=0)
    top = begin_partner_insert(session=session)
    kept = _free_ids(session, refs)
    next_id = max(top, *kept) + 1 if kept else top + 1
    first_line_of: dict[str, int] = {}
    pending: list[PartnerRecord] = []
    written = 0
    with open_text() as handle:
        records = _records(handle)
        next(records)  # the header, checked by _scan
        for line, values in records:
            if not any(v.strip() for v in values):
                continue
            report.rows += 1
            if progress is not None and report.rows % 1000 == 0:
                progress(report.rows / total, f"Checked {report.rows:,} of {total:,} rows")
            ref = ""
            if len(values) != len(header):
                reason = f"{len(values)} values, but the header has {len(header)} columns"
                errors = [RowError(line, "", reason)]
                parsed = None
            else:
                cells = dict(zip(header, values, strict=True))
                ref = cells.get("partner_ref", "").strip()
                parser = _RowParser(line, cells, now)
                parsed = parser.parse()
                errors = parser.errors
                if ref in first_line_of:
                    reason = f"{ref} is already used on line {first_line_of[ref]}"
                    errors.insert(0, RowError(line, "partner_ref", reason))
                elif ref:
                    first_line_of[ref] = line
            if errors or parsed is None:
                report.rejected += 1
                report.errors += errors
                continue
            if report.errors and report.mode == ALL_OR_NOTHING:
                continue  # nothing will be written: keep checking, stop writing
            number = _as_id(ref)
            if number is not None and number in kept:
                kept.discard(number)
                partner_id = number
                report.ids_kept += 1
            else:
                partner_id, next_id = next_id, next_id + 1
            pending.append(
                PartnerRecord(
                    partner=parsed.partner,
                    partner_id=partner_id,
                    created_at=now,
                    updated_at=parsed.updated_at or now,
                    verified_at=parsed.verified_at,
                    certification_statuses=parsed.statuses,
                )
            )
            if len(pending) >= BATCH:
                insert_partner_records(session=session, records=pending, actor_label=actor_label)
                written += len(pending)
                pending = []
    insert_partner_records(session=session, records=pending, actor_label=actor_label)
    return written + len(pending)
