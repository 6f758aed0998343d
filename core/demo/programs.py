"""Demo vendor programs: memberships and figures consents for one chunk of generated partners.

Partners mostly join the programs of vendors whose certifications they hold (and now and
then one they do not); most memberships are active, spread over the vendor's tiers with
fewer at the top, and a few are still requested (by the partner), invited (by the vendor),
declined or ended. Most partners share their figures with some of their vendors, not all.

Rows are plain dicts for executemany, drawn from one generator per (seed, chunk), so the
same seed gives the same programs; every date derives from ``now``, never the clock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from core import models as m
from core.taxonomy import get_taxonomy

JOIN_HELD_VENDOR = 0.7  # of the vendors whose certifications a partner holds
JOIN_OTHER_VENDOR = 0.06  # one program without that vendor's certification
# status, requested_by: how memberships stand today.
STANDINGS = (
    ((m.PROGRAM_ACTIVE, m.SIDE_PARTNER), 0.62),
    ((m.PROGRAM_ACTIVE, m.SIDE_VENDOR), 0.20),
    ((m.PROGRAM_REQUESTED, m.SIDE_PARTNER), 0.06),
    ((m.PROGRAM_REQUESTED, m.SIDE_VENDOR), 0.05),
    ((m.PROGRAM_DECLINED, m.SIDE_PARTNER), 0.02),
    ((m.PROGRAM_ENDED, m.SIDE_PARTNER), 0.05),
)
SHARES_WITH_A_VENDOR = 0.6  # per membership, when the partner is a sharer at all
SHARER_SHARE = 0.85  # partners that share with at least some vendors
REVOKED = 0.05  # consent rows that were granted once and revoked since
# The vendors with demo accounts (README), and how many partners of the first chunk are
# made active members of both, so the demo partner accounts can be drawn from them.
DEMO_VENDORS = ("Cisco", "Microsoft")
SHOWCASE = 8


@dataclass
class ProgramRows:
    memberships: list[dict[str, Any]] = field(default_factory=list)
    consents: list[dict[str, Any]] = field(default_factory=list)
    showcase: frozenset[int] = frozenset()


def _tier(pr: random.Random, tiers: tuple[str, ...]) -> str:
    # Fewer partners at each higher tier: weights n, n-1, ..., 1.
    return pr.choices(tiers, weights=range(len(tiers), 0, -1))[0]


def _membership(pr: random.Random, pid: int, vendor: str, now: datetime) -> dict[str, Any]:
    ((status, side),) = pr.choices([s for s, _ in STANDINGS], weights=[w for _, w in STANDINGS])
    tiers = get_taxonomy().tiers_of(vendor)
    asked = now - timedelta(days=pr.randint(1, 2500), seconds=pr.randint(0, 86399))
    row: dict[str, Any] = {
        "partner_id": pid,
        "vendor": vendor,
        "tier": None,
        "status": status,
        "requested_by": side,
        "requested_at": asked,
        "since": None,
        "ended_on": None,
        "updated_at": asked,
        "version": 1,
    }
    if status == m.PROGRAM_REQUESTED:
        asked = now - timedelta(days=pr.randint(1, 45))
        row.update(requested_at=asked, updated_at=asked)
        row["tier"] = _tier(pr, tiers) if side == m.SIDE_VENDOR and pr.random() < 0.5 else None
        return row
    answered = min(asked + timedelta(days=pr.randint(1, 20)), now)
    row.update(updated_at=answered, version=2)
    if status == m.PROGRAM_DECLINED:
        row["ended_on"] = answered.date()
        return row
    row.update(tier=_tier(pr, tiers), since=answered.date())
    if status == m.PROGRAM_ENDED:
        ended = min(answered + timedelta(days=pr.randint(30, 900)), now)
        row.update(ended_on=ended.date(), updated_at=ended, version=3)
    return row


def _showcased(
    pr: random.Random, pid: int, rows: list[dict[str, Any]], now: datetime
) -> list[dict[str, Any]]:
    """A showcase partner's memberships: active in both demo vendors' programs."""
    kept = [r for r in rows if r["vendor"] not in DEMO_VENDORS]
    for vendor in DEMO_VENDORS:
        asked = now - timedelta(days=pr.randint(200, 1500))
        answered = asked + timedelta(days=pr.randint(1, 20))
        kept.append(
            {
                "partner_id": pid,
                "vendor": vendor,
                "tier": _tier(pr, get_taxonomy().tiers_of(vendor)),
                "status": m.PROGRAM_ACTIVE,
                "requested_by": m.SIDE_PARTNER,
                "requested_at": asked,
                "since": answered.date(),
                "ended_on": None,
                "updated_at": answered,
                "version": 2,
            }
        )
    return kept


def _showcase_consents(
    pid: int, rows: list[dict[str, Any]], turn: int, now: datetime
) -> list[dict[str, Any]]:
    """Mixed consent: a showcase partner shares its figures with one demo vendor (they
    take turns) and with none of its other vendors."""
    sharer = DEMO_VENDORS[pid % len(DEMO_VENDORS)]
    changed = now - timedelta(days=30 + turn % 90)
    return [
        {"partner_id": pid, "vendor": r["vendor"], "granted": True, "changed_at": changed}
        for r in rows
        if r["vendor"] == sharer
    ]


def program_rows(
    *,
    seed: int,
    chunk_no: int,
    ids: np.ndarray,
    certifications: list[dict[str, Any]],
    now: datetime,
) -> ProgramRows:
    """Memberships and consents for the partners ``ids``, given the chunk's certification
    rows: the vendors whose certifications a partner holds approved and unexpired."""
    pr = random.Random(int(np.random.default_rng([seed, 5, chunk_no]).integers(2**62)))
    taxonomy = get_taxonomy()
    vendors = taxonomy.vendors
    held_by: dict[int, set[str]] = {}
    for cert in certifications:
        if cert["status"] == m.CERT_APPROVED and cert["expires_on"] >= now.date():
            vendor = taxonomy.certifications[cert["certification_key"]].vendor
            held_by.setdefault(cert["partner_id"], set()).add(vendor)
    out = ProgramRows()
    if chunk_no == 0:  # the first partners certified by the first demo vendor
        firsts = [p for p in ids.tolist() if DEMO_VENDORS[0] in held_by.get(p, ())]
        out.showcase = frozenset(firsts[:SHOWCASE])
    for pid in ids.tolist():
        held = sorted(held_by.get(pid, ()))
        joined = [v for v in held if pr.random() < JOIN_HELD_VENDOR]
        if pr.random() < JOIN_OTHER_VENDOR:
            other = pr.choice(vendors)
            if other not in held:
                joined.append(other)
        rows = [_membership(pr, pid, v, now) for v in joined]
        if pid in out.showcase:
            rows = _showcased(pr, pid, rows, now)
            out.consents += _showcase_consents(pid, rows, len(out.consents), now)
            out.memberships += rows
            continue
        out.memberships += rows
        sharer = pr.random() < SHARER_SHARE
        for row in rows:
            if not sharer or pr.random() >= SHARES_WITH_A_VENDOR:
                continue
            changed = min(row["updated_at"] + timedelta(days=pr.randint(0, 60)), now)
            out.consents.append(
                {
                    "partner_id": pid,
                    "vendor": row["vendor"],
                    "granted": pr.random() >= REVOKED,
                    "changed_at": changed,
                }
            )
    return out
