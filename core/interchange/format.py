"""The partner CSV layout (see ``core.interchange``): columns, reports and cell formatting."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from core import csv_safety
from core.taxonomy import get_taxonomy

ALL_OR_NOTHING, VALID_ROWS_ONLY = "all_or_nothing", "valid_rows_only"
REQUIRED_COLUMNS = ("name", "hq_zip")
GUARDED_COLUMNS = ("name", "description", "email")  # plus every ally_<service>
# Formula guarding lives in core.csv_safety (one guard for every CSV the app writes).
FORMULA_START = csv_safety.FORMULA_START

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
        # Issue 13, appended so older files keep their layout (missing = the defaults).
        "confirmed_at",
        "industries",
        "languages",
        "delivery",
        "accepting_new_clients",
    ]


YES, NO = "yes", "no"


# --------------------------------------------------------------------------- formatting


def guard(text: str) -> str:
    return str(csv_safety.guard_cell(text))


def unguard(text: str) -> str:
    return csv_safety.unguard_cell(text)


def errors_csv(report: ImportReport) -> bytes:
    """The import's problems as a CSV to download: the reasons and columns quote the uploaded
    headers and cells, so every cell is guarded (a ``=HYPERLINK(...)`` header included)."""
    buffer = io.StringIO()
    writer = csv_safety.SafeCsvWriter(buffer)
    writer.writerow(["line", "column", "reason"])
    writer.writerows([e.line, e.column, e.reason] for e in report.errors)
    return buffer.getvalue().encode("utf-8")


def format_number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def format_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def split_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]
