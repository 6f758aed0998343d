"""One partner CSV row: cells that once crashed the import are reported as row problems."""

from __future__ import annotations

from datetime import UTC, datetime

from core.interchange.rows import RowParser, as_id

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _parse(**cells: str) -> RowParser:
    parser = RowParser(2, {"name": "Acme Networks", "hq_zip": "78701", **cells}, NOW)
    parser.parse()
    return parser


def test_a_time_that_leaves_the_calendar_in_utc_is_a_row_problem_not_a_crash() -> None:
    # 0001-01-01 00:00 at +01:00 is 31 December of year 0 in UTC, which datetime cannot hold.
    parser = _parse(updated_at="0001-01-01T00:00:00+01:00", verified_at="9999-12-31T23:30-01:00")
    reasons = {e.column: e.reason for e in parser.errors}
    assert set(reasons) == {"updated_at", "verified_at"}
    assert "ISO 8601" in reasons["updated_at"]


def test_a_partner_ref_too_long_for_an_int_gets_a_fresh_id_instead_of_crashing() -> None:
    assert as_id("9" * 5000) is None
    assert as_id("1" + "0" * 10) is None  # past PostgreSQL's integer column
    assert as_id("²") is None
    assert as_id("42") == 42
