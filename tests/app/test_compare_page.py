"""Compare page (AppTest): two to four partners side by side."""

from __future__ import annotations

from urllib.parse import parse_qsl

from sqlmodel import Session, select

from core.models import Lead
from tests.app.public_pages import assert_no_exception, link_target, open_page, texts

# The sample directory and the app pointed at it (fixtures public_app, sample_engine).
pytest_plugins = ["tests.app.public_fixtures"]
PAGE = "compare_partners.py"


def ids(public_app: dict[str, int], *names: str) -> str:
    return ",".join(str(public_app[n]) for n in names)


def test_two_partners_side_by_side_with_domains_services_evidence_and_distance(public_app):
    at = open_page(PAGE, ids=ids(public_app, "austin_secure", "dallas_statewide"), near="78701")
    assert_no_exception(at)
    technology, services, evidence = (t.value for t in at.table)
    assert list(technology.columns) == ["Area", "Austin Secure Backup", "Dallas Statewide MSP"]
    security = technology.set_index("Area").loc["Security"]
    assert security["Austin Secure Backup"] == "expert · certified proficient"
    financing = services.set_index("Area").loc["Financing & leasing"]
    # Core flags a self-assessed claim two levels above evidence, ally or not.
    assert financing["Austin Secure Backup"] == (
        "⚠️ proficient (self-assessed), through Lone Star Leasing"
    )
    assert financing["Dallas Statewide MSP"] == "expert · certified proficient"
    facts = evidence.set_index("")
    assert facts.loc["Valid certifications", "Austin Secure Backup"] == "2"
    assert facts.loc["Service area", "Dallas Statewide MSP"] == "TX"
    assert facts.loc["Distance", "Austin Secure Backup"].endswith("km")


def test_flagged_claims_are_marked_in_the_comparison(public_app):
    at = open_page(PAGE, ids=ids(public_app, "round_rock_claims", "austin_secure"))
    technology = at.table[0].value.set_index("Area")
    assert technology.loc["Cloud", "Round Rock Claims Everything"].startswith("⚠️")
    assert "Distance" not in at.table[2].value[""].tolist()  # no place, no distance


def test_too_few_too_many_and_bad_ids_get_clear_messages(public_app):
    one = open_page(PAGE, ids=str(public_app["austin_secure"]))
    assert any("Pick 2 to 4 partners" in i.value for i in one.info)
    five = open_page(PAGE, ids="1,2,3,4,5")
    assert any("at most 4 partners" in e.value for e in five.error)
    bad = open_page(PAGE, ids="1,<script>")
    assert any("by number" in e.value for e in bad.error)
    for at in (one, five, bad):
        assert_no_exception(at)
        assert not at.table


def test_partners_no_longer_in_the_directory_are_named(public_app):
    at = open_page(PAGE, ids=ids(public_app, "austin_secure", "san_marcos") + ",99999999")
    assert any("99999999" in w.value for w in at.warning)
    assert len(at.table[0].value.columns) == 3


def test_unknown_place_hides_distance_but_keeps_the_comparison(public_app):
    at = open_page(PAGE, ids=ids(public_app, "austin_secure", "san_marcos"), near="99999")
    assert any("Distances are not shown" in w.value for w in at.warning)
    assert at.table


# ---- next steps (issue 16, item 12) ------------------------------------------------------------


def test_each_compared_partner_can_be_contacted_from_the_comparison(public_app, sample_engine):
    at = open_page(PAGE, ids=ids(public_app, "austin_secure", "dallas_statewide"), near="78701")
    contact = [e.label for e in at.expander if e.label.startswith("Contact ")]
    assert contact == ["Contact Austin Secure Backup", "Contact Dallas Statewide MSP"]
    # The second partner's form: its fields come after the first form's (by label).
    [t for t in at.text_input if t.label == "Your name"][1].input("Jo Smith")
    [t for t in at.text_input if t.label == "Email"][1].input("jo@example.com")
    [r for r in at.radio if r.label == "Company size"][1].set_value("11-50")
    at.multiselect[1].select("security")
    [b for b in at.button if b.label == "Send request"][1].click().run()
    assert_no_exception(at)
    assert any("sent to Dallas Statewide MSP" in s.value for s in at.success)
    with Session(sample_engine) as session:
        leads = session.exec(select(Lead).where(Lead.contact_email == "jo@example.com")).all()
    assert [(lead.partner_id, lead.contact_name) for lead in leads] == [
        (public_app["dallas_statewide"], "Jo Smith")
    ]


def team_link(at) -> dict[str, str]:  # type: ignore[no-untyped-def]
    link = next(pl for pl in at.get("page_link") if pl.proto.label == "Build a team from these")
    assert link_target(link) == "teams"
    return dict(parse_qsl(str(link.proto.query_string)))


def test_build_a_team_links_the_team_builder_with_the_needs_these_partners_cover(public_app):
    at = open_page(PAGE, ids=ids(public_app, "austin_secure", "dallas_statewide"), near="78701")
    params = team_link(at)
    assert params["near"] == "78701"
    needs = params["needs"].split(",")
    # Every area one of them covers at proficient or better (Dallas: financing), in taxonomy order.
    assert needs == ["security", "storage_backup", "managed_it", "financing"]
    assert "the areas these partners cover" in texts(at)


def test_build_a_team_keeps_the_needs_of_the_search_compared_from(public_app):
    at = open_page(PAGE, ids=ids(public_app, "austin_secure", "dallas_statewide"))
    at.session_state["last_search_params"] = {"needs": "security,storage_backup,nonsense"}
    at.run()
    params = team_link(at)
    assert params == {"needs": "security,storage_backup"}
    assert "the needs of your search" in texts(at)
