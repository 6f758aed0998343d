"""The vendor-neutral vocabulary, loaded from data files so a deployment can extend it.

Stable keys (domains, services, levels, segments) come from ``data/taxonomy.json``;
the certification catalogue from ``data/certifications.csv``; sales regions from
``data/regions.json``; the partner-program tiers of each catalogue vendor from
``data/vendor_programs.json``.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.settings import DATA_DIR

TECHNOLOGY = "technology"
BUSINESS_SERVICES = "business_services"
# Competency levels are part of the stable vocabulary (DESIGN.md); their labels ("None",
# "Foundational", "Proficient", "Expert") live in the data file only: use level_label(s).
NONE, FOUNDATIONAL, PROFICIENT, EXPERT = 0, 1, 2, 3
MAX_LEVEL = EXPERT
EVIDENCE_LEVELS = range(FOUNDATIONAL, MAX_LEVEL + 1)  # a certification never evidences "none"


@dataclass(frozen=True)
class Area:
    """A technology domain or a business service: something a customer can need."""

    key: str
    group: str
    label: str
    description: str


@dataclass(frozen=True)
class Level:
    value: int
    key: str
    label: str
    description: str


@dataclass(frozen=True)
class Segment:
    key: str
    label: str


@dataclass(frozen=True)
class CatalogueCertification:
    """A real vendor certification or program, and what it evidences (area -> level)."""

    key: str
    vendor: str
    program: str
    name: str
    evidences: dict[str, int]


@dataclass(frozen=True)
class Region:
    key: str
    label: str
    kind: str
    states: tuple[str, ...]


@dataclass(frozen=True)
class Taxonomy:
    areas: tuple[Area, ...]
    levels: tuple[Level, ...]
    segments: tuple[Segment, ...]
    certifications: dict[str, CatalogueCertification]
    regions: tuple[Region, ...]
    group_labels: dict[str, str]
    # Partner-program tiers per catalogue vendor, lowest first (every vendor has a list).
    vendor_tiers: dict[str, tuple[str, ...]]
    # The product lines a vendor sells (deal registrations and won leads name them).
    vendor_product_lines: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Days an approved deal registration protects its partner, unless the vendor says else.
    deal_protection_days: int = 90

    @property
    def area_keys(self) -> tuple[str, ...]:
        return tuple(a.key for a in self.areas)

    @property
    def technology_keys(self) -> tuple[str, ...]:
        return tuple(a.key for a in self.areas if a.group == TECHNOLOGY)

    @property
    def service_keys(self) -> tuple[str, ...]:
        return tuple(a.key for a in self.areas if a.group == BUSINESS_SERVICES)

    @property
    def segment_keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.segments)

    @property
    def vendors(self) -> tuple[str, ...]:
        return tuple(sorted({c.vendor for c in self.certifications.values()}))

    @property
    def evidenceable_keys(self) -> frozenset[str]:
        """Areas some catalogue certification can evidence; a claim elsewhere cannot be
        checked, so it is never flagged as unbacked."""
        return frozenset(a for c in self.certifications.values() for a in c.evidences)

    def area(self, key: str) -> Area:
        for area in self.areas:
            if area.key == key:
                return area
        raise KeyError(f"unknown need {key!r}")

    def area_label(self, key: str) -> str:
        return self.area(key).label

    def level_label(self, value: int) -> str:
        return self.levels[value].label

    def level_labels(self, *, at_least: int = NONE) -> dict[int, str]:
        """Level value -> label, from ``at_least`` up: the options of a level picker."""
        return {lv.value: lv.label for lv in self.levels if lv.value >= at_least}

    def tiers_of(self, vendor: str) -> tuple[str, ...]:
        """The vendor's own tier names, lowest first; KeyError for a vendor not in the catalogue."""
        return self.vendor_tiers[vendor]

    def product_lines_of(self, vendor: str) -> tuple[str, ...]:
        """The vendor's product lines; KeyError for a vendor not in the catalogue."""
        return self.vendor_product_lines[vendor]

    def region(self, key: str) -> Region:
        for region in self.regions:
            if region.key == key:
                return region
        raise KeyError(f"unknown region {key!r}")


def _parse_evidences(raw: str, *, known_areas: set[str], where: str) -> dict[str, int]:
    evidences: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in raw.split(";"))):
        area, _, level = part.partition(":")
        if area not in known_areas or level not in {str(v) for v in EVIDENCE_LEVELS}:
            raise ValueError(f"{where}: bad evidence {part!r} (want area:1..{MAX_LEVEL})")
        evidences[area] = int(level)
    if not evidences:
        raise ValueError(f"{where}: a certification must evidence at least one area")
    return evidences


