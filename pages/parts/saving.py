"""Write, show the outcome, rerun: the one way a page saves something.

``save`` runs one core write in its own transaction (``session_scope``: commit on success,
rollback on any error). A refusal of core (``PermissionDenied``, or the error types the page
names) is shown where the page called ``save``, and nothing reruns, so the form keeps what
was typed. Success leaves its message for ``show_saved`` and reruns, so the page redraws
from what is stored now and the message survives the rerun. Any other error is not the
visitor's to read: it propagates (the page may handle its own, as My profile does).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from sqlmodel import Session

from core.access import PermissionDenied
from core.db import session_scope
from pages import get_engine

T = TypeVar("T")
SAVED_KEY = "saved_message"  # the message of the last save, shown once after the rerun


def save(
    action: Callable[[Session], T],
    *,
    errors: tuple[type[Exception], ...] = (),
    done: str | Callable[[T], str | None] | None = None,
) -> None:
    """Run ``action(session)``; show a refusal, or rerun with ``done``'s message.

    ``done`` is the success message, or a function of the action's result that does what
    must follow a success (after the commit) and returns the message (None: no message).
    """
    try:
        with session_scope(get_engine()) as session:
            result = action(session)
    except (PermissionDenied, *errors) as exc:
        st.error(str(exc))  # core's messages are written for the person who asked
        return
    message = done(result) if callable(done) else done
    if message:
        show_after_rerun(message)
    st.rerun()


def show_after_rerun(message: str) -> None:
    """Leave a success message for ``show_saved`` on the next run (before ``st.rerun()``)."""
    st.session_state[SAVED_KEY] = message


def show_saved() -> None:
    """The message of the save that caused this rerun, once, where the page wants it."""
    if message := st.session_state.pop(SAVED_KEY, None):
        st.success(message)
