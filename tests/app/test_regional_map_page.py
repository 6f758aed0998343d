"""Regional map page (AppTest): the Find partners query on a map, layers, clicks, escaping."""

from __future__ import annotations

import json
import re

from core.geo.places import lookup_zip
from tests.app.public_pages import assert_no_exception, go_by_sidebar, links, open_page, texts
from tests.public_directory import EVIL_NAME

pytest_plugins = ["tests.app.public_fixtures"]
PAGE = "regional_map.py"
MAP_KEY = "map_component"  # the page's st_folium key


def map_args(at) -> dict:  # type: ignore[no-untyped-def]
    """The arguments the page sent to the st_folium component (script, feature groups…)."""
    (component,) = at.get("component_instance")
    return json.loads(component.proto.json_args)


def click(at, zip_code: str, name: str):  # type: ignore[no-untyped-def]
    """What st_folium reports after a click on a partner's marker (the marker's position)."""
    place = lookup_zip(zip_code)
    at.session_state[MAP_KEY] = {
        "last_object_clicked": {"lat": place.latitude, "lng": place.longitude},
        "last_object_clicked_tooltip": name,
        "bounds": {
            "_southWest": {"lat": place.latitude - 1, "lng": place.longitude - 1},
            "_northEast": {"lat": place.latitude + 1, "lng": place.longitude + 1},
        },
        "zoom": 9,
    }
    return at.run()


def test_search_from_the_url_is_drawn_as_markers_with_the_state_layer(public_app):
    at = open_page(PAGE, needs="security", near="78701", radius="50")
    assert_no_exception(at)
    assert "partners · Security · within 50 km" in texts(at)
    args = map_args(at)
    assert "Partners matching the search" in args["script"]  # choropleth legend
    assert "L.markerClusterGroup" in args["feature_group"]
    assert "Austin Secure Backup" in args["feature_group"]
    assert "Houston Print" not in args["feature_group"]  # outside the radius
    assert args["returned_objects"] == [
        "bounds", "zoom", "last_object_clicked", "last_object_clicked_tooltip",
    ]  # fmt: skip


def test_the_map_links_back_to_the_same_search_as_a_list(public_app):
    at = open_page(PAGE, needs="security,cloud", near="78701", radius="50")
    targets = {path for path, label in links(at) if "list" in label}
    assert targets == {"find"}
    (link,) = [pl for pl in at.get("page_link") if "list" in str(pl.proto.label)]
    assert "needs=security%2Ccloud" in link.proto.query_string or "security,cloud" in str(
        link.proto
    )


def test_clicking_a_marker_selects_the_partner_and_draws_its_service_area(public_app):
    at = open_page(PAGE, needs="security", near="78701", radius="300")
    at = click(at, "75201", "Dallas Statewide MSP")
    assert_no_exception(at)
    shown = texts(at)
    assert "Dallas Statewide MSP" in shown and "serves Texas" in shown
    profile = [pl for pl in at.get("page_link") if "Open profile" in str(pl.proto.label)]
    assert len(profile) == 1
    assert str(public_app["dallas_statewide"]) in str(profile[0].proto)
    layers = map_args(at)["feature_group"]
    assert "Selected partner" in layers or "Texas" in layers  # the served state's outline


def test_a_click_away_from_any_partner_selects_nothing(public_app):
    at = open_page(PAGE, needs="security", near="78701", radius="300")
    at = click(at, "79901", "El Paso")
    assert any("Click a partner" in info.value for info in at.info)


def test_hostile_partner_name_is_text_in_the_panel_and_escaped_in_the_map(public_app):
    at = open_page(PAGE, needs="security,cloud", near="78702", radius="5")
    at = click(at, "78702", EVIL_NAME)
    assert_no_exception(at)
    assert any("Evil" in md.value and "\\<b\\>" in md.value for md in at.markdown)
    layers = map_args(at)["feature_group"]
    assert "<b>Evil</b>" not in layers
    assert "&lt;b&gt;Evil&lt;/b&gt;" in layers.replace("\\u0026", "&")


def test_switching_the_state_layer_puts_it_in_the_url_and_explains_the_colours(public_app):
    at = open_page(PAGE, needs="security")
    at.radio[0].set_value("evidenced").run()
    assert at.query_params["layer"] == ["evidenced"] or at.query_params["layer"] == "evidenced"
    assert "certifications prove Security" in texts(at)
    at.radio[0].set_value("demand").run()
    assert "found fewer than 3 partners" in texts(at)
    assert "Searches with few results" in map_args(at)["script"]


def test_a_bad_value_in_the_link_is_named_and_the_rest_of_the_search_kept(public_app):
    at = open_page(PAGE, needs="security", radius="99999")
    assert_no_exception(at)
    assert any("radius" in e.value for e in at.error)
    assert "Security" in texts(at)


def url(at) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The page's URL parameters (AppTest holds a value as a string or a one-item list)."""
    values = {name: at.query_params[name] for name in at.query_params}
    return {name: v if isinstance(v, str) else v[0] for name, v in values.items()}


def test_a_link_shows_its_search_and_settings_in_the_widgets(public_app):
    at = open_page(PAGE, needs="security,cloud", near="78701", radius="50", layer="evidenced",
                   domain="cloud", q="backup")  # fmt: skip
    assert_no_exception(at)
    assert at.multiselect(key="map_needs").value == ["security", "cloud"]
    assert at.text_input(key="map_near").value == "78701"
    assert at.number_input(key="map_radius").value == 50
    assert at.radio(key="map_layer").value == "evidenced"
    assert at.selectbox(key="map_domain").value == "cloud"
    # The URL is written back in its one form: the search, then the map's settings.
    assert url(at) == {"needs": "security,cloud", "near": "78701", "radius": "50", "q": "backup",
                       "layer": "evidenced", "domain": "cloud", "days": "90"}  # fmt: skip


