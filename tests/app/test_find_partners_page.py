"""Find partners page (AppTest) on the sample directory around Austin, TX."""

from __future__ import annotations

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from core.formatting import escape_markdown
from core.models import SearchEvent
from tests.app.public_pages import (
    assert_no_exception,
    links,
    open_page,
    texts,
)
from tests.public_directory import EVIL_NAME

# The sample directory and the app pointed at it (fixtures public_app, sample_engine).
pytest_plugins = ["tests.app.public_fixtures"]
PAGE = "find_partners.py"


def result_labels(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [label for target, label in links(at) if target == "partner"]


def count_line(at) -> str:  # type: ignore[no-untyped-def]
    return next(s.value for s in at.subheader if "match" in s.value)


def search_events(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(SearchEvent)).one())


def test_search_from_a_link_shows_partners_with_claimed_and_evidenced_coverage(public_app):
    at = open_page(PAGE, needs="security", near="78701")
    assert_no_exception(at)
    assert count_line(at) == "4 partners match"
    labels = result_labels(at)
    assert any("Austin Secure Backup" in label for label in labels)
    assert not any("Dallas Statewide MSP" in label for label in labels)  # 290 km away
    page = texts(at)
    assert "Security: expert · certified proficient" in page.replace("\\", "")
    assert "Claims expert in Security, but no certification" in page.replace("\\", "")
    assert at.checkbox(key="find_need_security").value is True
    assert at.text_input(key="find_near").value == "78701"


def test_every_result_explains_its_rank(public_app):
    at = open_page(PAGE, needs="security", near="78701")
    why = [e for e in at.expander if e.label == "Why this rank"]
    assert len(why) == 4
    assert "No paid placement" in texts(at)


def test_service_area_brings_in_the_statewide_partner_only_when_asked(public_app):
    at = open_page(PAGE, needs="security", near="78701")
    at.checkbox(key="find_service_area").check().run()
    assert count_line(at) == "5 partners match"
    assert any("Dallas Statewide MSP" in label for label in result_labels(at))
    assert at.query_params["service_area"] == "1"


def test_changing_a_filter_writes_the_search_into_the_url(public_app):
    at = open_page(PAGE, needs="security", near="78701")
    at.checkbox(key="find_need_storage_backup").check().run()
    at.selectbox(key="find_level").set_value(3).run()
    assert at.query_params["needs"] == "security,storage_backup"
    assert at.query_params["level"] == "3"
    assert at.query_params["near"] == "78701"


def test_a_copied_search_url_restores_the_same_search(public_app):
    first = open_page(PAGE, near="78701")
    first.checkbox(key="find_need_security").check().run()
    first.number_input(key="find_radius").set_value(30).run()
    copied = dict(first.query_params)

    second = open_page(PAGE, **copied)
    assert_no_exception(second)
    assert count_line(second) == count_line(first)
    assert result_labels(second) == result_labels(first)
    assert second.number_input(key="find_radius").value == 30


def test_unknown_zip_shows_the_reason_and_no_results(public_app):
    at = open_page(PAGE, needs="security", near="99999")
    assert_no_exception(at)
    assert any("99999" in e.value for e in at.error)
    assert not [s for s in at.subheader if "match" in s.value]
    assert result_labels(at) == []


def test_radius_out_of_range_in_a_link_is_named_and_left_out(public_app):
    at = open_page(PAGE, needs="security", near="78701", radius="5000")
    assert_no_exception(at)
    assert any("between 1 and 800 km" in e.value and "5000" in e.value for e in at.error)
    assert at.number_input(key="find_radius").value == 80  # the default, not 5000
    assert count_line(at) == "4 partners match"


def test_unknown_need_in_a_link_is_ignored_with_a_notice_and_the_known_one_kept(public_app):
    at = open_page(PAGE, needs="foo,security", near="78701")
    assert_no_exception(at)
    assert at.checkbox(key="find_need_security").value is True
    assert count_line(at) == "4 partners match"
    notices = [w.value for w in at.warning]
    assert escape_markdown("Ignored unknown need “foo” from the link.") in notices
    assert not at.error


def test_link_text_in_a_notice_is_escaped(public_app):
    at = open_page(PAGE, needs="**[x](javascript:y)**,security", near="78701")
    notices = " ".join(w.value for w in at.warning)
    assert escape_markdown("“**[x](javascript:y)**”") in notices


