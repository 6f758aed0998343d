"""core.errors during a database outage: the visitor reads "nothing was saved" with a
reference; the log gets one line (no traceback) naming the reference and the driver's words."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError, StatementError

from core.errors import is_database_unavailable, report_unexpected


def _refused() -> OperationalError:
    return OperationalError("SELECT 1", {}, ConnectionRefusedError("db.internal:5432 refused"))


def test_an_outage_is_one_log_line_and_a_plain_nothing_was_saved(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="partner_atlas.errors"):
        shown = report_unexpected(_refused(), where="my_profile")
    assert "temporarily unavailable, so nothing was saved" in shown
    assert "db.internal" not in shown and "5432" not in shown
    (record,) = caplog.records
    reference = shown.rsplit("reference ", 1)[1].rstrip(").")
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert reference in record.getMessage() and "db.internal:5432 refused" in record.getMessage()


def test_a_wrapped_outage_counts_and_a_query_bug_does_not() -> None:
    wrapper = StatementError("while saving", None, {}, None)
    wrapper.__cause__ = _refused()
    assert is_database_unavailable(wrapper)
    assert not is_database_unavailable(IntegrityError("INSERT", {}, ValueError("duplicate")))
    assert not is_database_unavailable(RuntimeError("a bug"))
