"""Demo co-marketing campaigns: a few per catalogue vendor over three years of history.

Big vendors (many certifications in the catalogue: Microsoft, Cisco, AWS) run more. Each
vendor has finished campaigns spread over the three years, one running today (two for the
big ones) and, unless it is a small vendor, one upcoming. Target needs are the areas the
vendor's own certifications evidence, target sizes a run of adjacent segments, regions from
the taxonomy. A campaign's ``quality`` decides whether it pays off: its leads win more (or
less) often, so some campaigns show a good ROI and some do not.

Campaigns depend only on the seed, ``now`` and the directory's size, never on the partners
themselves, so they are written before the first chunk and every chunk's funds and leads can
name them. A directory bigger than the demo's gets proportionally more campaigns (and so
funds and campaign leads): the same activity per partner at 2,000 partners and at a million,
so vendor analytics are measured at a realistic density.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

import numpy as np

from core import models as m
from core.taxonomy import get_taxonomy

HISTORY_DAYS = 3 * 365
SEASONS = ("Winter", "Spring", "Summer", "Autumn")
THEMES = ("Accelerate", "Modernise", "Grow with", "Protect", "Simplify", "Upgrade")
# The size the demo's activity is tuned at (settings.demo_partners' default): a directory of
# k times as many partners gets k times the campaigns.
DENSITY_PARTNERS = 2_000


def density_factor(partners: int | None) -> int:
    """How many times the demo's activity a directory of ``partners`` gets (at least once)."""
    return max(1, round((partners or 0) / DENSITY_PARTNERS))


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
        return list(self._by_vendor.get(vendor, ()))

    @cached_property
    def _by_vendor(self) -> dict[str, tuple[DemoCampaign, ...]]:
        grouped: dict[str, list[DemoCampaign]] = {}
        for c in self.campaigns:
            grouped.setdefault(c.vendor, []).append(c)
        return {vendor: tuple(cs) for vendor, cs in grouped.items()}

    @cached_property
    def _pick_cache(self) -> dict[tuple[str, date, str | None, date], list[DemoCampaign]]:
        return {}

    def pick(
        self, pr: random.Random, vendor: str, since: date, state: str | None, today: date
    ) -> DemoCampaign | None:
        """A started campaign of ``vendor`` that ran while the partner was a member, in the
        partner's region when there is one; None when the vendor ran none then."""
        # Memoised: at a million partners a vendor has thousands of campaigns and its
        # members ask with the same few (since, state) pairs over and over.
        key = (vendor, since, state, today)
        choices = self._pick_cache.get(key)
        if choices is None:
            own = self._by_vendor.get(vendor, ())
            running = [c for c in own if c.starts_on <= today and c.ends_on >= since]
            local = [c for c in running if state in c.states]
            choices = self._pick_cache[key] = local or running
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


def _how_many(vendor: str, factor: int) -> tuple[int, int, int, float]:
    """(campaigns, running now, upcoming, budget scale) by how big the vendor is in the
    catalogue, ``factor`` times the demo's."""
    certs = sum(c.vendor == vendor for c in get_taxonomy().certifications.values())
    if certs >= 12:
        return 8 * factor, 2 * factor, factor, 4.0
    if certs >= 6:
        return 5 * factor, factor, factor, 1.6
    return 3 * factor, factor, 0, 0.7


def _schedule(
    pr: random.Random, count: int, running: int, upcoming: int, today: date
) -> list[tuple[date, date]]:
    """Start and end days, oldest first: finished ones, then running, then upcoming."""
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


def demo_campaigns(*, seed: int, now: datetime, partners: int | None = None) -> CampaignBook:
    """Every vendor's campaigns, ids from 1, the same for the same seed, ``now`` and size
    (``partners``: None or up to about 3,000 give the demo's few per vendor)."""
    pr = random.Random(int(np.random.default_rng([seed, 7]).integers(2**62)))
    taxonomy = get_taxonomy()
    today = now.date()
    main_regions = [r for r in taxonomy.regions if r.kind == "region"]
    campaigns: list[DemoCampaign] = []
    rows: list[dict[str, Any]] = []
    for vendor in taxonomy.vendors:
        needs_pool = _vendor_needs(vendor) or list(taxonomy.technology_keys)
        count, running, upcoming, scale = _how_many(vendor, density_factor(partners))
        keys: set[str] = set()
        for start, end in _schedule(pr, count, running, upcoming, today):
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
            taken_at = len(keys)
            while key in keys:  # stays within the 40 characters of campaign.key
                suffix = f"-{taken_at}"
                key, taken_at = f"{key[: min(37, 40 - len(suffix))]}{suffix}", taken_at + 1
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