DEFAULT_TIERS = ("Registered", "Silver", "Gold", "Platinum")
DEFAULT_PRODUCT_LINES = ("Hardware", "Software", "Subscriptions", "Services")


def _tier_list(raw: object, *, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"{where}: tiers must be a non-empty list of names")
    tiers = tuple(str(t).strip() for t in raw)
    if any(not t or len(t) > 40 for t in tiers) or len(set(tiers)) != len(tiers):
        raise ValueError(f"{where}: tier names must be unique, 1-40 characters: {tiers}")
    return tiers


def _per_vendor_lists(
    raw: dict[str, Any], path: Path, vendors: set[str], *, listed_key: str, default_key: str
) -> dict[str, tuple[str, ...]]:
    default = _tier_list(raw.get(default_key), where=f"{path.name} {default_key}")
    listed: dict[str, object] = raw.get(listed_key) or {}
    unknown = sorted(set(listed) - vendors)
    if unknown:
        raise ValueError(f"{path.name}: vendors not in the catalogue: {', '.join(unknown)}")
    return {
        v: _tier_list(listed[v], where=f"{path.name} {v}") if v in listed else default
        for v in sorted(vendors)
    }


def load_vendor_programs(
    path: Path, vendors: set[str]
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], int]:
    """Tiers and product lines for every catalogue vendor, and the deal protection days.
    A vendor in the file but not in the catalogue is a typo that would silently give the
    real vendor the defaults, so it fails the load. Without the file (a deployment with its
    own catalogue) every vendor gets the defaults."""
    raw = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    raw.setdefault("default_tiers", list(DEFAULT_TIERS))
    raw.setdefault("default_product_lines", list(DEFAULT_PRODUCT_LINES))
    tiers = _per_vendor_lists(raw, path, vendors, listed_key="vendors", default_key="default_tiers")
    lines = _per_vendor_lists(
        raw, path, vendors, listed_key="product_lines", default_key="default_product_lines"
    )
    days = raw.get("deal_protection_days", 90)
    if not isinstance(days, int) or not 1 <= days <= 730:
        raise ValueError(f"{path.name}: deal_protection_days must be a whole number 1-730")
    return tiers, lines, days


def load_vendor_tiers(path: Path, vendors: set[str]) -> dict[str, tuple[str, ...]]:
    """Tiers for every catalogue vendor (see load_vendor_programs)."""
    return load_vendor_programs(path, vendors)[0]


def load_taxonomy(data_dir: Path = DATA_DIR) -> Taxonomy:
    raw = json.loads((data_dir / "taxonomy.json").read_text(encoding="utf-8"))
    areas = tuple(Area(**a) for a in raw["areas"])
    known = {a.key for a in areas}
    certifications: dict[str, CatalogueCertification] = {}
    path = data_dir / "certifications.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        for line_no, row in enumerate(csv.DictReader(handle), start=2):
            key = row["key"].strip()
            if key in certifications:
                raise ValueError(f"{path.name} line {line_no}: duplicate key {key!r}")
            certifications[key] = CatalogueCertification(
                key=key,
                vendor=row["vendor"].strip(),
                program=row["program"].strip(),
                name=row["name"].strip(),
                evidences=_parse_evidences(
                    row["evidences"], known_areas=known, where=f"{path.name} line {line_no}"
                ),
            )
    regions_raw = json.loads((data_dir / "regions.json").read_text(encoding="utf-8"))
    regions = tuple(
        Region(
            key=r["key"], label=r["label"], kind=r.get("kind", "region"), states=tuple(r["states"])
        )
        for r in regions_raw["regions"]
    )
    tiers, product_lines, protection_days = load_vendor_programs(
        data_dir / "vendor_programs.json", {c.vendor for c in certifications.values()}
    )
    levels = tuple(Level(**lv) for lv in sorted(raw["levels"], key=lambda lv: lv["value"]))
    if [lv.value for lv in levels] != list(range(NONE, MAX_LEVEL + 1)):
        raise ValueError(f"taxonomy.json: levels must be {NONE}..{MAX_LEVEL}, each once")
    return Taxonomy(
        areas=areas,
        levels=levels,
        segments=tuple(Segment(**s) for s in raw["segments"]),
        certifications=certifications,
        regions=regions,
        group_labels={g["key"]: g["label"] for g in raw["groups"]},
        vendor_tiers=tiers,
        vendor_product_lines=product_lines,
        deal_protection_days=protection_days,
    )


@lru_cache(maxsize=1)
def get_taxonomy() -> Taxonomy:
    return load_taxonomy()
