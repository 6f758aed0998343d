"""The floor of bench/load.py: Find partners' filter widgets and nothing else.

The same panel (pages.parts.search_filters.find_filters, so the same widgets, help texts and
expanders), drawn in a fragment as Find partners draws its search, starting at the same search
as the benchmark's link. Instead of a search it shows one number that changes with every
filter change (a checksum of the widget values), in the container the benchmark watches.
What a filter change costs the server here is what Streamlit itself costs for these widgets:
no implementation of the search page can do less, so Find partners' CPU per change is
compared with this one. Like Find partners it freezes its long-lived objects out of the
garbage collector's per-run pass (pages.parts.search_gc).

Run: streamlit run bench/floor_app/app.py (bench/load.py starts it beside the app).
"""

from __future__ import annotations

import sys
import zlib
from pathlib import Path

import streamlit as st

# `streamlit run bench/floor_app/app.py` puts this folder on the path, not the project.
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.search.form import form_values  # noqa: E402 - needs the path above
from core.search.query import SearchQuery  # noqa: E402
from pages.parts.search_filters import find_filters  # noqa: E402
from pages.parts.search_gc import freeze_long_lived  # noqa: E402

K = "find_"
START = SearchQuery(needs=["security"], near="60601", radius_km=80)

st.set_page_config(page_title="Floor", layout="wide")


def reset() -> None:
    st.session_state.update(form_values(START, prefix=K))


@st.fragment
def floor_page() -> None:
    if f"{K}near" not in st.session_state:
        reset()
    filters, main = st.columns([1.2, 2.5], gap="large")
    with filters:
        find_filters(K, on_reset=reset)
    state = sorted((k, repr(v)) for k, v in st.session_state.items() if k.startswith(K))
    with main, st.container(key="find_result_count"):
        st.subheader(f"{zlib.crc32(repr(state).encode()):,} partners match", anchor="results")
    # As Find partners does: the long-lived objects (modules, taxonomy) leave Streamlit's
    # per-run full collection, else the floor would pay for a collection the page does not.
    freeze_long_lived(START)


floor_page()
