"""Who is an active member of which vendor's program in one chunk, and where they are: what
the demo funds, deals and campaign leads are drawn from (only active members get them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from core import models as m


@dataclass(frozen=True)
class VendorMembers:
    """One vendor's active members in a chunk, in partner-id order."""

    ids: np.ndarray  # partner ids
    since: np.ndarray  # date ordinals
    states: np.ndarray  # HQ state of each


@dataclass(frozen=True)
class ChunkMembers:
    by_partner: dict[int, list[tuple[str, date]]]  # active memberships: (vendor, since)
    zips: dict[int, list[str]]  # ZIP codes of each partner's locations, HQ first
    state: dict[int, str]  # HQ state
    showcase: frozenset[int] = frozenset()  # partners the demo accounts are drawn from
    by_vendor: dict[str, VendorMembers] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        *,
        memberships: list[dict[str, Any]],
        locations: list[dict[str, Any]],
        showcase: frozenset[int] = frozenset(),
    ) -> ChunkMembers:
        zips: dict[int, list[str]] = {}
        state: dict[int, str] = {}
        for loc in locations:
            pid = loc["partner_id"]
            if loc["is_headquarters"]:
                zips.setdefault(pid, []).insert(0, loc["zip_code"])
                state[pid] = loc["state"]
            else:
                zips.setdefault(pid, []).append(loc["zip_code"])
        by_partner: dict[int, list[tuple[str, date]]] = {}
        grouped: dict[str, list[tuple[int, int, str]]] = {}
        for row in memberships:
            if row["status"] != m.PROGRAM_ACTIVE:
                continue
            pid, vendor, since = row["partner_id"], row["vendor"], row["since"]
            by_partner.setdefault(pid, []).append((vendor, since))
            grouped.setdefault(vendor, []).append((pid, since.toordinal(), state.get(pid, "")))
        by_vendor = {}
        for vendor, members in grouped.items():
            members.sort()
            by_vendor[vendor] = VendorMembers(
                ids=np.array([p for p, _, _ in members], dtype=np.int64),
                since=np.array([s for _, s, _ in members], dtype=np.int64),
                states=np.array([st for _, _, st in members], dtype="U2"),
            )
        return cls(by_partner, zips, state, showcase, by_vendor)
