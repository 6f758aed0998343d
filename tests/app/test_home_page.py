"""Home page (AppTest): what the directory is, a quick-start search, figures, next steps."""

from __future__ import annotations

from tests.app.public_pages import (
    assert_no_exception,
    links,
    open_page,
    texts,
)
from tests.public_directory import FILLERS

# The sample directory and the app pointed at it (fixtures public_app, sample_engine).
pytest_plugins = ["tests.app.public_fixtures"]
PAGE = "home.py"


def test_home_says_what_the_directory_is_and_shows_its_figures(public_app):
    at = open_page(PAGE)
    assert_no_exception(at)
    page = texts(at)
    for promise in ("vendor-neutral", "Evidence, not just claims", "No paid placement"):
        assert promise in page
    figures = {m.label: m.value for m in at.metric}
    assert figures["Partners listed"] == str(len(public_app) + FILLERS)
    assert int(figures["Certifications mapped"]) > 100
    assert figures["Areas compared"] == "17"


def test_home_links_to_search_team_builder_and_map(public_app):
    targets = {target for target, _label in links(open_page(PAGE))}
    assert {"find", "teams", "map"} <= targets


def test_quick_start_opens_find_partners_with_the_search_in_the_url(public_app):
    at = open_page(PAGE)
    at.multiselect[0].select("security").select("financing")
    at.text_input[0].input("78701")
    at.button[0].click().run()
    assert_no_exception(at)
    assert at.query_params["needs"] == "security,financing"
    assert at.query_params["near"] == "78701"
    assert any("match" in s.value for s in at.subheader)
    assert at.checkbox(key="find_need_financing").value is True


def test_quick_start_with_an_unknown_zip_explains_and_stays_on_home(public_app):
    at = open_page(PAGE)
    at.text_input[0].input("00000")
    at.button[0].click().run()
    assert any("00000" in e.value for e in at.error)
    assert at.metric  # still the home page
