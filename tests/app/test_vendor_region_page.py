"""The vendor's region page: scoped to the account's regions, with charts and a benchmark."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from core.analytics.regional import RegionAccessDenied, region_for
from core.confidentiality import active_member_ids, figures_shared_with
from tests.app.conftest import AtlasDb, assert_no_exception, open_app, page_text

PAGE = "vendor_region.py"


def region_choices(at) -> list[str]:  # type: ignore[no-untyped-def]
    return list(at.selectbox(key="region_choice").options)


def test_vendor_chooses_only_among_the_regions_its_account_covers(
    shared_atlas_db: AtlasDb,
) -> None:
    at = open_app(shared_atlas_db, PAGE, as_="vendor")
    assert_no_exception(at)
    assert [c.split(" (")[0] for c in region_choices(at)] == ["South", "West"]
    text = page_text(at)
    assert "partners with a location in" in text
    assert "confidential" in text


def test_admin_sees_every_region_and_division(shared_atlas_db: AtlasDb) -> None:
    at = open_app(shared_atlas_db, PAGE, as_="admin")
    assert_no_exception(at)
    assert len(region_choices(at)) == 13  # 4 Census regions + 9 divisions


def test_benchmark_table_lists_region_partners_with_their_lead_figures(
    shared_atlas_db: AtlasDb,
) -> None:
    at = open_app(shared_atlas_db, PAGE, as_="vendor")
    frames = [f.value for f in at.dataframe]
    assert frames, "the benchmark table is missing"
    bench = frames[0]
    assert {"name", "leads", "reporting_rate", "win_rate", "co_marketing_roi"} <= set(bench)
    assert (bench["leads"] >= bench["won"]).all()


def test_vendor_benchmark_shows_only_its_active_members_and_figures_only_where_shared(
    shared_atlas_db: AtlasDb,
) -> None:
    bench = open_app(shared_atlas_db, PAGE, as_="vendor").dataframe[0].value
    with Session(shared_atlas_db.engine) as session:
        members, shared = active_member_ids(session, "Cisco"), figures_shared_with(session, "Cisco")
    assert len(bench) and set(bench["partner_id"]) <= members
    private = bench[~bench["partner_id"].isin(shared)]
    assert len(private) and private["revenue_usd"].isna().all()
    assert private["co_marketing_funds_usd"].isna().all()


def test_core_refuses_a_region_the_vendor_does_not_cover(shared_atlas_db: AtlasDb) -> None:
    vendor = shared_atlas_db.accounts["vendor"]
    assert region_for(vendor, "south").key == "south"
    with pytest.raises(RegionAccessDenied):
        region_for(vendor, "northeast")
