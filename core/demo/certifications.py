"""Demo certifications: drawn from the catalogue so that they back most claims.

About ``OVERCLAIM_SHARE`` of partners (decided by the profile generator) lack the evidence
for their strongest claims; some certifications lapsed, some await review or were rejected.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from core import models as m
from core.taxonomy import CatalogueCertification, get_taxonomy


@dataclass(frozen=True)
class Catalogue:
    """Certifications by the area and level they evidence, for picking backing evidence."""

    certs: tuple[CatalogueCertification, ...]
    # (area, claimed level) -> certs evidencing the area at the highest level <= claimed
    backing: dict[tuple[str, int], tuple[int, ...]]
    vendors: tuple[str, ...]
    vendor_of: dict[str, str]


def catalogue() -> Catalogue:
    taxonomy = get_taxonomy()
    certs = tuple(taxonomy.certifications[k] for k in sorted(taxonomy.certifications))
    backing: dict[tuple[str, int], tuple[int, ...]] = {}
    for area in taxonomy.area_keys:
        levels = sorted({c.evidences[area] for c in certs if area in c.evidences})
        for claimed in (1, 2, 3):
            usable = [lv for lv in levels if lv <= claimed] or levels[:1]
            if usable:
                best = usable[-1]
                backing[(area, claimed)] = tuple(
                    i for i, c in enumerate(certs) if c.evidences.get(area) == best
                )
    vendors = tuple(sorted({c.vendor for c in certs}))
    return Catalogue(certs, backing, vendors, {c.key: c.vendor for c in certs})


def _cert_row(
    pr: random.Random,
    pid: int,
    key: str,
    obtained: date,
    years: int,
    status: str,
    now: datetime,
) -> dict[str, Any]:
    submitted = min(
        datetime.combine(obtained, time(), tzinfo=UTC)
        + timedelta(days=pr.randint(1, 14), seconds=pr.randint(0, 86399)),
        now,
    )
    reviewed = None
    if status != m.CERT_PENDING:
        reviewed = min(submitted + timedelta(days=pr.randint(1, 10)), now)
    return {
        "partner_id": pid,
        "certification_key": key,
        "obtained_on": obtained,
        "expires_on": obtained + timedelta(days=365 * years),
        "status": status,
        "submitted_at": submitted,
        "reviewed_at": reviewed,
        "reviewed_by_account_id": None,
    }


def certifications(
    pr: random.Random,
    pid: int,
    levels: dict[str, int],
    overclaim: bool,
    cat: Catalogue,
    now: datetime,
) -> list[dict[str, Any]]:
    """Evidence for a profile: current approved certs back every strong claim the catalogue
    can evidence, except for over-claimers, who lack it in their 1–2 strongest areas."""
    today = now.date()
    strong = [k for k, v in levels.items() if v >= 2 and (k, v) in cat.backing]
    unbacked: set[str] = set()
    if overclaim and strong:
        ranked = sorted(strong, key=lambda k: -levels[k])
        unbacked = set(ranked[: 1 + (pr.random() < 0.3)])
    preferred = set(pr.sample(cat.vendors, min(2, len(cat.vendors))))

    def pick(area: str, level: int, *, keep_unbacked: bool = True) -> CatalogueCertification | None:
        options = [
            i
            for i in cat.backing.get((area, level), ())
            if not (keep_unbacked and unbacked & cat.certs[i].evidences.keys())
        ]
        liked = [i for i in options if cat.certs[i].vendor in preferred]
        if liked and pr.random() < 0.6:
            options = liked
        return cat.certs[pr.choice(options)] if options else None

    def current() -> date:
        return today - timedelta(days=pr.randint(20, 700))

    def lapsed() -> date:  # obtained 3–5 years ago, so expired even after 3 years' validity
        return today - timedelta(days=pr.randint(3 * 365 + 30, 5 * 365))

    rows: list[dict[str, Any]] = []
    evidenced: dict[str, int] = {}
    for area in strong:
        if area in unbacked:
            cert = pick(area, levels[area], keep_unbacked=False)
            if cert and pr.random() < 0.4:  # the certification lapsed, the claim stayed
                rows.append(_cert_row(pr, pid, cert.key, lapsed(), 2, m.CERT_APPROVED, now))
            continue
        best = cat.certs[cat.backing[(area, levels[area])][0]].evidences[area]
        if evidenced.get(area, 0) >= best:
            continue  # an earlier certification already proves this area
        cert = pick(area, levels[area])
        if cert:
            years = pr.choice((2, 3))
            rows.append(_cert_row(pr, pid, cert.key, current(), years, m.CERT_APPROVED, now))
            for key, level in cert.evidences.items():
                evidenced[key] = max(evidenced.get(key, 0), level)
    foundational = [k for k, v in levels.items() if v == 1 and (k, 1) in cat.backing]
    if foundational and pr.random() < 0.25:
        cert = pick(pr.choice(foundational), 1)
        if cert:
            obtained = current() if pr.random() < 0.5 else lapsed()
            rows.append(_cert_row(pr, pid, cert.key, obtained, 2, m.CERT_APPROVED, now))
    if rows and pr.random() < 0.2:  # renewal history: the same certification, years earlier
        rows.append(
            _cert_row(pr, pid, rows[0]["certification_key"], lapsed(), 2, m.CERT_APPROVED, now)
        )
    roll = pr.random()
    claimed = [k for k, v in levels.items() if (k, v) in cat.backing]
    if claimed and roll < 0.10:
        area = pr.choice(claimed)
        cert = pick(area, levels[area], keep_unbacked=False)
        status = m.CERT_PENDING if roll < 0.08 else m.CERT_REJECTED
        if cert:
            obtained = today - timedelta(days=pr.randint(3, 60))
            rows.append(_cert_row(pr, pid, cert.key, obtained, 3, status, now))
    return rows
