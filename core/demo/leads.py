"""Demo activity for the generated partners: leads and yearly figures (the anonymous
searches are core.demo.searches, from the partners written here).

Leads follow ``core.models.LEAD_TRANSITIONS`` step by step, and each one's status history is
exactly the walk that produced its final status. Some partners rarely report back (their
leads stay "new"), co-marketing leads are weaker than directory leads, and recent leads are
often still open: the patterns vendor benchmarks are meant to reveal.
"""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, insert
from sqlmodel import Session

from core import models as m
from core.demo.campaign_leads import lead_origin
from core.demo.campaigns import CampaignBook
from core.demo.feedback import customer_answers
from core.demo.lead_text import (
    BUSINESSES,
    FIRST_NAMES,
    LAST_NAMES,
    LOST_REASONS,
    MESSAGES,
    PLAIN_WORDS,
)
from core.demo.members import ChunkMembers
from core.tables import table_of
from core.taxonomy import get_taxonomy

# How likely each next step is (filtered through LEAD_TRANSITIONS, so it can never disagree).
STEP_ODDS: dict[str, dict[str, float]] = {
    "new": {"engaged": 0.72, "qualified_out": 0.18, "lost": 0.10},
    "engaged": {"won": 0.32, "lost": 0.25, "nurture": 0.28, "qualified_out": 0.15},
    "nurture": {"engaged": 0.50, "won": 0.10, "lost": 0.40},
    "qualified_out": {"nurture": 1.0},
    "lost": {"nurture": 1.0},
}
# Lead sources for partners in a vendor co-marketing program, and for the others.
PROGRAM_SOURCES = {"directory": 0.45, "co_marketing": 0.32, "vendor_referral": 0.13, "team": 0.10}
OTHER_SOURCES = {"directory": 0.68, "vendor_referral": 0.18, "team": 0.14}
PROGRAM_SHARE = 0.3


@dataclass(frozen=True)
class PartnerFacts:
    """What the activity generator needs to know about one chunk of generated partners."""

    ids: np.ndarray
    levels: np.ndarray  # (partners, areas) int8 in taxonomy.area_keys order
    seg_lo: np.ndarray  # index of the smallest segment served
    seg_hi: np.ndarray
    size: np.ndarray  # number of branches: bigger partners get more leads and revenue
    vendors: list[tuple[str, ...]]  # vendors of the certifications each partner holds
    loc_owner: np.ndarray  # per location: partner index within the chunk
    loc_lat: np.ndarray
    loc_lon: np.ndarray


def pick(pr: random.Random, odds: dict[str, float]) -> str:
    """A key of ``odds``, chosen with probability proportional to its weight."""
    roll, total = pr.random() * sum(odds.values()), 0.0
    for key, weight in odds.items():
        total += weight
        if roll < total:
            return key
    return key


def walk_lead(
    pr: random.Random,
    created: datetime,
    now: datetime,
    *,
    reports: float,
    skill: float,
    weak: bool,
) -> list[tuple[str | None, str, datetime]]:
    """Status history of one lead, (from, to, at) per step, never later than ``now``."""
    steps: list[tuple[str | None, str, datetime]] = [(None, "new", created)]
    if pr.random() > reports:
        return steps  # the partner never reported back on this lead
    status, at = "new", created
    for _ in range(8):
        if status == "won" or (status in ("qualified_out", "lost") and pr.random() < 0.9):
            break
        odds = {k: v for k, v in STEP_ODDS[status].items() if k in m.LEAD_TRANSITIONS[status]}
        if not odds:
            break
        if "won" in odds:
            odds["won"] *= skill * (0.6 if weak else 1.0)
        if weak and "qualified_out" in odds:
            odds["qualified_out"] *= 2.0
        following = pick(pr, odds)
        mean_days = 2.0 / (0.5 + skill) if status == "new" else 20.0
        at = at + timedelta(days=pr.expovariate(1 / mean_days))
        if at > now:
            break
        steps.append((status, following, at))
        status = following
    return steps


@dataclass(frozen=True)
class WrittenPartners:
    """The partners an ActivityWriter has written so far: their levels and locations."""

    count: int
    levels: np.ndarray  # (partners, areas) in the order written
    latitude: np.ndarray  # per location
    longitude: np.ndarray
    owner: np.ndarray  # per location: row of its partner in ``levels``


