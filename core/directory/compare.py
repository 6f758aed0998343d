"""Two to four partners side by side: domains, services, evidence and distance.

Built from public profiles only, so a comparison can never show more than the profiles do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from core.directory.public_profile import PublicProfile, load_public_profile
from core.formatting import is_ascii_whole_number
from core.geo.distance import haversine_km
from core.geo.places import Place
from core.taxonomy import get_taxonomy

MIN_COMPARE, MAX_COMPARE = 2, 4


class CompareError(ValueError):
    """A comparison that cannot be made; the message is for the visitor."""


def parse_compare_ids(raw: str | None) -> list[int]:
    """``"12,7,30"`` -> [12, 7, 30] (duplicates dropped, order kept); bad input -> CompareError."""
    parts = [p for p in re.split(r"[\s,]+", (raw or "").strip()) if p]
    if not all(is_ascii_whole_number(p) for p in parts):
        raise CompareError("The link names partners by number, for example ?ids=12,7.")
    ids = list(dict.fromkeys(int(p) for p in parts))
    if len(ids) > MAX_COMPARE:
        raise CompareError(f"Compare at most {MAX_COMPARE} partners at a time.")
    return ids


@dataclass(frozen=True)
class ComparedPartner:
    profile: PublicProfile
    distance_km: float | None  # nearest location to the place, when a place was given

    @property
    def partner_id(self) -> int:
        return self.profile.partner_id


@dataclass(frozen=True)
class Comparison:
    partners: list[ComparedPartner]
    missing_ids: list[int]  # asked for but not in the directory (any more)
    place: Place | None

    def area_rows(self, *, group: str | None = None) -> list[dict[str, object]]:
        """One row per area: its label and, per partner, (claimed, evidenced, ally)."""
        rows: list[dict[str, object]] = []
        for area in get_taxonomy().areas:
            if group is not None and area.group != group:
                continue
            cells = {}
            for compared in self.partners:
                level = compared.profile.area(area.key)
                cells[compared.partner_id] = level
            rows.append({"key": area.key, "label": area.label, "cells": cells})
        return rows


def nearest_km(profile: PublicProfile, place: Place) -> float | None:
    if not profile.locations:
        return None
    return min(
        float(haversine_km(place.latitude, place.longitude, loc.latitude, loc.longitude))
        for loc in profile.locations
    )


def load_comparison(
    *, session: Session, partner_ids: Iterable[int], today: date, place: Place | None = None
) -> Comparison:
    partners: list[ComparedPartner] = []
    missing: list[int] = []
    for partner_id in partner_ids:
        profile = load_public_profile(session=session, partner_id=partner_id, today=today)
        if profile is None:
            missing.append(partner_id)
            continue
        distance = nearest_km(profile, place) if place is not None else None
        partners.append(ComparedPartner(profile=profile, distance_km=distance))
    return Comparison(partners=partners, missing_ids=missing, place=place)
