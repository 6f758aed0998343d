"""The one place every page passes through (app.py): unexpected errors become a plain message
with a reference (core.errors), the traceback goes to the server log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from core.errors import report_unexpected


@contextmanager
def plain_errors(where: str) -> Iterator[None]:
    """Run the block; an exception shows a plain message and ends the run.

    st.stop, st.rerun and st.switch_page are BaseExceptions (Streamlit's control flow) and
    pass through untouched. Ending with st.stop also keeps what the visitor typed: a run
    that stops early does not drop the widgets it did not draw (tests/app/
    test_failed_save_keeps_input.py), so a save that failed during an outage is still in
    the form on the next run.
    """
    try:
        yield
    except Exception as exc:  # every bug and outage, by design: nothing reaches the browser
        st.error(report_unexpected(exc, where=where), icon="⚠️")
        st.stop()


OUT_OF_DATE = (
    "The directory's database cannot be reached right now: these results come from this "
    "server's copy of the directory and may be out of date. Nothing can be saved until it is "
    "back; this page recovers by itself."
)


def directory_index():  # type: ignore[no-untyped-def]
    """The read index for a search page; says so when it may be out of date.

    When the database is away the holder answers from the index it has (and raises only
    when it has none: plain_errors then says "temporarily unavailable").
    """
    from pages import get_index_holder  # pages imports this module's siblings

    holder = get_index_holder()
    index = holder.get()
    # getattr: ReadIndexHolder gains the flag in issue 15 (p15a); older ones never say so.
    if getattr(holder, "database_unreachable", False):
        st.warning(OUT_OF_DATE, icon="⚠️")
    return index