@dataclass
class ActivityWriter:
    """Writes activity chunk by chunk; remembers locations and levels for the searches."""

    seed: int
    now: datetime
    book: CampaignBook | None = None  # co-marketing leads name one of these campaigns
    next_lead_id: int = 1
    _levels: list[np.ndarray] = field(default_factory=list)
    _lat: list[np.ndarray] = field(default_factory=list)
    _lon: list[np.ndarray] = field(default_factory=list)
    _owner: list[np.ndarray] = field(default_factory=list)
    _partners: int = 0

    def write_chunk(
        self,
        *,
        connection: Connection | Session,
        facts: PartnerFacts,
        chunk_no: int,
        members: ChunkMembers | None = None,
    ) -> int:
        """Leads, their histories and yearly figures of one chunk. Vendor leads (co-marketing,
        referrals) go only to active ``members`` of that vendor; without them, none."""
        members = members or ChunkMembers(by_partner={}, zips={}, state={})
        rng = np.random.default_rng([self.seed, 1, chunk_no])
        pr = random.Random(int(rng.integers(1 << 62)))
        n = len(facts.ids)
        count = np.minimum(rng.poisson(rng.gamma(0.9, 5.0 * (1 + 0.5 * facts.size))), 40)
        reports = np.where(rng.random(n) < 0.2, rng.uniform(0.1, 0.4, n), rng.uniform(0.8, 1, n))
        skill = 0.5 + rng.beta(2, 2, n)
        program = rng.random(n) < PROGRAM_SHARE
        leads, changes = [], []
        for i in range(n):
            sources = PROGRAM_SOURCES if program[i] else OTHER_SOURCES
            for _ in range(int(count[i])):
                lead, history = self._lead(
                    pr,
                    facts,
                    i,
                    sources,
                    members,
                    reports=float(reports[i]),
                    skill=float(skill[i]),
                )
                leads.append(lead)
                changes += history
        figures = self._figures(rng, facts, program)
        answers = customer_answers(leads, seed=self.seed, chunk_no=chunk_no, now=self.now)
        for model, rows in (
            (m.Lead, leads),
            (m.LeadFeedback, answers),
            (m.LeadStatusChange, changes),
            (m.PartnerYearFigures, figures),
        ):
            for start in range(0, len(rows), 20_000):
                connection.execute(insert(table_of(model)), rows[start : start + 20_000])
        self._levels.append(facts.levels)
        self._lat.append(facts.loc_lat)
        self._lon.append(facts.loc_lon)
        self._owner.append(facts.loc_owner + self._partners)
        self._partners += n
        return len(leads)

    def _lead(
        self,
        pr: random.Random,
        facts: PartnerFacts,
        i: int,
        sources: dict[str, float],
        members: ChunkMembers,
        *,
        reports: float,
        skill: float,
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        taxonomy = get_taxonomy()
        pid = int(facts.ids[i])
        lead_id, self.next_lead_id = self.next_lead_id, self.next_lead_id + 1
        created = self.now - timedelta(seconds=int(3 * 365 * 86400 * pr.random() ** 1.3))
        source = pick(pr, sources)
        vendor, campaign = None, None
        if source in ("co_marketing", "vendor_referral"):
            vendor, campaign, created = lead_origin(
                pr, self.book, members, pid, source=source, created=created, now=self.now
            )
            if vendor is None:  # not a member of any program: no vendor sends it leads
                source = "directory"
            elif campaign is None:  # the vendor ran no campaign then: a plain referral
                source = "vendor_referral"
        area_keys = taxonomy.area_keys  # a property that builds a tuple: once per lead
        offered = [k for j, k in enumerate(area_keys) if facts.levels[i, j] > 0]
        needs = set(pr.sample(offered, min(len(offered), pr.choice((1, 1, 2, 2, 3)))))
        if campaign is not None:  # a campaign response asks for what the campaign offered
            needs = set(pr.sample(campaign.needs, min(len(campaign.needs), pr.choice((1, 2)))))
        elif pr.random() < 0.15 or not needs:  # customers also ask for what a partner lacks
            needs.add(pr.choice(area_keys))
        needs_sorted = [k for k in area_keys if k in needs]
        first, last = pr.choice(FIRST_NAMES), pr.choice(LAST_NAMES)
        company = f"{pr.choice(LAST_NAMES)} {pr.choice(BUSINESSES)}"
        segment = pr.randint(int(facts.seg_lo[i]), int(facts.seg_hi[i]))
        if campaign is not None:
            segment = taxonomy.segment_keys.index(pr.choice(campaign.sizes))
        history = walk_lead(
            pr,
            created,
            self.now,
            reports=reports,
            skill=skill * (campaign.quality if campaign else 1.0),
            weak=source == "co_marketing",
        )
        status = history[-1][1]
        value = None
        if status == "won":
            value = round(math.exp(pr.gauss(math.log(9000) + 0.6 * segment, 0.8)), -2)
        lost_reason = pr.choice(LOST_REASONS) if status == "lost" else None
        lines: list[str] = []
        if status == "won" and vendor:  # closed-loop: what of the vendor's was sold
            known = taxonomy.product_lines_of(vendor)
            sold = set(pr.sample(known, pr.choice((1, 1, 2))))
            lines = [k for k in known if k in sold]
        zips: list[str | None] = list(members.zips.get(pid, ())) or [None]
        lead = {
            "id": lead_id,
            "partner_id": pid,
            "team_key": str(uuid.UUID(int=pr.getrandbits(128), version=4))
            if source == "team"
            else None,
            "source": source,
            "vendor_name": vendor,
            "campaign_id": campaign.id if campaign else None,
            "contact_name": f"{first} {last}",
            "contact_email": f"{first}.{last}@{company.lower().replace(' ', '')}.example".lower(),
            "company": company if vendor else None,
            "zip_code": pr.choice(zips) if vendor else None,
            "product_lines": lines,
            "company_size": taxonomy.segment_keys[segment],
            "needs": needs_sorted,
            "message": pr.choice(MESSAGES).format(
                needs=" and ".join(PLAIN_WORDS.get(k, k) for k in needs_sorted),
                people=pr.choice((5, 8, 12, 20, 35, 60, 120, 250)),
            ),
            "status": status,
            "value_usd": value,
            "lost_reason": lost_reason,
            "created_at": created,
            "updated_at": history[-1][2],
            "first_response_at": history[1][2] if len(history) > 1 else None,
            "engaged_at": next((at for _, to, at in history if to == "engaged"), None),
        }
        rows = [
            {
                "lead_id": lead_id,
                "from_status": before,
                "to_status": after,
                "changed_at": at,
                "actor_account_id": None,
                "note": (lost_reason or "") if after == "lost" and k == len(history) - 1 else "",
            }
            for k, (before, after, at) in enumerate(history)
        ]
        return lead, rows

    def _figures(
        self, rng: np.random.Generator, facts: PartnerFacts, program: np.ndarray
    ) -> list[dict[str, Any]]:
        """Three completed years of revenue per partner, trending up or down; co-marketing
        funds for the partners in a vendor program (most years)."""
        n = len(facts.ids)
        base = np.exp(rng.normal(math.log(900_000) + 0.45 * facts.size, 0.7))
        trend = rng.normal(0.05, 0.12, n)
        rows = []
        for k, year in enumerate(range(self.now.year - 3, self.now.year)):
            revenue = base * (1 + trend) ** k * (1 + rng.normal(0, 0.05, n))
            share = rng.uniform(0.004, 0.02, n)
            funded = program & (rng.random(n) < 0.85)
            for i in range(n):
                funds = float(round(revenue[i] * share[i], -2)) if funded[i] else 0.0
                rows.append(
                    {
                        "partner_id": int(facts.ids[i]),
                        "year": year,
                        "revenue_usd": float(round(max(revenue[i], 50_000.0), -3)),
                        "comarketing_funds_usd": funds,
                        # About $150k of revenue per employee in IT services.
                        "headcount": max(1, round(max(revenue[i], 50_000.0) / 150_000)),
                    }
                )
        return rows

    def written(self) -> WrittenPartners | None:
        """What the searches need to know of the partners written so far (None: none yet)."""
        if not self._partners:
            return None
        return WrittenPartners(
            count=self._partners,
            levels=np.concatenate(self._levels),
            latitude=np.concatenate(self._lat),
            longitude=np.concatenate(self._lon),
            owner=np.concatenate(self._owner),
        )
