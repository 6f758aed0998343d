"""Responsiveness and freshness on screen (AppTest): the profile's line, the search filter's
checkbox and URL parameter, the stale badge, and the "still correct" confirmation page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from core.db import bump_data_version, session_scope
from core.directory.confirmation import issue_still_correct_token
from core.models import Partner, PartnerResponsiveness
from tests.app.public_pages import assert_no_exception, links, open_page, texts

pytest_plugins = ["tests.app.public_fixtures"]


@pytest.fixture
def answering(public_app: dict[str, int], sample_engine: Engine) -> dict[str, int]:
    """Austin Secure Backup answers 9 of 10 leads (8 within 2 business days, median 5 h);
    San Marcos Networks has 3 leads only. This module's own copy of the directory."""
    with Session(sample_engine) as session:
        for partner_id, leads, answered, within, median in (
            (public_app["austin_secure"], 10, 9, 8, 5.2),
            (public_app["san_marcos"], 3, 3, 3, 1.0),
        ):
            if session.get(PartnerResponsiveness, partner_id) is None:
                session.add(
                    PartnerResponsiveness(
                        partner_id=partner_id,
                        leads=leads,
                        answered=answered,
                        within_two_business_days=within,
                        median_response_hours=median,
                    )
                )
        # The index reads the summary.
        bump_data_version(
            session, partner_ids=[public_app["austin_secure"], public_app["san_marcos"]]
        )
        session.commit()
    return public_app


def plain(at) -> str:  # type: ignore[no-untyped-def]
    return texts(at).replace("\\", "")


def test_profile_shows_responsiveness_from_five_leads(answering: dict[str, int]) -> None:
    at = open_page("partner_profile.py", id=answering["austin_secure"])
    assert_no_exception(at)
    assert (
        "Answers 90 % of leads · median first response 5 h · based on 10 leads in the last "
        "12 months." in plain(at)
    )
    assert "80 % answered within 2 business days." in plain(at)
    few = open_page("partner_profile.py", id=answering["san_marcos"])
    assert "Not enough leads yet to show responsiveness." in plain(few)
    assert "Answers 100 %" not in plain(few)


def result_names(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [label for target, label in links(at) if target == "partner"]


def test_filter_from_the_url_checks_the_box_and_keeps_responsive_partners(
    answering: dict[str, int],
) -> None:
    at = open_page("find_partners.py", needs="security", near="78701", responsive="1")
    assert_no_exception(at)
    assert at.checkbox(key="find_responsive").value is True
    names = result_names(at)
    assert len(names) == 1 and "Austin Secure Backup" in names[0]


def test_checking_the_box_writes_the_filter_into_the_url(answering: dict[str, int]) -> None:
    at = open_page("find_partners.py", needs="security", near="78701")
    assert len(result_names(at)) > 1
    at.checkbox(key="find_responsive").check().run()
    assert_no_exception(at)
    assert at.query_params["responsive"] == "1"
    assert len(result_names(at)) == 1
    assert "answers 80 % of leads within 2 business days" in plain(at)


def test_stale_profile_carries_a_badge_in_results(answering: dict[str, int]) -> None:
    # Round Rock Claims Everything was last updated 600 days ago.
    at = open_page("find_partners.py", needs="security", near="78701", radius="80")
    assert_no_exception(at)
    markdown = [str(m.value) for m in at.markdown]
    stale = [m for m in markdown if "Stale profile" in m]
    assert len(stale) == 1 and "HQ Round Rock" in stale[0]  # on its own card only
    assert any("profile not confirmed for over a year" in m for m in markdown)


def test_still_correct_link_confirms_once_on_the_page(
    answering: dict[str, int], sample_engine: Engine
) -> None:
    partner_id = answering["round_rock_claims"]
    with session_scope(sample_engine) as session:
        raw = issue_still_correct_token(
            session=session, partner_id=partner_id, now=datetime.now(UTC)
        )
        session.commit()
    at = open_page("profile_confirm.py", t=raw)
    assert_no_exception(at)
    assert "Round Rock Claims Everything" in plain(at)
    at.button(key="confirm_still_correct").click().run()
    assert_no_exception(at)
    assert "is confirmed as still correct" in plain(at)
    with Session(sample_engine) as session:
        partner = session.get(Partner, partner_id)
        assert partner is not None and partner.confirmed_at is not None
    again = open_page("profile_confirm.py", t=raw)
    assert "used already" in plain(again)
    assert not [b for b in again.button if b.key == "confirm_still_correct"]
    bad = open_page("profile_confirm.py", t="not-a-token")
    assert "not valid" in plain(bad)
