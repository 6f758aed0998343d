"""My standing (AppTest): the partner's own figures only, others refused, an administrator
picks a partner, the yearly figures editor saves (audited), and a partner lands here after
signing in."""

from __future__ import annotations

from sqlmodel import Session, delete, select

from core.analytics.competency_gaps import service_states
from core.models import TEAM_KIND, AuditEvent, PartnerCompetency, PartnerYearFigures, SearchEvent
from core.taxonomy import FOUNDATIONAL, PROFICIENT, get_taxonomy
from tests.app.conftest import AtlasDb, assert_no_exception, open_app, page_text
from tests.app.widgets import click, widget

PAGE = "my_standing.py"
MARK_REVENUE = 123_456_789.0  # a figure no demo partner has, to look for on pages


def everything(at) -> str:  # type: ignore[no-untyped-def]
    tables = [str(t.value.to_csv(index=False)) for t in at.table]
    return page_text(at) + "\n".join(tables)


def mark_partner(db: AtlasDb, partner_id: int) -> None:
    with Session(db.engine) as session:
        session.merge(
            PartnerYearFigures(partner_id=partner_id, year=2019, revenue_usd=MARK_REVENUE)
        )
        session.commit()


def test_partner_sees_its_own_standing_and_never_another_partners(atlas_db: AtlasDb) -> None:
    mark_partner(atlas_db, atlas_db.partner_a)
    own = open_app(atlas_db, PAGE, as_="partner_a")
    assert_no_exception(own)
    text = everything(own)
    for section in ("Your business over time", "Your leads", "Among your peers",
                    "Your return per vendor program"):  # fmt: skip
        assert section in text
    assert "$123,456,789" in text
    other = open_app(atlas_db, PAGE, as_="partner_b")
    assert_no_exception(other)
    assert "$123,456,789" not in everything(other)
    assert not [w for w in other.number_input if w.label == "Partner ID"]  # no picker


def test_vendor_and_anonymous_are_refused(atlas_db: AtlasDb) -> None:
    mark_partner(atlas_db, atlas_db.partner_a)
    for role, message in (("vendor", "does not have access"), ("anonymous", "Please sign in")):
        at = open_app(atlas_db, PAGE, as_=role)
        assert_no_exception(at)
        assert message in page_text(at) and "$123,456,789" not in everything(at)


def test_admin_picks_a_partner(atlas_db: AtlasDb) -> None:
    mark_partner(atlas_db, atlas_db.partner_a)
    at = open_app(atlas_db, PAGE, as_="admin")
    assert_no_exception(at)
    assert "Enter a partner's ID" in page_text(at)
    widget(at, "number_input", "Partner ID").set_value(atlas_db.partner_a).run()
    assert_no_exception(at)
    assert "as an administrator" in page_text(at) and "$123,456,789" in everything(at)


def test_a_partner_enters_a_year_of_figures(atlas_db: AtlasDb) -> None:
    at = open_app(atlas_db, PAGE, as_="partner_a")
    widget(at, "number_input", "Year").set_value(2016)
    widget(at, "number_input", "Revenue (USD)").set_value(777_000.0)
    widget(at, "number_input", "Headcount at year end").set_value(7)
    at = click(at, "Save figures")
    assert_no_exception(at)
    assert "Figures of 2016 saved." in page_text(at)
    with Session(atlas_db.engine) as session:
        row = session.get(PartnerYearFigures, (atlas_db.partner_a, 2016))
        assert row is not None and (row.revenue_usd, row.headcount) == (777_000.0, 7)
        assert session.exec(
            select(AuditEvent).where(AuditEvent.action == "year_figures_saved")
        ).first()


def test_know_your_competencies_and_gaps_render(atlas_db: AtlasDb) -> None:
    at = open_app(atlas_db, PAGE, as_="partner_a")
    assert_no_exception(at)
    text = page_text(at)
    assert "claims are backed by approved, unexpired certifications" in text
    assert "in areas where you are foundational or proficient" in text


def test_gaps_say_how_many_requests_came_from_team_searches(atlas_db: AtlasDb) -> None:
    with Session(atlas_db.engine) as session:
        state = service_states(session, atlas_db.partner_a)[0]
        area = session.exec(
            select(PartnerCompetency.area_key).where(
                PartnerCompetency.partner_id == atlas_db.partner_a,
                PartnerCompetency.claimed_level.between(FOUNDATIONAL, PROFICIENT),  # type: ignore[attr-defined]
            )
        ).first()
        session.exec(delete(SearchEvent))  # type: ignore[call-overload]
        for kind, results in [("search", 0)] * 3 + [(TEAM_KIND, 4)] * 2:
            session.add(SearchEvent(needs=[area], state=state, result_count=results, kind=kind))
        session.commit()
    at = open_app(atlas_db, PAGE, as_="partner_a")
    assert_no_exception(at)
    label = get_taxonomy().area_label(str(area))
    assert (
        f"asked for **{label}** 5 times last quarter (2 of them in team searches that needed "
        "another partner)"
    ) in everything(at).replace("\\", "")


def test_a_partner_lands_on_my_standing_after_signing_in(atlas_db: AtlasDb) -> None:
    at = open_app(atlas_db, "sign_in.py")
    widget(at, "text_input", "Username").set_value("partner1")
    widget(at, "text_input", "Password").set_value("atlas-demo-partner1")
    at = click(at, "Sign in")
    assert_no_exception(at)
    # The browser is sent for its session cookie (a page AppTest cannot follow) and on to
    # My standing: the hand-over link names it.
    scripts = [str(element.proto) for element in at.get("html")]
    assert any("/_atlas/session?" in s and "next=my_standing" in s for s in scripts), scripts
