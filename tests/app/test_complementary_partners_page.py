"""Complementary partners page (AppTest) on the 200-partner demo directory with accounts."""

from __future__ import annotations

from core.search.index import build_read_index
from core.taxonomy import get_taxonomy
from core.teams.complements import find_complements, partner_gaps
from tests.app.conftest import assert_no_exception, open_app, open_deep_link, page_text

PAGE = "complementary_partners.py"


def partner_links(at) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return [
        (int(str(pl.proto.query_string).removeprefix("id=")), str(pl.proto.label))
        for pl in at.get("page_link")
        if str(pl.proto.query_string).startswith("id=")
    ]


def test_anonymous_visitor_is_asked_to_sign_in_and_sees_no_partner(shared_atlas_db):
    at = open_deep_link(shared_atlas_db, PAGE)
    assert_no_exception(at)
    assert "Please sign in" in page_text(at)
    assert not partner_links(at)


def test_partner_sees_its_own_gaps_and_the_nearby_partners_that_fill_them(shared_atlas_db):
    db = shared_atlas_db
    at = open_app(db, PAGE, as_="partner_a")
    assert_no_exception(at)
    index = build_read_index(db.engine)
    gaps = partner_gaps(index=index, partner_id=db.partner_a)
    assert at.subheader[0].value.replace("\\", "") == gaps.name
    text = page_text(at).replace("\\", "")
    taxonomy = get_taxonomy()
    gaps_line = next(line for line in text.splitlines() if line.startswith("**Gaps**"))
    for key in taxonomy.area_keys:
        assert (f"[{taxonomy.area_label(key)}]" in gaps_line) == (key in gaps.gaps)

    expected = find_complements(index=index, partner_id=db.partner_a, radius_km=80, limit=12)
    shown = [pid for pid, _label in partner_links(at)]
    assert db.partner_a not in shown
    assert [c.partner_id for c in expected] == shown
    for complement in expected:  # what each adds is one of the gaps
        assert set(complement.fills) <= set(gaps.gaps)


def test_raising_the_level_turns_proficient_areas_into_gaps(shared_atlas_db):
    db = shared_atlas_db
    at = open_app(db, PAGE, as_="partner_a")
    proficient_gaps = next(m.value for m in at.metric if m.label == "Gaps")
    at.button_group(key="complements_level").set_value(3).run()
    expert_gaps = next(m.value for m in at.metric if m.label == "Gaps")
    index = build_read_index(db.engine)
    assert int(expert_gaps) == len(
        partner_gaps(index=index, partner_id=db.partner_a, min_level=3).gaps
    )
    assert int(expert_gaps) >= int(proficient_gaps)


def test_vendor_picks_a_partner_by_name(shared_atlas_db):
    db = shared_atlas_db
    index = build_read_index(db.engine)
    target = partner_gaps(index=index, partner_id=db.partner_b)
    at = open_app(db, PAGE, as_="vendor")
    assert "Type part of a partner's name" in page_text(at)

    at.text_input(key="complements_name").input(target.name.split()[0]).run()
    at.selectbox(key="complements_choice").select(db.partner_b).run()
    assert_no_exception(at)
    assert at.subheader[0].value.replace("\\", "") == target.name
    assert at.query_params["id"] == str(db.partner_b)


def test_admin_deep_link_with_an_id_opens_that_partner(shared_atlas_db):
    db = shared_atlas_db
    index = build_read_index(db.engine)
    target = partner_gaps(index=index, partner_id=db.partner_a)
    at = open_app(db, None, as_="admin")
    at.query_params["id"] = str(db.partner_a)
    at.switch_page(f"pages/{PAGE}").run()
    assert_no_exception(at)
    assert at.subheader[0].value.replace("\\", "") == target.name