def test_over_long_text_in_a_link_is_refused_with_a_message(public_app):
    at = open_page(PAGE, needs="security", q="x" * 150, near="7" * 120)
    assert_no_exception(at)
    errors = " ".join(e.value for e in at.error)
    assert "keyword is at most 100 characters" in errors
    assert "place is at most 80 characters" in errors
    assert at.text_input(key="find_q").value == ""


def test_text_boxes_limit_what_a_visitor_can_type(public_app):
    at = open_page(PAGE)
    assert at.text_input(key="find_q").proto.max_chars == 100
    assert at.text_input(key="find_near").proto.max_chars == 80


def test_no_result_names_the_blocking_need_and_offers_to_relax_it(public_app):
    at = open_page(PAGE, needs="security,print_services", near="78701")
    assert_no_exception(at)
    assert count_line(at) == "0 partners match"
    page = texts(at).replace("\\", "")
    assert "The need “Print services” rules out the most partners." in page
    assert "teams" in {target for target, _label in links(at)}
    relax = next(b for b in at.button if b.label.startswith("Drop the need “Print services”"))
    relax.click().run()
    assert count_line(at) == "4 partners match"
    assert at.query_params["needs"] == "security"


def test_a_relaxation_that_finds_one_partner_says_partner(public_app):
    at = open_page(PAGE, needs="print_services", near="78701", radius="200")
    assert_no_exception(at)
    labels = [b.label for b in at.button]
    assert "Search within 400 km → 1 partner" in labels
    assert not [label for label in labels if label.endswith("→ 1 partners")]


def test_results_page_through_with_the_page_in_the_url(public_app):
    at = open_page(PAGE, needs="hardware", near="78701")
    assert count_line(at) == "24 partners match"
    assert len(result_labels(at)) == 10
    at.pagination[0].set_value(3).run()
    assert at.query_params["page"] == "3"
    ranks = [label.split(".")[0] for label in result_labels(at)]
    assert ranks == [f"**{n}" for n in (21, 22, 23, 24)]
    at.checkbox(key="find_need_productivity").check().run()  # a new search starts on page 1
    assert "page" not in at.query_params


def test_table_view_and_csv_download_are_offered(public_app):
    at = open_page(PAGE, needs="security", near="78701")
    assert at.download_button[0].label == "Download CSV"
    at.segmented_control(key="find_view").set_value("Table").run()
    table = at.dataframe[0].value
    assert {"Partner", "Security", "Distance", "Updated", "Profile"} <= set(table.columns)
    assert len(table) == 4


def test_partner_names_are_shown_as_text_never_as_markup(public_app):
    at = open_page(PAGE, needs="cloud", near="78702")
    labels = result_labels(at)
    assert any(escape_markdown(EVIL_NAME) in label for label in labels)
    assert not any("<b>" in label or "](javascript" in label for label in labels)


def test_each_distinct_search_records_one_anonymous_demand_event(public_app, sample_engine):
    before = search_events(sample_engine)
    at = open_page(PAGE, needs="security", near="78701", q="law firms")
    at.selectbox(key="find_sort").set_value("distance").run()  # same search, other order
    assert search_events(sample_engine) == before + 1
    at.checkbox(key="find_need_storage_backup").check().run()
    assert search_events(sample_engine) == before + 2
    with Session(sample_engine) as session:
        event = session.exec(select(SearchEvent).order_by(SearchEvent.id.desc())).first()
    assert event.needs == ["security", "storage_backup"]
    assert event.result_count == 1
    assert event.state == "TX"
    assert event.latitude == round(event.latitude, 2)
    assert "firms" not in str(event.model_dump())  # free text may be personal: never kept


def test_a_search_without_needs_or_place_is_not_demand(public_app, sample_engine):
    before = search_events(sample_engine)
    at = open_page(PAGE)
    assert_no_exception(at)
    assert search_events(sample_engine) == before


def test_a_misspelled_place_offers_its_suggestion_and_one_click_applies_it(public_app):
    at = open_page(PAGE, needs="security", near="Austn, TX")
    assert_no_exception(at)
    assert any("Did you mean" in e.value for e in at.error)
    assert result_labels(at) == []
    at.button(key="find_place_suggestion").click().run()
    assert_no_exception(at)
    assert at.text_input(key="find_near").value == "Austin, TX"
    assert not at.error
    assert any("Austin Secure Backup" in label for label in result_labels(at))
