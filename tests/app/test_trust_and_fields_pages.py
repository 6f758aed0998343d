"""Issue 13 on the public pages (AppTest): the profile shows the new fields and "N of M claims
backed by certifications"; Find partners filters on the new fields by checkbox and by URL."""

from __future__ import annotations

from tests.app.public_pages import assert_no_exception, links, open_page, texts

pytest_plugins = ["tests.app.public_fixtures"]


def plain(at) -> str:  # type: ignore[no-untyped-def]
    return texts(at).replace("\\", "")


def result_names(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [label for target, label in links(at) if target == "partner"]


def test_profile_shows_the_new_fields_and_the_claims_backed(public_app):
    at = open_page("partner_profile.py", id=public_app["austin_secure"])
    assert_no_exception(at)
    page = plain(at)
    assert "1 of 3 claims backed by certifications" in page
    assert "Industries served:** Healthcare, Legal" in page
    assert "Languages:** English, Spanish" in page
    assert "Delivery:** Remote and on-site" in page
    assert "Accepting new clients" in page
    assert "verified by an administrator 1 month ago" in page


def test_search_filters_on_the_new_fields_from_the_url(public_app):
    at = open_page("find_partners.py", industries="healthcare", languages="es", delivery="remote")
    assert_no_exception(at)
    names = result_names(at)
    assert len(names) == 1 and "Austin Secure Backup" in names[0]
    assert at.checkbox(key="find_industry_healthcare").value is True
    assert at.checkbox(key="find_language_es").value is True
    assert at.selectbox(key="find_delivery").value == "remote"
    assert "Healthcare, Legal · English, Spanish · Remote and on-site" in plain(at)  # the card


def test_ticking_a_filter_checkbox_narrows_the_search_and_writes_the_url(public_app):
    at = open_page("find_partners.py")
    assert_no_exception(at)
    before = len(result_names(at))
    at.checkbox(key="find_language_es").check().run()
    assert_no_exception(at)
    names = result_names(at)
    assert 1 == len(names) < before and "Austin Secure Backup" in names[0]
    assert at.query_params.get("languages") in (["es"], "es")
    at.checkbox(key="find_accepting").check().run()
    assert at.query_params.get("accepting") in (["1"], "1")
