"""The certification catalogue (data/certifications.csv), loaded through the real loader."""

from __future__ import annotations

import csv
import re
import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from core.settings import DATA_DIR
from core.taxonomy import EXPERT, FOUNDATIONAL, PROFICIENT, Taxonomy, load_taxonomy

MIN_ENTRIES = 75
MIN_VENDORS = 14
MIN_VENDORS_PER_DOMAIN = 2
KEY_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Entry-level credentials: never more than foundational anywhere.
ENTRY_LEVEL_MARKERS = ("fundamentals", "practitioner", "digital leader", "entry-level")

HEADER = "key,vendor,program,name,evidences\n"
GOOD_ROW = (
    "cisco-ccna,Cisco,Cisco Certifications,Cisco Certified Network Associate (CCNA),networking:2\n"
)


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


def test_catalogue_has_enough_entries(taxonomy: Taxonomy) -> None:
    assert len(taxonomy.certifications) >= MIN_ENTRIES


def test_catalogue_spans_enough_vendors(taxonomy: Taxonomy) -> None:
    assert len(taxonomy.vendors) >= MIN_VENDORS


def test_vendor_names_are_not_spelled_two_ways(taxonomy: Taxonomy) -> None:
    folded = [v.casefold() for v in taxonomy.vendors]
    assert len(folded) == len(set(folded))


def test_keys_are_unique_slugs() -> None:
    with (DATA_DIR / "certifications.csv").open(encoding="utf-8", newline="") as handle:
        keys = [row["key"] for row in csv.DictReader(handle)]
    assert len(keys) == len(set(keys))
    bad = [k for k in keys if not KEY_PATTERN.match(k)]
    assert not bad, f"keys that are not lowercase slugs: {bad}"


def test_every_entry_is_fully_described(taxonomy: Taxonomy) -> None:
    for cert in taxonomy.certifications.values():
        assert cert.vendor and cert.program and cert.name, cert.key
        assert cert.evidences, cert.key


def test_levels_are_between_one_and_three(taxonomy: Taxonomy) -> None:
    for cert in taxonomy.certifications.values():
        for area, level in cert.evidences.items():
            assert FOUNDATIONAL <= level <= EXPERT, (cert.key, area, level)
            assert area in taxonomy.area_keys, (cert.key, area)


def test_every_technology_domain_is_evidenced_by_two_vendors_and_at_expert_level(
    taxonomy: Taxonomy,
) -> None:
    vendors: dict[str, set[str]] = defaultdict(set)
    top: dict[str, int] = defaultdict(int)
    for cert in taxonomy.certifications.values():
        for area, level in cert.evidences.items():
            vendors[area].add(cert.vendor)
            top[area] = max(top[area], level)
    for domain in taxonomy.technology_keys:
        assert len(vendors[domain]) >= MIN_VENDORS_PER_DOMAIN, (domain, sorted(vendors[domain]))
        assert top[domain] == EXPERT, (domain, top[domain])


def test_core_business_services_are_evidenced(taxonomy: Taxonomy) -> None:
    evidenced = {a for c in taxonomy.certifications.values() for a in c.evidences}
    for service in ("financing", "logistics", "print_services"):
        assert service in taxonomy.service_keys
        assert service in evidenced, service


def test_entry_level_credentials_stay_foundational(taxonomy: Taxonomy) -> None:
    for cert in taxonomy.certifications.values():
        if any(marker in cert.name.casefold() for marker in ENTRY_LEVEL_MARKERS):
            assert max(cert.evidences.values()) == FOUNDATIONAL, cert.key


def test_associate_credentials_are_proficient_in_one_area_at_most(taxonomy: Taxonomy) -> None:
    for cert in taxonomy.certifications.values():
        if "associate" not in cert.name.casefold():
            continue
        levels = sorted(cert.evidences.values(), reverse=True)
        assert levels[0] <= PROFICIENT, cert.key
        assert all(level <= FOUNDATIONAL for level in levels[1:]), cert.key


def _data_dir_with(tmp_path: Path, catalogue: str) -> Path:
    for name in ("taxonomy.json", "regions.json"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    (tmp_path / "certifications.csv").write_text(catalogue, encoding="utf-8")
    return tmp_path


def test_a_valid_copy_loads(tmp_path: Path) -> None:
    taxonomy = load_taxonomy(_data_dir_with(tmp_path, HEADER + GOOD_ROW))
    assert taxonomy.certifications["cisco-ccna"].evidences == {"networking": PROFICIENT}


@pytest.mark.parametrize(
    "bad_row",
    [
        pytest.param("bad-area,Acme,Acme Program,Acme Cert,quantum:2\n", id="unknown-area"),
        pytest.param("bad-level,Acme,Acme Program,Acme Cert,networking:4\n", id="level-4"),
        pytest.param(
            'bad-quoted,Acme,"Acme, Inc. Program",Acme Cert,"networking:2;security:4"\n',
            id="level-4-in-quoted-list",
        ),
    ],
)
def test_bad_catalogue_row_is_rejected_naming_the_line(tmp_path: Path, bad_row: str) -> None:
    data_dir = _data_dir_with(tmp_path, HEADER + GOOD_ROW + bad_row)
    with pytest.raises(ValueError, match=r"certifications\.csv line 3: bad evidence"):
        load_taxonomy(data_dir)
