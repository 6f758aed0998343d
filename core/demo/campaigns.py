"""Demo co-marketing campaigns: a few per catalogue vendor over three years of history.

Big vendors (many certifications in the catalogue: Microsoft, Cisco, AWS) run more. Each
vendor has finished campaigns spread over the three years, one running today (two for the
big ones) and, unless it is a small vendor, one upcoming. Target needs are the areas the
vendor's own certifications evidence, target sizes a run of adjacent segments, regions from
the taxonomy. A campaign's ``quality`` decides whether it pays off: its leads win more (or
less) often, so some campaigns show a good ROI and some do not.

Campaigns depend only on the seed and ``now``, never on the partners, so they are written
before the first chunk and every chunk's funds and leads can name them.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from core import models as m
from core.taxonomy import get_taxonomy

HISTORY_DAYS = 3 * 365
SEASONS = ("Winter", "Spring", "Summer", "Autumn")
THEMES = ("Accelerate", "Modernise", "Grow with", "Protect", "Simplify", "Upgrade")


@dataclass(frozen=True)
class DemoCampaign:
    """What the fund, deal and lead generators need to know about one campaign."""

    id: int
    vendor: str
    key: str
    starts_on: date
    ends_on: date
    states: frozenset[str]
    needs: tuple[str, ...]
    sizes: tuple[str, ...]
    budget_usd: float
    target_funds: int  # how many members the vendor means to fund, whatever the size
    quality: float  # multiplies its leads' chance to win: < 1 does not pay off

    def phase(self, today: date) -> str:
        if self.starts_on > today:
            return "upcoming"
        return "running" if self.ends_on >= today else "finished"


@dataclass(frozen=True)
class CampaignBook:
    """The demo campaigns, by id and by vendor."""

    campaigns: tuple[DemoCampaign, ...]
    rows: tuple[dict[str, Any], ...]

    def of(self, vendor: str) -> list[DemoCampaign]:
        return [c for c in self.campaigns if c.vendor == vendor]

    def pick(
        self, pr: random.Random, vendor: str, since: date, state: str | None, today: date
    ) -> DemoCampaign | None:
        """A started campaign of ``vendor`` that ran while the partner was a member, in the
        partner's region when there is one; None when the vendor ran none then."""
        running = [c for c in self.of(vendor) if c.starts_on <= today and c.ends_on >= since]
        local = [c for c in running if state in c.states]
        choices = local or running
        return pr.choice(choices) if choices else None


def _vendor_needs(vendor: str) -> list[str]:
    taxonomy = get_taxonomy()
    evidenced = {
        a
        for c in taxonomy.certifications.values()
        if c.vendor == vendor
        for a, level in c.evidences.items()
        if level >= 2
    }
    return [k for k in taxonomy.area_keys if k in evidenced]


def _how_many(vendor: str) -> tuple[int, int, float]:
    """(campaigns, running now, budget scale) by how big the vendor is in the catalogue."""
    certs = sum(c.vendor == vendor for c in get_taxonomy().certifications.values())
    if certs >= 12:
        return 8, 2, 4.0
    if certs >= 6:
        return 5, 1, 1.6
    return 3, 1, 0.7


def _schedule(pr: random.Random, count: int, running: int, today: date) -> list[tuple[date, date]]:
    """Start and end days, oldest first: finished ones, then running, then one upcoming."""
    upcoming = 1 if count >= 4 else 0
    finished = count - running - upcoming
    spans = []
    slot = (HISTORY_DAYS - 60) / max(finished, 1)
    for k in range(finished):
        start = today - timedelta(days=HISTORY_DAYS - int(k * slot + pr.uniform(0, slot * 0.4)))
        end = min(start + timedelta(days=pr.randint(45, 120)), today - timedelta(days=2))
        spans.append((start, end))
    for _ in range(running):
        start = today - timedelta(days=pr.randint(10, 80))
        spans.append((start, today + timedelta(days=pr.randint(20, 90))))
    for _ in range(upcoming):
        start = today + timedelta(days=pr.randint(10, 45))
        spans.append((start, start + timedelta(days=pr.randint(60, 100))))
    return spans


def demo_campaigns(*, seed: int, now: datetime) -> CampaignBook:
    """Every vendor's campaigns, ids from 1, the same for the same seed and ``now``."""
    pr = random.Random(int(np.random.default_rng([seed, 7]).integers(2**62)))
    taxonomy = get_taxonomy()
    today = now.date()
    main_regions = [r for r in taxonomy.regions if r.kind == "region"]
    campaigns: list[DemoCampaign] = []
    rows: list[dict[str, Any]] = []
    for vendor in taxonomy.vendors:
        needs_pool = _vendor_needs(vendor) or list(taxonomy.technology_keys)
        count, running, scale = _how_many(vendor)
        keys: set[str] = set()
        for start, end in _schedule(pr, count, running, today):
            regions = (
                main_regions
                if pr.random() < 0.3
                else sorted(pr.sample(main_regions, pr.choice((1, 1, 2))), key=main_regions.index)
            )
            picked = set(pr.sample(needs_pool, min(len(needs_pool), pr.choice((1, 2, 2, 3)))))
            needs = tuple(k for k in taxonomy.area_keys if k in picked)
            low = pr.randint(0, len(taxonomy.segment_keys) - 1)
            sizes = taxonomy.segment_keys[low : low + pr.randint(1, 3)]
            season = SEASONS[(start.month % 12) // 3]
            base = needs[0].replace("_", "-")
            key = f"{base}-{season.lower()}-{start.year}"
            while key in keys:
                key = f"{key[:37]}-{len(keys)}"
            keys.add(key)
            theme = pr.choice(THEMES)
            label = taxonomy.area_label(needs[0])
            budget = float(round(scale * math.exp(pr.gauss(math.log(60_000), 0.35)), -3))
            campaign = DemoCampaign(
                id=len(campaigns) + 1,
                vendor=vendor,
                key=key,
                starts_on=start,
                ends_on=end,
                states=frozenset(s for r in regions for s in r.states),
                needs=needs,
                sizes=tuple(sizes),
                budget_usd=budget,
                target_funds=max(3, int(budget / pr.uniform(9_000, 15_000))),
                quality=round(math.exp(pr.gauss(0.0, 0.45)), 3),
            )
            created = min(
                datetime.combine(start, now.timetz()) - timedelta(days=pr.randint(20, 60)),
                now - timedelta(days=1),
            )
            row = {
                "id": campaign.id,
                "vendor": vendor,
                "key": key,
                "name": f"{vendor} {theme} {label} — {season} {start.year}",
                "regions": [r.key for r in regions],
                "target_needs": list(needs),
                "target_sizes": list(sizes),
                "budget_usd": budget,
                "starts_on": start,
                "ends_on": end,
                "committed_usd": 0.0,  # set once every chunk's funds are known
                "created_at": created,
                "updated_at": created,
                "version": 1,
            }
            m.CampaignCreate.model_validate(row)  # the generator obeys the input rules
            campaigns.append(campaign)
            rows.append(row)
    return CampaignBook(tuple(campaigns), tuple(rows))
