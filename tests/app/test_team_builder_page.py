"""Build a team page (AppTest) on the sample directory around Austin, TX."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from core.db import session_scope
from core.formatting import escape_markdown
from core.leads.contact_limits import record_attempt
from core.models import TEAM_KIND, Lead, SearchEvent
from tests.app.public_pages import assert_no_exception, go_by_sidebar, links, open_page, texts
from tests.public_directory import EVIL_NAME, SECRET_REVENUE

pytest_plugins = ["tests.app.public_fixtures"]
PAGE = "team_builder.py"
# Networking only San Marcos offers, financing only Austin Secure (Dallas is 290 km away),
# cloud Round Rock or the evil-named partner: nobody covers all three, three partners do.
THREE_NEEDS = {"needs": "networking,cloud,financing", "near": "78701"}


def team_titles(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.value for m in at.markdown if m.value.startswith(("**Best team**", "**Alternative"))]


def member_labels(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [label for target, label in links(at) if target == "partner"]


def member_ids(at) -> list[int]:  # type: ignore[no-untyped-def]
    return [
        int(str(pl.proto.query_string).removeprefix("id="))
        for pl in at.get("page_link")
        if str(pl.proto.query_string).startswith("id=")
    ]


def team_leads(engine: Engine) -> list[Lead]:
    with Session(engine) as session:
        return list(session.exec(select(Lead).where(Lead.source == "team")))


def team_events(engine: Engine) -> list[SearchEvent]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(SearchEvent).where(SearchEvent.kind == TEAM_KIND).order_by(SearchEvent.id)
            )
        )


def all_events(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(SearchEvent)).one())


def open_contact_form(at):  # type: ignore[no-untyped-def]
    next(b for b in at.button if b.label == "Contact this team").click().run()
    return at


def fill_contact_form(at, *, email: str = "dana@example.com") -> None:  # type: ignore[no-untyped-def]
    name = next(t for t in at.text_input if t.label == "Your name")
    mail = next(t for t in at.text_input if t.label == "Email")
    size = next(r for r in at.radio if r.label == "Company size")
    name.input("Dana Owner")
    mail.input(email)
    size.set_value("11-50")


def test_link_shows_the_smallest_team_with_who_covers_what(public_app):
    at = open_page(PAGE, **THREE_NEEDS)
    assert_no_exception(at)
    assert at.subheader[0].value == "A team of 3 partners covers all 3 needs"
    labels = member_labels(at)
    assert any("San Marcos Networks" in label for label in labels)
    assert any("Austin Secure Backup" in label for label in labels)
    page = texts(at).replace("\\", "")
    assert "Networking: expert · certified proficient" in page
    assert "Financing & leasing: proficient (self-assessed)" in page
    assert "Dallas Statewide MSP" not in page  # outside the radius
    assert at.checkbox(key="teams_need_networking").value is True
    assert at.text_input(key="teams_near").value == "78701"


def test_teams_rank_best_first_and_explain_their_score(public_app):
    at = open_page(PAGE, **THREE_NEEDS)
    titles = team_titles(at)
    assert titles[0].startswith("**Best team** · 3 partners · score ")
    assert titles[1].startswith("**Alternative 1** · 3 partners · score ")
    scores = [int(t.rsplit("score ", 1)[1]) for t in titles]
    assert scores == sorted(scores, reverse=True)
    assert len([e for e in at.expander if e.label == "Why this team"]) == len(titles)
    assert "No paid placement" in texts(at)


def test_partner_names_are_escaped_in_team_cards(public_app):
    at = open_page(PAGE, needs="networking,cloud", near="78701", team_size="3")
    labels = member_labels(at)
    assert f"**{escape_markdown(EVIL_NAME)}**" in labels
    assert not any(label == f"**{EVIL_NAME}**" for label in labels)


def test_need_nobody_nearby_covers_names_the_nearest_partner_and_widens_on_click(public_app):
    at = open_page(PAGE, needs="security,print_services", near="78701")
    assert_no_exception(at)
    warning = at.warning[0].value.replace("\\", "")
    assert "covers: Print services" in warning
    page = texts(at).replace("\\", "")
    assert "Houston Print & Logistics" in page

    widen = next(b for b in at.button if b.label.startswith("Search within"))
    widen.click().run()
    assert at.subheader[0].value == "A team of 2 partners covers all 2 needs"
    assert int(at.query_params["radius"]) > 230  # Houston is about 235 km away
    assert any("Houston Print & Logistics" in label for label in member_labels(at))


def test_team_size_limit_offers_to_allow_the_size_it_takes(public_app):
    at = open_page(PAGE, **THREE_NEEDS, team_size="2")
    assert "takes at least 3 partners" in at.warning[0].value
    next(b for b in at.button if b.label == "Allow teams of 3").click().run()
    assert at.subheader[0].value == "A team of 3 partners covers all 3 needs"
    assert "team_size" not in at.query_params  # 3 is the default: short links


def test_bad_team_size_in_a_link_is_named_and_the_rest_of_the_search_kept(public_app):
    at = open_page(PAGE, **THREE_NEEDS, team_size="lots")
    assert any("team size must be a whole number" in e.value for e in at.error)
    assert at.subheader[0].value == "A team of 3 partners covers all 3 needs"


def test_unknown_need_in_a_link_is_ignored_with_a_notice_and_the_rest_kept(public_app):
    at = open_page(PAGE, needs="networking,foo,cloud,financing", near="78701")
    assert_no_exception(at)
    assert escape_markdown("Ignored unknown need “foo” from the link.") in [
        w.value for w in at.warning
    ]
    assert at.subheader[0].value == "A team of 3 partners covers all 3 needs"


def test_without_needs_the_page_asks_for_them(public_app):
    at = open_page(PAGE, near="78701")
    assert_no_exception(at)
    assert "Choose what you need" in at.info[0].value
    assert not team_titles(at)


def test_contact_this_team_creates_one_linked_lead_per_member(public_app, sample_engine):
    before = len(team_leads(sample_engine))
    at = open_contact_form(open_page(PAGE, **THREE_NEEDS))
    fill_contact_form(at)
    next(b for b in at.button if b.label == "Send to the team").click().run()
    assert_no_exception(at)

    assert "Your request went to all 3 partners" in at.success[0].value
    leads = team_leads(sample_engine)[before:]
    assert len(leads) == 3
    assert len({lead.team_key for lead in leads}) == 1
    best_team = member_ids(at)[:3]  # the best team's members are the first partner links
    assert {lead.partner_id for lead in leads} == set(best_team)
    assert public_app["san_marcos"] in best_team and public_app["austin_secure"] in best_team
    assert all(lead.needs == ["networking", "cloud", "financing"] for lead in leads)


def test_contact_form_problems_are_shown_and_nothing_is_sent(public_app, sample_engine):
    before = len(team_leads(sample_engine))
    at = open_contact_form(open_page(PAGE, **THREE_NEEDS))
    fill_contact_form(at, email="not-an-address")
    next(b for b in at.button if b.label == "Send to the team").click().run()
    assert "Email" in at.error[0].value
    assert len(team_leads(sample_engine)) == before


def test_contact_requests_are_rate_limited_by_email_in_the_database(public_app, sample_engine):
    before = len(team_leads(sample_engine))
    with session_scope(sample_engine) as session:  # five requests from elsewhere, this hour
        for n in range(5):
            record_attempt(session=session, visitor=f"elsewhere-{n}",
                           email="busy@example.com", now=datetime.now(UTC))  # fmt: skip
    at = open_contact_form(open_page(PAGE, **THREE_NEEDS))
    fill_contact_form(at, email="busy@example.com")
    next(b for b in at.button if b.label == "Send to the team").click().run()
    assert "requests in the last hour" in at.error[0].value
    assert len(team_leads(sample_engine)) == before


def test_confidential_figures_never_reach_the_page(public_app):
    at = open_page(PAGE, needs="security,financing", near="78701")
    assert f"{SECRET_REVENUE:,.0f}" not in texts(at)
    assert str(int(SECRET_REVENUE)) not in texts(at)


def test_place_typed_in_a_link_is_shown_literally_when_it_cannot_be_found(public_app):
    at = open_page(PAGE, needs="security,cloud", near="[here](javascript:alert(1))")
    assert_no_exception(at)
    shown = at.error[0].value
    assert "\\[here\\]\\(javascript" in shown  # escaped: no link, no script


def test_build_a_team_reached_from_the_sidebar_keeps_the_search_of_find_partners(public_app):
    at = open_page("find_partners.py", needs="security,cloud", near="78701")
    at = go_by_sidebar(at, PAGE)
    assert_no_exception(at)
    assert at.checkbox(key="teams_need_security").value is True
    assert at.checkbox(key="teams_need_cloud").value is True
    assert at.text_input(key="teams_near").value == "78701"
    assert at.query_params["needs"] in ("security,cloud", ["security,cloud"])


def test_a_team_search_follows_to_find_partners_from_the_sidebar(public_app):
    at = open_page(PAGE, **THREE_NEEDS)
    at = go_by_sidebar(at, "find_partners.py")
    assert_no_exception(at)
    assert at.checkbox(key="find_need_networking").value is True
    assert at.checkbox(key="find_need_financing").value is True
    assert at.text_input(key="find_near").value == "78701"


def test_a_misspelled_place_offers_its_suggestion_and_one_click_applies_it(public_app):
    at = open_page(PAGE, needs="security,cloud", near="Austn, TX")
    assert_no_exception(at)
    at.button(key="teams_place_suggestion").click().run()
    assert_no_exception(at)
    assert at.text_input(key="teams_near").value == "Austin, TX"
    assert not at.error


@pytest.mark.parametrize("size", ["²", "9" * 5000])
def test_a_team_size_link_with_odd_digits_gets_a_notice_not_a_traceback(public_app, size):
    at = open_page(PAGE, needs="security,cloud", near="78701", team_size=size)
    assert_no_exception(at)
    assert "team size must be a whole number" in texts(at)


def test_a_team_search_that_needed_several_partners_records_one_team_demand_event(
    public_app, sample_engine
):
    before = len(team_events(sample_engine))
    at = open_page(PAGE, **THREE_NEEDS)
    assert_no_exception(at)
    at.run()  # a rerun of the same search records nothing more
    events = team_events(sample_engine)
    assert len(events) == before + 1
    event = events[-1]
    assert sorted(event.needs) == ["cloud", "financing", "networking"]
    assert event.state == "TX"
    assert event.latitude == round(event.latitude, 2)
    assert event.result_count == len(team_titles(at))  # teams found, not partners


def test_a_need_one_partner_covers_alone_records_no_demand_event(public_app, sample_engine):
    before = all_events(sample_engine)
    at = open_page(PAGE, needs="security,storage_backup", near="78701")
    assert_no_exception(at)
    assert at.subheader[0].value == "One partner covers all of your needs"
    assert all_events(sample_engine) == before
