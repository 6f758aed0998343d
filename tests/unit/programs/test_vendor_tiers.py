"""Vendor program tiers come from data/vendor_programs.json and are checked when loaded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.taxonomy import DEFAULT_TIERS, get_taxonomy, load_vendor_tiers


def test_every_catalogue_vendor_has_tiers_and_real_ones_have_their_own_names() -> None:
    taxonomy = get_taxonomy()
    assert set(taxonomy.vendor_tiers) == set(taxonomy.vendors)
    assert taxonomy.tiers_of("Cisco") == ("Registered", "Select", "Premier", "Gold")
    assert "Solutions Partner" in taxonomy.tiers_of("Microsoft")


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "vendor_programs.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_vendors_not_listed_get_the_default_tiers(tmp_path: Path) -> None:
    path = _write(tmp_path, {"default_tiers": ["Basic", "Pro"], "vendors": {"Acme": ["One"]}})
    assert load_vendor_tiers(path, {"Acme", "Other"}) == {
        "Acme": ("One",),
        "Other": ("Basic", "Pro"),
    }


def test_without_the_file_every_vendor_gets_the_built_in_default(tmp_path: Path) -> None:
    assert load_vendor_tiers(tmp_path / "missing.json", {"Acme"}) == {"Acme": DEFAULT_TIERS}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"vendors": {"Cisko": ["Gold"]}}, "not in the catalogue: Cisko"),
        ({"vendors": {"Acme": []}}, "non-empty list"),
        ({"vendors": {"Acme": ["Gold", "Gold"]}}, "unique"),
        ({"default_tiers": "Gold"}, "non-empty list"),
    ],
)
def test_a_bad_tier_file_fails_the_load_naming_the_problem(
    tmp_path: Path, data: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        load_vendor_tiers(_write(tmp_path, data), {"Acme"})
