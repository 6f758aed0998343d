"""Demo partner profiles, one chunk at a time: kinds, places, levels, names and evidence.

Vectorised with NumPy where the draws are independent per partner; the per-partner loop
draws from one ``random.Random`` in a fixed order, so a seed always gives the same rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from core import models as m
from core.demo.certifications import Catalogue, certifications
from core.demo.leads import PartnerFacts
from core.demo.places import DemoPlaces
from core.demo.words import company_name, description, slug_of, unique_name
from core.directory.profile_fields import PROFILE_FIELDS
from core.partner_attributes import get_attributes, ordered
from core.taxonomy import get_taxonomy

OVERCLAIM_SHARE = 0.15
# Validating every generated profile through PartnerCreate would double the run time of a
# million-partner seed; a sample per chunk still catches a generator bug at once.
VALIDATE_PER_CHUNK = 200

# Kinds of partner and how strongly each leans to each domain (unlisted domains weigh 1).
ARCHETYPES: dict[str, tuple[float, str, dict[str, float]]] = {
    "msp": (0.30, "managed service provider", {"managed_it": 14, "security": 6,
            "productivity": 6, "storage_backup": 5, "hardware": 4, "networking": 4}),
    "network": (0.14, "network integrator", {"networking": 14, "security": 6, "telecom": 4,
                "collaboration": 3, "iot": 2}),
    "security": (0.10, "cybersecurity firm", {"security": 14, "networking": 5, "cloud": 4,
                 "managed_it": 3}),
    "cloud": (0.12, "cloud consultancy", {"cloud": 14, "productivity": 6, "data_analytics": 4,
              "business_apps": 4, "storage_backup": 3}),
    "hardware": (0.12, "IT reseller", {"hardware": 14, "mobile": 6, "storage_backup": 3,
                 "networking": 3}),
    "uc": (0.08, "communications provider", {"telecom": 14, "collaboration": 8, "mobile": 5,
           "networking": 4}),
    "apps": (0.08, "business software partner", {"business_apps": 14, "data_analytics": 8,
             "cloud": 4, "productivity": 4}),
    "iot": (0.06, "IoT integrator", {"iot": 14, "networking": 6, "data_analytics": 5,
            "security": 3}),
}  # fmt: skip
# How common each domain is as a specialism across the whole channel (default 1).
POPULARITY = {"iot": 0.5, "data_analytics": 0.7, "collaboration": 0.8, "mobile": 0.8}
# Probability of offering each business service, per archetype (default first).
SERVICE_ODDS: dict[str, dict[str, float]] = {
    "default": {"financing": 0.25, "logistics": 0.15, "insurance": 0.15, "print_services": 0.18},
    "hardware": {"financing": 0.50, "logistics": 0.50, "insurance": 0.10, "print_services": 0.45},
    # MSPs commonly bundle leasing (often through a finance ally) into managed contracts.
    "msp": {"financing": 0.50, "logistics": 0.15, "insurance": 0.35, "print_services": 0.28},
    "security": {"financing": 0.30, "insurance": 0.45},
}
RADII = np.array([25, 30, 40, 50, 60, 75, 80, 100, 120, 150, 160, 200], dtype=float)
RADIUS_ODDS = np.array([4, 3, 8, 12, 8, 10, 10, 14, 6, 8, 4, 5], dtype=float)


@dataclass
class Chunk:
    """The rows of one chunk of partners, ready for executemany."""

    partners: list[dict[str, Any]]
    locations: list[dict[str, Any]]
    competencies: list[dict[str, Any]]
    certifications: list[dict[str, Any]]
    facts: PartnerFacts | None = None  # set once the chunk is complete


def _branches(rng: np.random.Generator, places: DemoPlaces, hq: np.ndarray) -> list[np.ndarray]:
    """0–3 branches per partner (mostly none), in the HQ state or a nearby one."""
    n_branch = rng.choice(4, size=len(hq), p=[0.74, 0.17, 0.06, 0.03])
    owner = np.repeat(np.arange(len(hq)), n_branch)
    state = places.state[hq[owner]].copy()
    moves, pick = rng.random(len(owner)) < 0.25, rng.random(len(owner))
    for j in np.flatnonzero(moves):
        options = places.nearby[state[j]]
        state[j] = options[int(pick[j] * len(options))]
    rows, u = np.empty(len(owner), dtype=np.int64), rng.random(len(owner))
    for code in np.unique(state):
        sel = np.flatnonzero(state == code)
        rows[sel] = places.sample_in_state(str(code), u[sel])
    return np.split(rows, np.cumsum(n_branch)[:-1])


def _levels(rng: np.random.Generator, kind: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Claimed levels (partners x taxonomy areas) and each partner's strongest domain.

    Domains are ranked per partner by archetype affinity plus Gumbel noise (a weighted draw
    without replacement); the top 0–3 become expert, the next 1–4 proficient, the next 0–4
    foundational, the rest none. Business services are offered independently.
    """
    taxonomy = get_taxonomy()
    tech, services, kinds = taxonomy.technology_keys, taxonomy.service_keys, list(ARCHETYPES)
    n = len(kind)
    affinity = [
        [ARCHETYPES[k][2].get(d, 1.0) * POPULARITY.get(d, 1.0) for d in tech] for k in kinds
    ]
    rank = np.argsort(np.argsort(-(np.log(affinity)[kind] + rng.gumbel(size=(n, len(tech))))))
    expert = rng.choice(4, size=n, p=[0.07, 0.38, 0.35, 0.20])[:, None]
    proficient = expert + 1 + rng.choice(4, size=n, p=[0.25, 0.35, 0.25, 0.15])[:, None]
    foundational = proficient + rng.choice(5, size=n, p=[0.15, 0.25, 0.3, 0.2, 0.1])[:, None]
    levels = np.zeros((n, len(taxonomy.area_keys)), dtype=np.int8)
    column = {k: j for j, k in enumerate(taxonomy.area_keys)}
    levels[:, [column[d] for d in tech]] = np.select(
        [rank < expert, rank < proficient, rank < foundational], [3, 2, 1], 0
    )
    default = SERVICE_ODDS["default"]
    odds = np.array(
        [[SERVICE_ODDS.get(k, {}).get(s, default.get(s, 0.15)) for s in services] for k in kinds]
    )
    offered = rng.random((n, len(services))) < odds[kind]
    service_level = rng.choice([1, 2, 3], size=offered.shape, p=[0.15, 0.60, 0.25]) * offered
    levels[:, [column[s] for s in services]] = service_level
    strongest = np.array(tech)[np.argmin(rank, axis=1)]
    return levels, strongest