def test_the_filter_form_writes_the_search_to_the_url_and_keeps_the_rest(public_app):
    at = open_page(PAGE, needs="security", q="backup", layer="demand", days="30")
    at.text_input(key="map_near").input("78701")
    at.number_input(key="map_radius").set_value(120)
    at.multiselect(key="map_needs").select("cloud")
    at.button[0].click().run()  # "Update map", the form's submit button
    assert_no_exception(at)
    params = url(at)
    assert params["needs"] == "security,cloud" and params["near"] == "78701"
    assert params["radius"] == "120" and params["q"] == "backup"  # not on the form: kept
    assert (params["layer"], params["days"]) == ("demand", "30")
    assert "within 120 km" in texts(at)


def test_a_place_that_cannot_be_found_is_named_and_stays_in_the_filter(public_app):
    at = open_page(PAGE, needs="security")
    at.text_input(key="map_near").input("Atlantis, ZZ")
    at.button[0].click().run()
    assert_no_exception(at)
    assert any("Please check the place" in e.value for e in at.error)
    assert at.text_input(key="map_near").value == "Atlantis, ZZ"
    assert url(at)["near"] == "Atlantis, ZZ"


def test_the_domain_of_a_link_survives_a_detour_through_another_layer(public_app):
    at = open_page(PAGE, needs="security", layer="evidenced", domain="cloud")
    at.radio(key="map_layer").set_value("demand").run()
    assert url(at)["domain"] == "cloud"
    at.radio(key="map_layer").set_value("evidenced").run()
    assert_no_exception(at)
    assert at.selectbox(key="map_domain").value == "cloud"
    assert "certifications prove Cloud" in texts(at)


# ---- the search follows the visitor (issue 16 item 4) ----------------------------------------


def test_the_map_reached_from_the_sidebar_keeps_the_search_of_find_partners(public_app):
    at = open_page("find_partners.py", needs="security", near="78701")
    at = go_by_sidebar(at, PAGE)
    assert_no_exception(at)
    shown = texts(at)
    assert "partners · Security · within" in shown
    assert "All partners" not in shown
    # Restored into the URL too, so the map's link can be shared as it is.
    assert url(at)["needs"] == "security" and url(at)["near"] == "78701"
    assert at.multiselect(key="map_needs").value == ["security"]


def test_the_map_reached_from_the_sidebar_keeps_the_search_of_build_a_team(public_app):
    at = open_page("team_builder.py", needs="security,cloud", near="78701")
    at = go_by_sidebar(at, PAGE)
    assert_no_exception(at)
    assert "partners · Security \\+ Cloud" in texts(at)  # markdown-escaped "+"
    assert url(at)["needs"] == "security,cloud"


def test_a_search_changed_on_the_map_follows_to_find_partners(public_app):
    at = open_page(PAGE, needs="security")
    at.text_input(key="map_near").input("78701")
    at.button[0].click().run()  # "Update map"
    at = go_by_sidebar(at, "find_partners.py")
    assert_no_exception(at)
    assert at.checkbox(key="find_need_security").value is True
    assert at.text_input(key="find_near").value == "78701"


def test_a_link_with_its_own_search_wins_over_the_remembered_one(public_app):
    at = open_page("find_partners.py", needs="security", near="78701")
    at.query_params.clear()
    at.query_params["needs"] = "cloud"
    at.switch_page(f"pages/{PAGE}").run()
    assert_no_exception(at)
    assert "partners · Cloud" in texts(at)
    assert at.multiselect(key="map_needs").value == ["cloud"]
    assert "near" not in url(at)


def test_start_over_on_find_partners_clears_the_search_for_the_map_too(public_app):
    at = open_page("find_partners.py", needs="security", near="78701")
    at.button(key="find_reset").click().run()
    assert_no_exception(at)
    assert at.checkbox(key="find_need_security").value is False
    assert at.text_input(key="find_near").value == ""
    assert "needs" not in at.query_params
    at = go_by_sidebar(at, PAGE)
    assert "partners · All partners" in texts(at)
    at = go_by_sidebar(at, "find_partners.py")
    assert at.checkbox(key="find_need_security").value is False


def test_the_search_radius_is_drawn_and_a_branch_near_the_place_carries_the_pin(public_app):
    # San Marcos Networks: headquarters in San Marcos (48 km away), a branch in Austin 78702.
    at = open_page(PAGE, needs="networking", near="78701", radius="25")
    assert_no_exception(at)
    args = map_args(at)
    austin, branch, hq = lookup_zip("78701"), lookup_zip("78702"), lookup_zip("78666")
    circle = re.search(r"L\.circle\(\s*\[([-\d.]+), ([-\d.]+)\],\s*(\{[^}]*\})", args["script"])
    assert circle is not None, "no search radius circle on the map"
    options = json.loads(circle.group(3))
    assert (float(circle.group(1)), float(circle.group(2))) == (austin.latitude, austin.longitude)
    assert options["radius"] == 25_000 and options["className"] == "pa-search-radius"
    assert f"[{branch.latitude}, {branch.longitude}, {public_app['san_marcos']}," in re.sub(
        r"\s+", " ", args["feature_group"]
    )
    assert f"[{hq.latitude}, {hq.longitude}," not in args["feature_group"]
