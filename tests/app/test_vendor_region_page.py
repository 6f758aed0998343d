"""The vendor's region page: scoped to the account's regions, coverage and demand charts."""

from __future__ import annotations

import pytest

from core.analytics.regional import RegionAccessDenied, region_for
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
    assert "My program" in text


def test_admin_sees_every_region_and_division(shared_atlas_db: AtlasDb) -> None:
    at = open_app(shared_atlas_db, PAGE, as_="admin")
    assert_no_exception(at)
    assert len(region_choices(at)) == 13  # 4 Census regions + 9 divisions


def test_the_partner_benchmark_moved_to_my_program(shared_atlas_db: AtlasDb) -> None:
    # It listed every partner of the region with revenue and funds: My program replaces it
    # with the vendor's own members only.
    at = open_app(shared_atlas_db, PAGE, as_="vendor")
    assert_no_exception(at)
    assert [t.label for t in at.tabs] == ["Coverage and gaps", "Unmet demand"]
    assert not at.dataframe
    assert not any("revenue" in str(b.label).lower() for b in at.get("download_button"))
    assert "My program" in page_text(at)


def test_core_refuses_a_region_the_vendor_does_not_cover(shared_atlas_db: AtlasDb) -> None:
    vendor = shared_atlas_db.accounts["vendor"]
    assert region_for(vendor, "south").key == "south"
    with pytest.raises(RegionAccessDenied):
        region_for(vendor, "northeast")