# Issue 13's fields. Drawn from a generator of their own per partner id, so the draws of
# everything else (names, levels, places) stay as they were.
INDUSTRY_WEIGHTS = {
    "professional_services": 5, "healthcare": 4, "legal": 3, "finance": 3, "retail": 3,
    "manufacturing": 3, "construction": 2, "real_estate": 2, "hospitality": 2,
    "education": 2, "nonprofit": 2, "government": 1,
}  # fmt: skip
OTHER_LANGUAGES = {"es": 10, "zh": 3, "vi": 2, "fr": 2, "ko": 2, "tl": 1, "ar": 1, "ru": 1}
DELIVERY_ODDS = {"both": 50, "on_site": 22, "remote": 18, "": 10}


def demo_attributes(pid: int, updated: datetime, now: datetime) -> dict[str, object]:
    draw = random.Random(pid * 7919 + 13)
    attributes = get_attributes()
    industries = set(draw.choices(list(INDUSTRY_WEIGHTS), list(INDUSTRY_WEIGHTS.values()), k=3))
    languages = {"en"} | set(
        draw.choices(list(OTHER_LANGUAGES), list(OTHER_LANGUAGES.values()), k=draw.randint(0, 2))
    )
    delivery = draw.choices(list(DELIVERY_ODDS), list(DELIVERY_ODDS.values()))[0] or None
    verified_at = None  # an administrator checked about one profile in seven
    if draw.random() < 0.15:
        verified_at = updated + (now - updated) * draw.random()
    return {
        # Stored in vocabulary order, as the models' validation stores them.
        "industries": ordered(list(industries), attributes.industries),
        "languages": ordered(list(languages), attributes.languages),
        "delivery": delivery,
        "accepting_new_clients": draw.random() < 0.85,
        "verified_at": verified_at,
    }


