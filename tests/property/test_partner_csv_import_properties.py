"""Malformed partner CSV files: every problem is a row report, and a rejected import
changes nothing in the directory."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from core.db import create_db_engine
from core.interchange.format import ALL_OR_NOTHING, VALID_ROWS_ONLY, RowError, csv_columns
from core.interchange.importer import import_partners_csv
from tests.conftest import REPO_ROOT, copy_sqlite_database

DIRECTORY_TABLES = (
    "partner",
    "partner_location",
    "partner_competency",
    "partner_certification",
    "audit_event",
    "data_version",
)
COLUMNS = csv_columns()

# Cells people and attackers actually put into spreadsheets, plus anything at all.
AWKWARD_CELLS = [
    "",
    "78701",
    "1001",
    "Acme Networks",
    '=HYPERLINK("http://evil.example","click")',
    "'=1+1",
    "+1 512 555 0101",
    "@SUM(A1)",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "2025-03-01T14:30:00Z",
    "9" * 5000,
    "²",
    "٣",
    "3",
    "7",
    "-1",
    "nan",
    "inf",
    "1e999",
    "a\x00b",
    "x" * 20_000,
    "TX;CA;ZZ",
    "1-10;11-50",
    "microsoft-solutions-partner-modern-work|2024-06-10||approved",
    "key|0001-01-01|9999-99-99|maybe",
    'Line one\nline two, "quoted"',
]
cells = st.one_of(st.sampled_from(AWKWARD_CELLS), st.text(max_size=30))


# Values aimed at one kind of column, so a bad value lands where it can do harm.
COLUMN_CELLS = {
    "partner_ref": ["1001", "7", "9" * 5000, "²", "-3", "2147483648", "0"],
    "updated_at": ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2025-13-01", "²"],
    "hq_zip": ["78701", "00901", "1234", "²²²²²", "99999", "78701-1234"],
    "level_": ["0", "3", "4", "²", "-1", "9" * 5000, "1.0"],
    "service_radius_km": ["50", "1e999", "nan", "-5", "9" * 5000],
}
COLUMN_CELLS["verified_at"] = COLUMN_CELLS["updated_at"]


def _cells_for(column: str) -> st.SearchStrategy[str]:
    kind = "level_" if column.startswith("level_") else column
    aimed = COLUMN_CELLS.get(kind)
    return st.one_of(st.sampled_from(aimed), cells) if aimed else cells


@st.composite
def csv_texts(draw: st.DrawFn) -> str:
    header = draw(st.permutations(COLUMNS))[: draw(st.integers(1, len(COLUMNS)))]
    if draw(st.integers(0, 3)):  # usually a header the importer accepts, with the risky columns
        risky = [c for c in ("partner_ref", "updated_at", "verified_at") if draw(st.booleans())]
        header = [
            "name",
            "hq_zip",
            *risky,
            *(c for c in header if c not in {"name", "hq_zip", *risky}),
        ]
    if draw(st.integers(0, 9)) == 0:
        header = [*header, draw(st.sampled_from(["bogus", "", "name", "=cmd"]))]
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.integers(0, 4)):
            rows.append([draw(_cells_for(column)) for column in header])
        else:  # the wrong number of values
            width = len(header) + draw(st.sampled_from([-1, 1, -len(header)]))
            rows.append([draw(cells) for _ in range(max(width, 0))])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows(
        [header, *rows]
    )
    return buffer.getvalue()


@st.composite
def csv_files(draw: st.DrawFn) -> bytes | io.StringIO:
    body = draw(csv_texts())
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "text", "raw"]))
    if encoding == "text":  # an uploaded file already decoded (a str source is a path)
        return io.StringIO(body)
    if encoding == "raw":
        return draw(st.binary(max_size=400))
    data = body.encode(encoding, errors="replace")
    if draw(st.integers(0, 5)) == 0 and data:  # a stray NUL or a cut in the middle
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\x00", b"", b"\xff\xfe"])) + data[at:]
    return data


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory: pytest.TempPathFactory, sqlite_schema_template: Path) -> Path:
    """A small directory: the two partners (1001, 1002) of the published template file."""
    path = tmp_path_factory.mktemp("seeded") / "seeded.sqlite"
    copy_sqlite_database(sqlite_schema_template, path)
    engine = create_db_engine(f"sqlite:///{path}")
    report = import_partners_csv(engine=engine, source=REPO_ROOT / "data" / "partner_template.csv")
    engine.dispose()
    assert report.imported == 2, report.errors
    return path


@pytest.fixture(scope="module")
def engine(seeded_file: Path) -> Iterator[Engine]:
    engine = create_db_engine(f"sqlite:///{seeded_file}")
    yield engine
    engine.dispose()


def _checksum(engine: Engine) -> str:
    digest = hashlib.sha256()
    with engine.connect() as connection:
        for table in DIRECTORY_TABLES:
            rows = connection.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all()
            digest.update(f"{table}:{len(rows)}:{rows!r}".encode())
    return digest.hexdigest()


def _assert_readable(errors: list[RowError]) -> None:
    for error in errors:
        assert isinstance(error, RowError)
        assert error.line >= 1 and error.reason.strip()
        assert len(str(error)) < 400, str(error)  # a huge cell is never echoed in full


@given(source=csv_files())
def test_a_rejected_all_or_nothing_import_is_reported_and_changes_nothing(
    engine: Engine, source: bytes | io.StringIO
) -> None:
    before = _checksum(engine)
    report = import_partners_csv(engine=engine, source=source, mode=ALL_OR_NOTHING)
    _assert_readable(report.errors)
    event("rejected" if report.errors else "accepted")
    if report.errors or report.imported == 0:
        assert report.imported == 0
        assert _checksum(engine) == before
    else:  # a file that happened to be valid: put the seeded directory back for the next one
        assert report.imported == report.rows
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM partner_certification WHERE partner_id > 1002"))
            connection.execute(text("DELETE FROM partner_competency WHERE partner_id > 1002"))
            connection.execute(text("DELETE FROM partner_location WHERE partner_id > 1002"))
            connection.execute(text("DELETE FROM partner WHERE id > 1002"))


@given(source=csv_files())
def test_valid_rows_only_reports_every_bad_row_without_crashing(
    tmp_path: Path, seeded_file: Path, source: bytes | io.StringIO
) -> None:
    work = tmp_path / "work.sqlite"
    copy_sqlite_database(seeded_file, work)
    engine = create_db_engine(f"sqlite:///{work}")
    try:
        report = import_partners_csv(engine=engine, source=source, mode=VALID_ROWS_ONLY)
    finally:
        engine.dispose()
    _assert_readable(report.errors)
    assert report.imported + report.rejected <= report.rows
    assert report.summary()
