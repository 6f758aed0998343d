"""Partner profile page (AppTest): the public competency profile and the contact form."""

from __future__ import annotations

from sqlmodel import Session, select

from core.formatting import escape_markdown
from core.models import Lead
from pages.parts.contact import HONEYPOT_LABEL
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
    assert "Updated 1 week ago · verified by an administrator 1 month ago" in page
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


def limit_per_hour(monkeypatch, limit: int) -> None:  # type: ignore[no-untyped-def]
    from core.settings import get_settings

    monkeypatch.setenv("ATLAS_CONTACT_REQUESTS_PER_HOUR", str(limit))
    get_settings.cache_clear()


def send_and_start_over(at, **fields) -> None:  # type: ignore[no-untyped-def]
    fill_contact_form(at, **fields)
    submit(at)
    next(b for b in at.button if b.label == "Send another request").click().run()


def test_the_limit_per_email_survives_a_reload(public_app, sample_engine, monkeypatch):
    limit_per_hour(monkeypatch, 2)
    partner_id = public_app["evil"]
    before = len(leads_for(sample_engine, partner_id))
    at = open_page(PAGE, id=partner_id)
    for needs in (("security",), ("cloud",)):  # two different requests: no merge
        send_and_start_over(at, email="reload@example.com", needs=needs)
    reloaded = open_page(PAGE, id=partner_id)  # a new browser session
    fill_contact_form(reloaded, email="Reload@Example.com", needs=("networking",))
    submit(reloaded)
    assert any("sent 2 requests in the last hour" in e.value for e in reloaded.error)
    assert len(leads_for(sample_engine, partner_id)) == before + 2


def test_the_limit_per_address_survives_a_reload_with_another_email(
    public_app, sample_engine, monkeypatch
):
    import pages.parts.contact

    limit_per_hour(monkeypatch, 2)
    monkeypatch.setattr(pages.parts.contact, "visitor_address", lambda: "203.0.113.77")
    partner_id = public_app["austin_secure"]
    before = len(leads_for(sample_engine, partner_id))
    at = open_page(PAGE, id=partner_id)
    send_and_start_over(at, email="first@example.com")
    send_and_start_over(at, email="second@example.com")
    reloaded = open_page(PAGE, id=partner_id)
    fill_contact_form(reloaded, email="third@example.com")
    submit(reloaded)
    assert any("sent 2 requests in the last hour" in e.value for e in reloaded.error)
    assert len(leads_for(sample_engine, partner_id)) == before + 2


def test_a_bot_filling_the_hidden_field_is_told_sent_and_nothing_is_written(
    public_app, sample_engine
):
    partner_id = public_app["houston_print"]
    at = open_page(PAGE, id=partner_id)
    honeypot = next(t for t in at.text_input if t.label == HONEYPOT_LABEL)
    assert honeypot.proto.autocomplete == "off"
    assert honeypot.key and honeypot.key.startswith("contact_hp_")  # hidden by its CSS class
    fill_contact_form(at, email="bot@example.com")
    honeypot.input("https://cheap-pills.example")
    submit(at)
    assert_no_exception(at)
    assert any("Your request was sent" in s.value for s in at.success)
    assert leads_for(sample_engine, partner_id) == []


def test_the_same_request_again_is_added_to_the_earlier_one(public_app, sample_engine):
    partner_id = public_app["round_rock_claims"]
    at = open_page(PAGE, id=partner_id)
    send_and_start_over(at, email="twice@example.com", message="Backups for 5 PCs")
    fill_contact_form(at, email="twice@example.com", message="And a NAS")
    submit(at)
    assert_no_exception(at)
    assert any("we added this to your earlier request" in i.value for i in at.info)
    (lead,) = leads_for(sample_engine, partner_id)
    assert lead.message == "Backups for 5 PCs\n\nAnd a NAS"
