"""Hostile partner names and cities never reach the map's HTML or JavaScript as code.

folium writes popups and tooltips into JavaScript template literals and Leaflet parses them
as HTML; the marker callback pastes row text into popup HTML. Each payload below would run
script (or break the page) if it got through unescaped.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text
from sqlmodel import Session

from core.db import create_db_engine
from core.maps.build import (
    build_partner_area_map,
    build_partner_layer,
    build_regional_base_map,
    build_selection_layer,
    partner_popup_html,
    render_map_html,
)
from core.maps.data import marker_rows, selected_partner
from core.maps.escaping import escape_for_map, js_value
from core.maps.layers import DetailPlan
from core.migrations import migrate
from core.search.index import build_read_index
from core.search.query import SearchQuery
from core.search.ranking import match_partners
from tests.public_directory import add_partner

IMG = "<img src=x onerror=alert(1)>"
TEMPLATE = "`${alert(1)}`"
SCRIPT = "</script><script>alert(1)</script>"
BACKSLASH = "Ends in \\"
PAYLOADS = [IMG, TEMPLATE, SCRIPT, BACKSLASH]
# folium's own code uses backticks, so the checks look for the payloads, not single characters.
RAW_FRAGMENTS = [IMG, TEMPLATE, SCRIPT, "<img", "${alert", "</script><script>"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_escape_for_map_leaves_no_html_or_template_literal_syntax(payload):
    escaped = escape_for_map(payload)
    for char in "<>\"'`$\\":
        assert char not in escaped
    assert html.unescape(escaped) == payload  # the browser shows the original text


def test_js_value_cannot_end_its_script_element():
    literal = js_value([SCRIPT, "<!--"])
    assert "</script" not in literal and "<!--" not in literal


@pytest.fixture
def hostile_index(tmp_path: Path):
    engine = create_db_engine(f"sqlite:///{tmp_path / 'hostile.sqlite'}")
    migrate(engine)
    with Session(engine) as session:
        for name in PAYLOADS:
            add_partner(session, name=name, zips=("78701",), levels={"security": 2})
        # A city is user input too (an import file or a profile edit can set it).
        session.execute(text("UPDATE partner_location SET city = :city"), {"city": IMG})
        session.commit()
    try:
        yield build_read_index(engine)
    finally:
        engine.dispose()


def readable(page: str) -> str:
    """The page with JSON's escaped ampersands (tojson writes & as \\u0026) put back."""
    return page.replace("\\u0026", "&")


def assert_no_raw_payload(page: str) -> None:
    for fragment in RAW_FRAGMENTS:
        assert fragment not in page, fragment
        assert fragment not in readable(page), fragment
    # The lone backslash arrives as a character reference, never as an escape character.
    assert "Ends in &#92;" in readable(page)
    assert not re.search(r"Ends in \\(?!u0026)", page)


def test_regional_map_markers_escape_hostile_names_and_cities(hostile_index):
    query = SearchQuery(needs=["security"], near="78701", radius_km=10)
    matches = match_partners(hostile_index, query, None)
    plan = DetailPlan("markers", None)
    rows = marker_rows(hostile_index, query, matches, plan)
    assert len(rows) == len(PAYLOADS)
    layer = build_partner_layer(plan, markers=rows, need_labels=["Security"])
    page = render_map_html(build_regional_base_map(choropleth=None), [layer])
    assert_no_raw_payload(page)
    assert escape_for_map(TEMPLATE) in readable(page)
    assert escape_for_map(IMG) in readable(page)


def test_selected_partner_popup_tooltip_and_service_area_escape_hostile_text(hostile_index):
    query = SearchQuery(needs=["security"])
    matches = match_partners(hostile_index, query, None)
    layers = []
    for partner_id in hostile_index.partner_ids:
        details = selected_partner(hostile_index, query, matches, int(partner_id))
        assert details is not None
        popup = partner_popup_html(
            partner_id=details.partner_id,
            name=details.name,
            city=details.city,
            distance=details.distance,
            coverage_lines=[details.city],
        )
        layers.append(
            build_selection_layer(
                locations=details.locations,
                service_radius_km=25,
                states_served=["TX"],
                popup_html=popup,
            )
        )
    page = render_map_html(build_regional_base_map(choropleth=None), layers)
    assert_no_raw_payload(page)


def test_partner_area_map_escapes_hostile_location_labels():
    m = build_partner_area_map(
        locations=[(30.27, -97.74 + i / 10, label) for i, label in enumerate(PAYLOADS)],
        service_radius_km=30,
        states_served=["TX"],
    )
    assert_no_raw_payload(m.get_root().render())


def test_escaped_rows_survive_only_as_data(hostile_index):
    rows = marker_rows(
        hostile_index,
        SearchQuery(),
        match_partners(hostile_index, SearchQuery(), None),
        DetailPlan("markers", None),
    )
    names = sorted(html.unescape(row[3]) for row in rows)
    assert names == sorted(PAYLOADS)
    assert all(html.unescape(row[4]) == f"{IMG}, TX" for row in rows)
    assert np.all([isinstance(row[2], int) for row in rows])
