"""Partner profile page (AppTest): the public competency profile and the contact form."""

from __future__ import annotations

from sqlmodel import Session, select

from core.formatting import escape_markdown
from core.models import Lead
from tests.app.public_pages import assert_no_exception, open_page, texts
from tests.public_directory import (
    EVIL_DESCRIPTION,
    EVIL_NAME,
    SECRET_REVENUE,
)

# The sample directory and the app pointed at it (fixtures public_app, sample_engine).
pytest_plugins = ["tests.app.public_fixtures"]
PAGE = "partner_profile.py"


def plain(at) -> str:  # type: ignore[no-untyped-def]
    """The page's text with Markdown escapes removed, as a reader sees it."""
    return texts(at).replace("\\", "")


def fill_contact_form(at, *, name="Jo Smith", email="jo@example.com", size="11-50",  # type: ignore[no-untyped-def]
                      needs=("security",), message="We need a firewall.") -> None:  # fmt: skip
    form = at.get("form")[0]
    assert form is not None
    at.text_input[0].input(name)
    at.text_input[1].input(email)
    if size is not None:
        next(r for r in at.radio if r.label == "Company size").set_value(size)
    for need in needs:
        at.multiselect[0].select(need)
    at.text_area[0].input(message)


def submit(at) -> None:  # type: ignore[no-untyped-def]
    next(b for b in at.button if b.label == "Send request").click().run()


def leads_for(engine, partner_id: int) -> list[Lead]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return list(session.exec(select(Lead).where(Lead.partner_id == partner_id)).all())


def test_profile_shows_claims_evidence_certifications_and_services(public_app):
    at = open_page(PAGE, id=public_app["austin_secure"])
    assert_no_exception(at)
    page = plain(at)
    assert at.header[0].value == "Austin Secure Backup"
    assert at.get("vega_lite_chart"), "the competency chart is missing"
    assert "**Fortinet**" in page and "**Veeam**" in page
    assert "Security (proficient)" in page  # what the Fortinet certification evidences
    financing = "Financing & leasing**: proficient (self-assessed), through ally Lone Star Leasing"
    assert financing in page
    assert "Updated 1 week ago · verified 1 month ago" in page
    assert "Email: hello@austin-secure.example" in page
    assert at.link_button[0].proto.url == "https://austin-secure.example"


def test_claims_well_above_evidence_are_flagged_under_the_chart(public_app):
    at = open_page(PAGE, id=public_app["round_rock_claims"])
    warning = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "Claims expert in Security, but no certification." in warning
    assert "No approved certifications yet" in plain(at)


def test_expired_certifications_are_marked_and_pending_ones_not_shown(public_app):
    at = open_page(PAGE, id=public_app["san_marcos"])
    page = plain(at)
    assert "expired" in page and "no longer counts" in page  # the lapsed Veeam certificate
    assert "NSE 4" not in page  # still waiting for approval: not evidence, not public
    assert "Headquarters: San Marcos, TX 78666" in page
    assert "Office: Austin, TX 78702" in page


def test_service_area_is_described_and_drawn_on_a_map(public_app):
    at = open_page(PAGE, id=public_app["dallas_statewide"])
    assert "Serves all of: Texas." in plain(at)
    assert at.get("component_instance"), "the service-area map is missing"


def test_confidential_business_figures_never_appear(public_app):
    at = open_page(PAGE, id=public_app["austin_secure"])
    page = texts(at)
    for shown in (f"{SECRET_REVENUE:,.0f}", f"{SECRET_REVENUE:.0f}", "Secret Customer"):
        assert shown not in page


def test_names_and_descriptions_are_rendered_as_text(public_app):
    at = open_page(PAGE, id=public_app["evil"])
    assert_no_exception(at)
    assert at.header[0].value == escape_markdown(EVIL_NAME)
    assert escape_markdown(EVIL_DESCRIPTION) in texts(at)


def test_missing_bad_and_unknown_ids_get_clear_messages(public_app):
    assert any("Choose a partner" in i.value for i in open_page(PAGE).info)
    bad = open_page(PAGE, id="12abc")
    assert any("must be a number" in e.value for e in bad.error)
    unknown = open_page(PAGE, id="99999999")
    assert any("no partner number 99999999" in w.value for w in unknown.warning)
    for at in (bad, unknown):
        assert_no_exception(at)
        assert not at.header


def test_contact_request_creates_a_lead_and_confirms_it(public_app, sample_engine):
    partner_id = public_app["san_marcos"]
    at = open_page(PAGE, id=partner_id)
    fill_contact_form(at, message="Hello **partner** <img src=x onerror=alert(1)>")
    submit(at)
    assert_no_exception(at)
    assert any("Your request was sent" in s.value for s in at.success)
    # What the visitor typed comes back only as plain text.
    assert "Hello **partner** <img src=x onerror=alert(1)>" in [t.value for t in at.text]
    assert "<img" not in " ".join(m.value for m in at.markdown)
    (lead,) = leads_for(sample_engine, partner_id)
    assert (lead.contact_name, lead.status, lead.needs) == ("Jo Smith", "new", ["security"])


def test_invalid_contact_form_lists_each_problem_in_plain_words(public_app, sample_engine):
    partner_id = public_app["houston_print"]
    at = open_page(PAGE, id=partner_id)
    fill_contact_form(at, name="J", email="not-an-email", size=None, needs=())
    submit(at)
    error = " ".join(e.value for e in at.error).replace("\\", "")
    assert "**Your name**: please enter your name" in error
    assert "**Email**: enter an address like name@example.com" in error
    assert "**Company size**: choose your company size." in error
    assert "**What you need**: choose at least one thing you need." in error
    assert leads_for(sample_engine, partner_id) == []


def test_over_long_message_is_cut_at_the_form_limit(public_app, sample_engine):
    partner_id = public_app["dallas_statewide"]
    at = open_page(PAGE, id=partner_id)
    assert at.text_area[0].proto.max_chars == 2000
    assert at.text_input[0].proto.max_chars == 100
    fill_contact_form(at, message="y" * 2500)
    submit(at)
    (lead,) = leads_for(sample_engine, partner_id)
    assert len(lead.message) <= 2000


def test_contact_requests_are_rate_limited_per_session(public_app, sample_engine, monkeypatch):
    monkeypatch.setenv("ATLAS_CONTACT_REQUESTS_PER_SESSION", "2")
    from core.settings import get_settings

    get_settings.cache_clear()
    partner_id = public_app["evil"]
    at = open_page(PAGE, id=partner_id)
    for _ in range(2):
        fill_contact_form(at)
        submit(at)
        next(b for b in at.button if b.label == "Send another request").click().run()
    fill_contact_form(at)
    submit(at)
    assert any("sent 2 requests in the last hour" in e.value for e in at.error)
    assert len(leads_for(sample_engine, partner_id)) == 2