def generate_chunk(
    *,
    rng: np.random.Generator,
    first_id: int,
    n: int,
    places: DemoPlaces,
    cat: Catalogue,
    ally_pools: dict[str, list[str]],
    taken: set[str],
    now: datetime,
) -> Chunk:
    taxonomy = get_taxonomy()
    areas, services, seg_keys = taxonomy.area_keys, taxonomy.service_keys, taxonomy.segment_keys
    shares = np.array([share for share, _, _ in ARCHETYPES.values()])
    kind = rng.choice(len(shares), size=n, p=shares / shares.sum())
    kind_label = [label for _, label, _ in ARCHETYPES.values()]
    hq = places.sample(rng.random(n))
    branches = _branches(rng, places, hq)
    level_matrix, strongest = _levels(rng, kind)
    # About half the partners offering a service deliver it through an ally (-1: in-house).
    ally_draw = np.where(
        rng.random((n, len(services))) < 0.5, rng.integers(0, 1 << 30, (n, len(services))), -1
    )
    overclaim = rng.random(n) < OVERCLAIM_SHARE
    size = np.array([len(b) for b in branches])
    seg_lo = rng.choice(3, size=n, p=[0.55, 0.35, 0.10])
    seg_hi = np.minimum(
        seg_lo + rng.choice(3, size=n, p=[0.3, 0.5, 0.2]) + (size > 0), len(seg_keys) - 1
    )
    radius = rng.choice(RADII, size=n, p=RADIUS_ODDS / RADIUS_ODDS.sum())
    area_mode = rng.choice(3, size=n, p=[0.72, 0.16, 0.12])  # radius / both / states only
    updated_ago = (730 * 86400 * rng.beta(1.1, 2.2, size=n)).astype(np.int64)
    created_gap = rng.integers(0, 4 * 365 * 86400, size=n)
    verified_after = np.where(rng.random(n) < 0.6, rng.random(n), -1.0)
    pr = random.Random(int(rng.integers(1 << 62)))

    chunk = Chunk([], [], [], [])
    loc_owner: list[int] = []
    loc_rows: list[int] = []
    vendors: list[tuple[str, ...]] = []
    for i in range(n):
        pid, home = first_id + i, int(hq[i])
        city, state = str(places.city[home]), str(places.state[home])
        rows = [home, *dict.fromkeys(b for b in branches[i].tolist() if b != home)]
        levels = {k: int(level_matrix[i, j]) for j, k in enumerate(areas) if level_matrix[i, j]}
        allies = {
            s: ally_pools[s][ally_draw[i, j] % len(ally_pools[s])]
            for j, s in enumerate(services)
            if s in levels and ally_draw[i, j] >= 0
        }
        segments = list(seg_keys[seg_lo[i] : seg_hi[i] + 1])
        name = unique_name(company_name(pr, str(strongest[i]), city, state), city, state, taken)
        slug = slug_of(name)
        states = sorted({str(places.state[r]) for r in rows}) if area_mode[i] else []
        if area_mode[i] and pr.random() < 0.3:
            states = sorted({*states, pr.choice(places.nearby[state])})
        updated = now - timedelta(seconds=int(updated_ago[i]))
        confirmed_at = None
        if verified_after[i] >= 0:  # confirmed by the partner some time after the update
            window = min(int(updated_ago[i]), 120 * 86400)
            confirmed_at = updated + timedelta(seconds=int(window * verified_after[i]))
        extra = demo_attributes(pid, updated, now)
        partner = {
            "id": pid,
            "name": name,
            "description": description(pr, kind_label[kind[i]], city, levels, segments, allies),
            "website": f"https://www.{slug}.example",
            "email": f"{pr.choice(('info', 'sales', 'hello', 'contact'))}@{slug}.example",
            "phone": f"({pr.randint(201, 989)}) 555-01{pr.randint(0, 99):02d}",
            "service_radius_km": None if area_mode[i] == 2 else float(radius[i]),
            "states_served": states,
            "segments": segments,
            "created_at": updated - timedelta(seconds=int(created_gap[i])),
            "updated_at": updated,
            "confirmed_at": confirmed_at,
            **extra,
            "version": 1,
        }
        chunk.partners.append(partner)
        for r in rows:
            chunk.locations.append(
                {
                    "partner_id": pid,
                    "is_headquarters": r == home,
                    "zip_code": str(places.zip_code[r]),
                    "city": str(places.city[r])[: m.MaxLength.CITY],
                    "state": str(places.state[r]),
                    "latitude": float(places.lat[r]),
                    "longitude": float(places.lon[r]),
                }
            )
            loc_owner.append(i)
            loc_rows.append(r)
        chunk.competencies += [
            {"partner_id": pid, "area_key": k, "claimed_level": v, "ally_name": allies.get(k)}
            for k, v in levels.items()
        ]
        certs = certifications(pr, pid, levels, bool(overclaim[i]), cat, now)
        chunk.certifications += certs
        vendors.append(tuple(sorted({cat.vendor_of[c["certification_key"]] for c in certs})))
        if i < VALIDATE_PER_CHUNK:
            _validate(partner, rows, places, levels, allies, certs)

    chunk.facts = PartnerFacts(
        ids=np.arange(first_id, first_id + n, dtype=np.int64),
        levels=level_matrix,
        seg_lo=seg_lo,
        seg_hi=seg_hi,
        size=size,
        vendors=vendors,
        loc_owner=np.array(loc_owner, dtype=np.int64),
        loc_lat=places.lat[loc_rows],
        loc_lon=places.lon[loc_rows],
    )
    return chunk


def _validate(
    partner: dict[str, Any],
    rows: list[int],
    places: DemoPlaces,
    levels: dict[str, int],
    allies: dict[str, str],
    certs: list[dict[str, Any]],
) -> None:
    """Run a generated profile through PartnerCreate: the generator obeys the input rules."""
    cert_keys = ("certification_key", "obtained_on", "expires_on")
    m.PartnerCreate.model_validate(
        {
            # The editable scalar fields; the row's id, timestamps and version are not input.
            **{k: partner[k] for k in PROFILE_FIELDS if k in partner},
            "locations": [
                {"zip_code": str(places.zip_code[r]), "is_headquarters": k == 0}
                for k, r in enumerate(rows)
            ],
            "competencies": levels,
            "allies": allies,
            "certifications": [{k: c[k] for k in cert_keys} for c in certs],
        }
    )
