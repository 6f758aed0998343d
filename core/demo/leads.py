"""Demo activity for the generated partners: leads, yearly figures and anonymous searches.

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

from core import models as m
from core.demo.places import DemoPlaces
from core.geo.places import haversine_km
from core.tables import table_of
from core.taxonomy import get_taxonomy

PLAIN_WORDS = {
    "hardware": "PCs, servers and printers", "networking": "office networks and Wi-Fi",
    "security": "cybersecurity", "storage_backup": "backup and disaster recovery",
    "cloud": "cloud migration and hosting", "productivity": "Microsoft 365 and Google Workspace",
    "business_apps": "accounting, ERP and CRM software",
    "collaboration": "Teams and video meeting rooms",
    "telecom": "business phone systems and internet lines",
    "mobile": "smartphones and tablets", "managed_it": "managed IT support",
    "data_analytics": "reports, dashboards and analytics",
    "iot": "connected sensors and cameras", "financing": "leasing and financing",
    "logistics": "delivery and multi-site rollouts", "insurance": "cyber insurance",
    "print_services": "managed print",
}  # fmt: skip
FIRST_NAMES = (
    "Maria", "James", "Aisha", "Wei", "Carlos", "Emily", "Daniel", "Priya", "Kevin", "Sofia",
    "Marcus", "Hannah", "Luis", "Grace", "Omar", "Rachel", "Tyler", "Mei", "Jorge", "Linda",
    "Andre", "Keiko", "Sam", "Fatima",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Lee", "Gonzalez", "Brown", "Nguyen", "Davis", "Martinez", "Wilson", "Khan",
    "Anderson", "Thomas", "Moore", "Jackson", "Wright", "Flores", "Park", "Rivera", "Campbell",
    "Mitchell", "Turner",
)  # fmt: skip
BUSINESSES = (
    "Dental", "Law", "Realty", "Construction", "Clinic", "Accounting", "Bakery", "Auto Repair",
    "Logistics", "Architects", "Veterinary", "Insurance Agency", "Manufacturing", "Farms",
    "Hotel", "Salon",
)  # fmt: skip
MESSAGES = (
    "We need help with {needs}.",
    "Looking for a local partner for {needs}. We are about {people} people.",
    "Our IT person is leaving; we need {needs} soon.",
    "Please call me about {needs} for our new office.",
    "We want quotes for {needs} before the end of the quarter.",
)
LOST_REASONS = (
    "chose another provider", "price too high", "project postponed", "no budget this year",
    "customer stopped answering", "decided to keep it in-house",
)  # fmt: skip
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
DEMAND = {
    "security": 3.0,
    "cloud": 2.5,
    "managed_it": 2.5,
    "networking": 2.0,
    "productivity": 2.0,
    "storage_backup": 1.5,
    "hardware": 1.5,
    "telecom": 1.0,
    "collaboration": 1.0,
    "business_apps": 1.0,
    "mobile": 0.8,
    "data_analytics": 0.8,
    "iot": 0.6,
    "insurance": 0.6,
    "financing": 0.5,
    "print_services": 0.4,
    "logistics": 0.3,
}


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


def _pick(pr: random.Random, odds: dict[str, float]) -> str:
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
        following = _pick(pr, odds)
        mean_days = 2.0 / (0.5 + skill) if status == "new" else 20.0
        at = at + timedelta(days=pr.expovariate(1 / mean_days))
        if at > now:
            break
        steps.append((status, following, at))
        status = following
    return steps


@dataclass
class ActivityWriter:
    """Writes activity chunk by chunk; remembers locations and levels for the searches."""

    seed: int
    now: datetime
    next_lead_id: int = 1
    _levels: list[np.ndarray] = field(default_factory=list)
    _lat: list[np.ndarray] = field(default_factory=list)
    _lon: list[np.ndarray] = field(default_factory=list)
    _owner: list[np.ndarray] = field(default_factory=list)
    _partners: int = 0

    def write_chunk(self, *, connection: Connection, facts: PartnerFacts, chunk_no: int) -> int:
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
                    pr, facts, i, sources, reports=float(reports[i]), skill=float(skill[i])
                )
                leads.append(lead)
                changes += history
        figures = self._figures(rng, facts, program)
        for model, rows in (
            (m.Lead, leads),
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
        *,
        reports: float,
        skill: float,
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        taxonomy = get_taxonomy()
        lead_id, self.next_lead_id = self.next_lead_id, self.next_lead_id + 1
        created = self.now - timedelta(seconds=int(3 * 365 * 86400 * pr.random() ** 1.3))
        source = _pick(pr, sources)
        vendor = None
        if source in ("co_marketing", "vendor_referral"):
            held = facts.vendors[i]
            vendor = pr.choice(held) if held and pr.random() < 0.8 else pr.choice(taxonomy.vendors)
        offered = [k for j, k in enumerate(taxonomy.area_keys) if facts.levels[i, j] > 0]
        needs = set(pr.sample(offered, min(len(offered), pr.choice((1, 1, 2, 2, 3)))))
        if pr.random() < 0.15 or not needs:  # customers also ask for what a partner lacks
            needs.add(pr.choice(taxonomy.area_keys))
        needs_sorted = [k for k in taxonomy.area_keys if k in needs]
        first, last = pr.choice(FIRST_NAMES), pr.choice(LAST_NAMES)
        company = f"{pr.choice(LAST_NAMES)} {pr.choice(BUSINESSES)}"
        segment = pr.randint(int(facts.seg_lo[i]), int(facts.seg_hi[i]))
        history = walk_lead(
            pr, created, self.now, reports=reports, skill=skill, weak=source == "co_marketing"
        )
        status = history[-1][1]
        value = None
        if status == "won":
            value = round(math.exp(pr.gauss(math.log(9000) + 0.6 * segment, 0.8)), -2)
        lost_reason = pr.choice(LOST_REASONS) if status == "lost" else None
        lead = {
            "id": lead_id,
            "partner_id": int(facts.ids[i]),
            "team_key": str(uuid.UUID(int=pr.getrandbits(128), version=4))
            if source == "team"
            else None,
            "source": source,
            "vendor_name": vendor,
            "contact_name": f"{first} {last}",
            "contact_email": f"{first}.{last}@{company.lower().replace(' ', '')}.example".lower(),
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
                    }
                )
        return rows

    def write_search_events(self, *, connection: Connection, places: DemoPlaces) -> int:
        """A few thousand anonymous searches, concentrated in some states and needs.

        result_count is what a plain radius search over partner locations finds, so the
        rural and niche searches that find 0–2 partners show up as unmet demand.
        """
        if not self._partners:
            return 0
        taxonomy = get_taxonomy()
        rng = np.random.default_rng([self.seed, 2])
        pr = random.Random(int(rng.integers(1 << 62)))
        lat, lon = np.concatenate(self._lat), np.concatenate(self._lon)
        owner, levels = np.concatenate(self._owner), np.concatenate(self._levels)
        order = np.argsort(lat, kind="stable")
        lat, lon, owner = lat[order], lon[order], owner[order]
        states = sorted(places.by_state)
        weight = np.array([places.by_state[s][1][-1] for s in states])
        weight[rng.choice(len(states), size=6, replace=False)] *= 3.0  # hot markets
        hot_need = {s: pr.choice(taxonomy.area_keys) for s in states}
        column = {k: j for j, k in enumerate(taxonomy.area_keys)}
        n_events = int(min(6000, max(1000, 2 * self._partners)))
        picks = rng.choice(len(states), size=n_events, p=weight / weight.sum())
        rows = []
        for state_index in picks:
            state = states[int(state_index)]
            row = int(places.sample_in_state(state, np.array([pr.random()]))[0])
            e_lat, e_lon = float(places.lat[row]), float(places.lon[row])
            demand = {
                k: DEMAND.get(k, 1.0) * (4.0 if k == hot_need[state] else 1.0)
                for k in taxonomy.area_keys
            }
            needs: list[str] = []
            for _ in range(pr.choice((1, 1, 2, 2, 3))):
                needs.append(_pick(pr, {k: v for k, v in demand.items() if k not in needs}))
            radius = pr.choice((25.0, 40.0, 50.0, 50.0, 80.0, 100.0, 150.0))
            min_level = _pick(pr, {"1": 0.15, "2": 0.65, "3": 0.20})
            lo, hi = np.searchsorted(lat, [e_lat - radius / 110.0, e_lat + radius / 110.0])
            near = haversine_km(e_lat, e_lon, lat[lo:hi], lon[lo:hi]) <= radius
            found = np.unique(owner[lo:hi][near])
            cols = [column[k] for k in needs]
            count = int((levels[found][:, cols] >= int(min_level)).all(axis=1).sum())
            rows.append(
                {
                    "at": self.now - timedelta(seconds=int(365 * 86400 * pr.random())),
                    "needs": [k for k in taxonomy.area_keys if k in needs],
                    "min_level": int(min_level),
                    "state": state,
                    "latitude": e_lat,
                    "longitude": e_lon,
                    "radius_km": radius,
                    "result_count": count,
                }
            )
        connection.execute(insert(table_of(m.SearchEvent)), rows)
        return len(rows)
