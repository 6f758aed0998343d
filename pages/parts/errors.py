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
