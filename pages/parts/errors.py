"""The one place every page passes through (app.py): unexpected errors become a plain message
with a reference (core.errors), the traceback goes to the server log."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import streamlit as st
from streamlit.errors import StreamlitAPIException

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


# A role page whose sign-in could not be checked (pages.current_account, database away).
SIGN_IN_UNAVAILABLE = (
    "The directory's database is temporarily unavailable, so sign-in cannot be checked and "
    "nothing was saved. You are still signed in and what you typed is kept: please try again "
    "in a minute."
)
STOPPED_BY_OUTAGE_KEY = "stopped_by_outage"  # the last run stopped before the page's widgets


def stop_for_outage() -> None:
    """Say sign-in is unavailable and end the run; a "Try again" click is the rerun."""
    st.warning(SIGN_IN_UNAVAILABLE, icon="⚠️")
    st.button("Try again", key="sign_in_unavailable_retry")
    st.session_state[STOPPED_BY_OUTAGE_KEY] = True
    st.stop()


def show_kept_input_again() -> None:
    """After a run that an outage stopped before the page drew its widgets (setup_page), send
    the kept values to the browser again.

    The server keeps what was typed (a stopped run drops no widget state), but the browser
    forgot the widgets it no longer showed and would redraw them with their defaults, and
    send those back on the next click. Setting a value through session state makes Streamlit
    send it with the widget. Booleans are left alone: buttons are booleans and must never be
    set (Streamlit refuses), so a checkbox shows its default, the one loss left.
    """
    if not st.session_state.pop(STOPPED_BY_OUTAGE_KEY, False):
        return
    for key in list(st.session_state.keys()):
        value = st.session_state[key]
        if isinstance(value, (str, int, float, list, tuple, date)) and not isinstance(value, bool):
            # A widget this run has drawn already (the sidebar's) cannot be set: left alone.
            with contextlib.suppress(StreamlitAPIException):
                st.session_state[key] = value


OUT_OF_DATE = (
    "The directory's database cannot be reached right now: these results come from this "
    "server's copy of the directory and may be out of date. Nothing can be saved until it is "
    "back."
)


def database_unreachable() -> bool:
    """Whether this process's last directory check could not reach the database: optional
    writes (demand statistics) are skipped rather than waiting on a connect timeout."""
    from pages import get_index_holder  # pages imports this module

    return bool(getattr(get_index_holder(), "database_unreachable", False))


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
