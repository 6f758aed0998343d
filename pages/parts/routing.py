"""The one workaround for a deep link that is the very first request of a fresh server.

What Streamlit 1.67 does (its source, under streamlit/):

* ``runtime/pages_manager.py``, ``PagesManager.__init__``: the *class* attribute
  ``uses_pages_directory`` is set once per process, when the first session starts, to whether
  a ``pages`` folder sits beside the main script. Ours does (the product keeps ``pages/``).
* ``runtime/scriptrunner/script_runner.py``, ``ScriptRunner._run_script``: while that flag is
  true, every run goes through ``_mpa_v1``, the old "pages folder" mode: each ``pages/*.py``
  (not ``__init__.py``, not sub-folders) becomes a page named by its file stem, app.py the
  default one, and the requested page file runs directly: app.py's body, its menu and its
  ``st.navigation``, are skipped. That navigation is listed in the sidebar unless the config
  option ``client.showSidebarNavigation`` is false (then it is hidden).
* ``commands/navigation.py``, ``navigation()``: the only place the flag is switched off, on
  st.navigation's first call. No config option or public API does it, and nothing switches it
  back on. So without help, a fresh server whose first request is ``/my_profile`` runs page
  files directly for every visitor until someone opens ``/``.

What Partner Atlas does about it, all here:

1. Every page's URL is its file's stem (``app_page``): the only URLs the old mode knows, so
   the first deep link reaches its page instead of "Page not found".
2. That page's ``setup_page`` calls ``leave_legacy_pages_mode``: it switches the flag off, as
   st.navigation would, and reruns, so this very request is routed through app.py.
3. ``.streamlit/config.toml`` sets ``client.showSidebarNavigation = false``, so the one run in
   the old mode never lists the restricted pages.

The flag is Streamlit's internal: it is read defensively. If a future Streamlit drops or
changes it, nothing crashes: a warning is logged once and pages simply run; each page's own
access check (``setup_page``) still protects it, and step 3 still hides the list of pages.
tests/e2e/test_access_deep_links.py fails when the rerouting stops working.
"""

from __future__ import annotations

import logging
from typing import Any

import streamlit as st

try:  # an internal module: a future Streamlit may move or drop it
    from streamlit.runtime.pages_manager import PagesManager as _PagesManager
except ImportError:  # pragma: no cover - depends on the installed Streamlit
    _PagesManager = None

log = logging.getLogger(__name__)
FLAG = "uses_pages_directory"
ROUTED_KEY = "routed_by_app"  # session state: app.py's st.navigation has routed this session
_warned: set[str] = set()


def app_page(file: str, title: str, icon: str, **kwargs: Any) -> st.Page:
    """The app's page for ``pages/<file>.py``, at the URL ``/<file>`` (see 1. above)."""
    return st.Page(f"pages/{file}.py", title=title, icon=icon, url_path=file, **kwargs)


def mark_routed_by_app() -> None:
    """Called by app.py after st.navigation: this session's runs go through app.py."""
    st.session_state[ROUTED_KEY] = True


def _warn_once(problem: str) -> None:
    if problem not in _warned:
        _warned.add(problem)
        log.warning(
            "Partner Atlas cannot tell whether Streamlit runs a page in its legacy pages-folder "
            "mode (%s): a first deep link on a fresh server may run its page without app.py. "
            "Each page still checks access itself. See pages/parts/routing.py.",
            problem,
        )


def legacy_pages_mode() -> bool | None:
    """Whether this run is in Streamlit's legacy pages-folder mode; None when it cannot tell."""
    if _PagesManager is None:
        _warn_once("streamlit.runtime.pages_manager.PagesManager is gone")
        return None
    value = getattr(_PagesManager, FLAG, _warned)  # _warned: a sentinel, never a flag value
    if value is _warned:
        _warn_once(f"PagesManager.{FLAG} is gone")
        return None
    if value is not None and not isinstance(value, bool):
        _warn_once(f"PagesManager.{FLAG} is {type(value).__name__}, not bool")
        return None
    return bool(value)


def leave_legacy_pages_mode() -> None:
    """Hand a run that Streamlit made in its legacy mode to app.py (see 2. above).

    A session app.py has already routed (AppTest resets the mode before every run) only
    switches it off: rerunning there would drop the click that started the run.
    """
    if not legacy_pages_mode():
        return
    try:
        setattr(_PagesManager, FLAG, False)
    except (AttributeError, TypeError) as exc:  # e.g. a read-only property one day
        _warn_once(f"PagesManager.{FLAG} cannot be set: {exc}")
        return
    if not st.session_state.get(ROUTED_KEY):
        st.rerun()
