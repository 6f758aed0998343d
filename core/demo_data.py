"""A deterministic, realistic demo directory: partners in real US places, shaped like the channel.

Same seed, same size and same ``today`` give the same directory, row for row. Partners sit in
real ZIP codes (weighted towards cities with many ZIPs, so Houston or Chicago get many and a
one-ZIP town few), are expert in 1–3 technology domains, proficient in a few more and
foundational in some; business services are often delivered through a named ally. Their
certifications come from the catalogue and mostly back their claims, but about 15% of
partners over-claim. ``core.demo_leads`` adds three years of leads, yearly figures and
anonymous searches.

Rows go in with SQLAlchemy Core executemany in chunks of 50,000 partners, so a million
partners take minutes and bounded memory. Random numbers come from NumPy generators keyed
by (seed, stream, chunk), so the partners are the same with or without activity.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from time import perf_counter
from typing import Any

import numpy as np
from sqlalchemy import Engine, delete, insert, update
from sqlmodel import Session

from core import models as m
from core.db import bump_data_version, init_db, is_directory_empty
from core.demo_leads import PLAIN_WORDS, ActivityWriter, PartnerFacts
from core.profiles_io import sync_id_sequences
from core.taxonomy import CatalogueCertification, get_taxonomy

CHUNK = 50_000
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
BRAND_WORDS = {
    "hardware": ["Computer", "Tech", "PC"], "networking": ["Network", "Networks", "Connect"],
    "security": ["Cyber", "Secure", "Shield"], "storage_backup": ["Data", "Backup"],
    "cloud": ["Cloud", "Cloudworks"], "productivity": ["Workplace", "Digital"],
    "business_apps": ["Software", "Business Systems"], "collaboration": ["Collaboration"],
    "telecom": ["Telecom", "Voice", "Communications"], "mobile": ["Mobile", "Wireless"],
    "managed_it": ["IT", "Managed IT", "Tech"], "data_analytics": ["Analytics", "Insight"],
    "iot": ["IoT", "Smart Systems"],
}  # fmt: skip
REGIONAL_WORDS = {
    "TX": ["Lone Star", "Gulf Coast", "Hill Country"], "VA": ["Blue Ridge", "Old Dominion"],
    "NC": ["Blue Ridge", "Piedmont", "Carolina"], "SC": ["Palmetto", "Carolina"],
    "CA": ["Golden State", "Pacific", "Sierra"], "NY": ["Empire", "Hudson Valley"],
    "FL": ["Sunshine", "Suncoast", "Gulf Coast"], "GA": ["Peachtree", "Peach State"],
    "WA": ["Cascade", "Evergreen", "Puget Sound"], "OR": ["Cascade", "Willamette"],
    "CO": ["Rocky Mountain", "Front Range"], "AZ": ["Desert", "Saguaro"],
    "NV": ["Silver State", "High Desert"], "UT": ["Wasatch", "Beehive"],
    "MI": ["Great Lakes", "Wolverine"], "OH": ["Buckeye", "Great Lakes"],
    "IL": ["Prairie State", "Lakeshore"], "WI": ["Badger", "Great Lakes"],
    "MN": ["North Star", "Ten Thousand Lakes"], "PA": ["Keystone", "Allegheny"],
    "MA": ["Bay State", "Minuteman"], "NJ": ["Garden State"], "LA": ["Bayou", "Crescent"],
    "TN": ["Volunteer", "Smoky Mountain"], "MO": ["Gateway", "Show-Me"],
    "KS": ["Prairie", "Heartland"], "NE": ["Cornhusker", "Heartland"], "IA": ["Heartland"],
    "OK": ["Red Earth", "Prairie"], "NM": ["Enchanted", "Mesa"], "HI": ["Aloha", "Island"],
    "AK": ["Northern Lights", "Last Frontier"], "MT": ["Big Sky"], "ID": ["Gem State"],
    "WY": ["High Plains"], "DC": ["Capitol", "Potomac"], "MD": ["Chesapeake", "Old Line"],
}  # fmt: skip
GENERIC_WORDS = (
    "Summit", "Pinnacle", "Northstar", "Ironwood", "Clearview", "Redwood", "Harbor", "Granite",
    "Beacon", "Vertex", "Bright Path", "Cornerstone", "Blue Sky", "Evergreen", "Riverbend",
    "Oakridge", "Silverline", "Trailhead", "Meridian", "Crossroads", "Lighthouse", "Frontier",
    "Copperleaf", "Stonebridge", "Bluewater", "Cedar", "Falcon", "True North", "Sterling",
    "Anchor", "Compass", "Highland", "Liberty", "Main Street", "Hometown", "Bridgeway",
)  # fmt: skip
SURNAMES = (
    "Miller", "Ortiz", "Nguyen", "Patel", "Johnson", "Garcia", "Kowalski", "Chen", "Brooks",
    "Hernandez", "Okafor", "Schmidt", "Rossi", "Kim", "Murphy", "Reyes", "Walker", "Cohen",
    "Singh", "Lopez", "Novak", "Baker", "Sato", "Jensen", "Alvarez", "Fischer", "Dubois",
)  # fmt: skip
SUFFIXES = (
    "Solutions", "Group", "Partners", "Systems", "Services", "Technologies", "Consulting",
    "Associates", "Integrators",
)  # fmt: skip
LEGAL = ("", "", "", "", " LLC", ", Inc.", " Co.")
ALLY_FORMS = {
    "financing": ("{} Capital", "{} Leasing", "{} Equipment Finance"),
    "logistics": ("{} Logistics", "{} Freight & Deployment", "{} IT Asset Recovery"),
    "insurance": ("{} Cyber Insurance", "{} Insurance Brokers", "{} Risk Partners"),
    "print_services": ("{} Print Solutions", "{} Document Systems", "{} Office Imaging"),
}
RADII = np.array([25, 30, 40, 50, 60, 75, 80, 100, 120, 150, 160, 200], dtype=float)
RADIUS_ODDS = np.array([4, 3, 8, 12, 8, 10, 10, 14, 6, 8, 4, 5], dtype=float)


@dataclass(frozen=True)
class SeedSummary:
    partners: int
    locations: int
    certifications: int
    leads: int
    seconds: float
    search_events: int = 0


# --------------------------------------------------------------------------- places


@dataclass(frozen=True)
class _Places:
    zip_code: np.ndarray
    city: np.ndarray
    state: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    cum_weight: np.ndarray
    by_state: dict[str, tuple[np.ndarray, np.ndarray]]  # state -> (ZIP rows, cumulative weights)
    nearby: dict[str, tuple[str, ...]]

    def sample(self, u: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.cum_weight, u * self.cum_weight[-1], side="right")

    def sample_in_state(self, state: str, u: np.ndarray) -> np.ndarray:
        rows, cum = self.by_state[state]
        return rows[np.searchsorted(cum, u * cum[-1], side="right")]


@lru_cache(maxsize=1)
def demo_places() -> _Places:
    """Every active street ZIP, weighted by how many ZIPs its city has (a size proxy)."""
    from core.geo import haversine_km, state_centroids, zip_places

    df = zip_places().sort_values("zip_code", kind="stable").reset_index(drop=True)
    city_key = df["city"] + "|" + df["state"]
    # ZIP weight = (ZIPs in its city)^0.8, so a city weighs about its ZIP count^1.8: big
    # metros dominate as in the real channel, and small towns still get the odd partner.
    weight = city_key.map(city_key.value_counts()).to_numpy(dtype=float) ** 0.8
    state = df["state"].to_numpy()
    by_state = {}
    for code in sorted(set(state)):
        rows = np.flatnonzero(state == code)
        by_state[code] = (rows, np.cumsum(weight[rows]))
    centroids = state_centroids()
    nearby = {}
    for code, (lat, lon) in centroids.items():
        dist = {
            other: float(haversine_km(lat, lon, *point))
            for other, point in centroids.items()
            if other != code
        }
        ranked = sorted(dist, key=lambda s: (dist[s], s))
        nearby[code] = tuple(s for s in ranked if dist[s] < 550) or tuple(ranked[:1])
    return _Places(
        zip_code=df["zip_code"].to_numpy(),
        city=df["city"].to_numpy(),
        state=state,
        lat=df["latitude"].to_numpy(dtype=float),
        lon=df["longitude"].to_numpy(dtype=float),
        cum_weight=np.cumsum(weight),
        by_state=by_state,
        nearby=nearby,
    )


# --------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class _Catalogue:
    """Certifications by the area and level they evidence, for picking backing evidence."""

    certs: tuple[CatalogueCertification, ...]
    # (area, claimed level) -> certs evidencing the area at the highest level <= claimed
    backing: dict[tuple[str, int], tuple[int, ...]]
    vendors: tuple[str, ...]
    vendor_of: dict[str, str]


def _catalogue() -> _Catalogue:
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
    return _Catalogue(certs, backing, vendors, {c.key: c.vendor for c in certs})


# --------------------------------------------------------------------------- words


def _slug(name: str) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", name.lower().replace("&", " and ")).split()
    words = [w for w in words if w not in {"llc", "inc", "co"}]
    return "-".join(words)[:60].strip("-") or "partner"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _ally_pool(rng: np.random.Generator, service: str, size: int = 24) -> list[str]:
    forms = ALLY_FORMS.get(service, ("{} " + service.replace("_", " ").title(),))
    words = rng.permutation(np.array(GENERIC_WORDS + SURNAMES))[:size]
    return [forms[i % len(forms)].format(w) for i, w in enumerate(words)]


def _name(pr: random.Random, lead_domain: str, city: str, state: str) -> str:
    brand = pr.choice(BRAND_WORDS.get(lead_domain, ["IT"]))
    suffix = pr.choice([s for s in SUFFIXES if s not in brand])  # no "Systems Systems"
    roll = pr.random()
    if roll < 0.30 and state in REGIONAL_WORDS:
        first = pr.choice(REGIONAL_WORDS[state])
    elif roll < 0.45:
        first = city
    elif roll < 0.62:
        first = pr.choice(SURNAMES)
        if pr.random() < 0.3:
            return f"{first} & {pr.choice(SURNAMES)} {pr.choice(SUFFIXES)}{pr.choice(LEGAL)}"
    else:
        first = pr.choice(GENERIC_WORDS)
    return f"{first} {brand} {suffix}{pr.choice(LEGAL)}"


def _unique_name(name: str, city: str, state: str, taken: set[str]) -> str:
    candidates = [name, f"{name} ({city})", f"{name} ({city}, {state})"]
    for candidate in candidates:
        if candidate not in taken:
            break
    else:
        n = 2
        while (candidate := f"{candidates[-1]} {n}") in taken:
            n += 1
    taken.add(candidate)
    return candidate


def _description(
    pr: random.Random,
    kind: str,
    city: str,
    levels: dict[str, int],
    segments: list[str],
    allies: dict[str, str],
) -> str:
    """Plain words a customer understands: strong domains first, then services and sizes."""
    services = get_taxonomy().service_keys
    tech = {k: v for k, v in levels.items() if k not in services}
    expert = [PLAIN_WORDS.get(k, k) for k, v in tech.items() if v == 3]
    good = [PLAIN_WORDS.get(k, k) for k, v in tech.items() if v == 2]
    parts = [f"{city}-based {kind}" + (f" specialising in {_join(expert)}." if expert else ".")]
    if good:
        opening = pr.choice(("We also help with", "Solid skills in", "Also offers"))
        parts.append(f"{opening} {_join(good)}.")
    in_house = [PLAIN_WORDS.get(k, k) for k in services if k in levels and k not in allies]
    if in_house:
        parts.append(f"Arranges {_join(in_house)}.")
    for service, ally in allies.items():
        parts.append(f"{PLAIN_WORDS.get(service, service).capitalize()} through {ally}.")
    low, high = segments[0].split("-")[0].rstrip("+"), segments[-1].split("-")[-1]
    sizes = f"{low} or more" if high.endswith("+") else f"{low} to {int(high):,}"
    founded = pr.randint(1984, 2021)
    parts.append(f"Works with businesses of {sizes} employees. Founded in {founded}.")
    return " ".join(parts)


# --------------------------------------------------------------------------- certifications


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


def _certifications(
    pr: random.Random,
    pid: int,
    levels: dict[str, int],
    overclaim: bool,
    cat: _Catalogue,
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


# --------------------------------------------------------------------------- one chunk


@dataclass
class _Chunk:
    partners: list[dict[str, Any]]
    locations: list[dict[str, Any]]
    competencies: list[dict[str, Any]]
    certifications: list[dict[str, Any]]
    facts: PartnerFacts | None = None  # set once the chunk is complete


def _branches(rng: np.random.Generator, places: _Places, hq: np.ndarray) -> list[np.ndarray]:
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


def _generate_chunk(
    *,
    rng: np.random.Generator,
    first_id: int,
    n: int,
    places: _Places,
    cat: _Catalogue,
    ally_pools: dict[str, list[str]],
    taken: set[str],
    now: datetime,
) -> _Chunk:
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

    chunk = _Chunk([], [], [], [])
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
        name = _unique_name(_name(pr, str(strongest[i]), city, state), city, state, taken)
        slug = _slug(name)
        states = sorted({str(places.state[r]) for r in rows}) if area_mode[i] else []
        if area_mode[i] and pr.random() < 0.3:
            states = sorted({*states, pr.choice(places.nearby[state])})
        updated = now - timedelta(seconds=int(updated_ago[i]))
        verified_at = None
        if verified_after[i] >= 0:  # verified some time after the last update
            window = min(int(updated_ago[i]), 120 * 86400)
            verified_at = updated + timedelta(seconds=int(window * verified_after[i]))
        partner = {
            "id": pid,
            "name": name,
            "description": _description(pr, kind_label[kind[i]], city, levels, segments, allies),
            "website": f"https://www.{slug}.example",
            "email": f"{pr.choice(('info', 'sales', 'hello', 'contact'))}@{slug}.example",
            "phone": f"({pr.randint(201, 989)}) 555-01{pr.randint(0, 99):02d}",
            "service_radius_km": None if area_mode[i] == 2 else float(radius[i]),
            "states_served": states,
            "segments": segments,
            "created_at": updated - timedelta(seconds=int(created_gap[i])),
            "updated_at": updated,
            "verified_at": verified_at,
            "version": 1,
        }
        chunk.partners.append(partner)
        for r in rows:
            chunk.locations.append(
                {
                    "partner_id": pid,
                    "is_headquarters": r == home,
                    "zip_code": str(places.zip_code[r]),
                    "city": str(places.city[r])[:80],
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
        certs = _certifications(pr, pid, levels, bool(overclaim[i]), cat, now)
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
    places: _Places,
    levels: dict[str, int],
    allies: dict[str, str],
    certs: list[dict[str, Any]],
) -> None:
    """Run a generated profile through PartnerCreate: the generator obeys the input rules."""
    keys = (
        "name",
        "description",
        "website",
        "email",
        "phone",
        "service_radius_km",
        "states_served",
        "segments",
    )
    cert_keys = ("certification_key", "obtained_on", "expires_on")
    m.PartnerCreate.model_validate(
        {
            **{k: partner[k] for k in keys},
            "locations": [
                {"zip_code": str(places.zip_code[r]), "is_headquarters": k == 0}
                for k, r in enumerate(rows)
            ],
            "competencies": levels,
            "allies": allies,
            "certifications": [{k: c[k] for k in cert_keys} for c in certs],
        }
    )


# --------------------------------------------------------------------------- writing


def _insert(connection: Any, model: Any, rows: list[dict[str, Any]], batch: int = 20_000) -> None:
    for start in range(0, len(rows), batch):
        connection.execute(insert(model.__table__), rows[start : start + batch])


def _clear_directory(engine: Engine) -> None:
    """Delete the directory and its activity. Accounts stay, but partner accounts lose their
    organisation and are deactivated, because their partner no longer exists."""
    with engine.begin() as connection:
        accounts = m.Account.__table__
        connection.execute(
            update(accounts)
            .where(accounts.c.partner_id.is_not(None))
            .values(partner_id=None, is_active=False)
        )
        for model in (
            m.LeadStatusChange,
            m.Lead,
            m.PartnerYearFigures,
            m.PartnerCertification,
            m.PartnerCompetency,
            m.PartnerLocation,
            m.SearchEvent,
            m.Partner,
        ):
            connection.execute(delete(model.__table__))


def seed_demo_directory(
    *,
    engine: Engine,
    partners: int,
    seed: int = 42,
    with_activity: bool = True,
    progress: Callable[[float, str], None] | None = None,
    replace: bool = False,
    today: date | None = None,
) -> SeedSummary:
    """Fill the directory with ``partners`` generated partners (and, by default, activity).

    Refuses (ValueError) when the directory already has partners, unless ``replace``.
    ``today`` anchors every date (default: today in UTC), so tests can pin it.
    """
    if partners < 0:
        raise ValueError("the number of partners cannot be negative")
    started = perf_counter()
    init_db(engine)
    with Session(engine) as session:
        empty = is_directory_empty(session)
    if not empty:
        if not replace:
            raise ValueError("the directory already has partners; use replace to start over")
        _clear_directory(engine)
    now = datetime.combine(today or datetime.now(UTC).date(), time(), tzinfo=UTC)
    places, cat = demo_places(), _catalogue()
    services = get_taxonomy().service_keys
    ally_pools = {
        s: _ally_pool(np.random.default_rng([seed, 3, k]), s) for k, s in enumerate(services)
    }
    activity = ActivityWriter(seed=seed, now=now) if with_activity else None
    taken: set[str] = set()
    totals = {"locations": 0, "certifications": 0, "leads": 0}
    for chunk_no, first in enumerate(range(0, partners, CHUNK)):
        n = min(CHUNK, partners - first)
        chunk = _generate_chunk(
            rng=np.random.default_rng([seed, 0, chunk_no]),
            first_id=first + 1,
            n=n,
            places=places,
            cat=cat,
            ally_pools=ally_pools,
            taken=taken,
            now=now,
        )
        with engine.begin() as connection:
            _insert(connection, m.Partner, chunk.partners)
            _insert(connection, m.PartnerLocation, chunk.locations)
            _insert(connection, m.PartnerCompetency, chunk.competencies)
            _insert(connection, m.PartnerCertification, chunk.certifications)
            if activity is not None and chunk.facts is not None:
                totals["leads"] += activity.write_chunk(
                    connection=connection, facts=chunk.facts, chunk_no=chunk_no
                )
        totals["locations"] += len(chunk.locations)
        totals["certifications"] += len(chunk.certifications)
        if progress is not None:
            progress((first + n) / partners, f"Created {first + n:,} of {partners:,} partners")
    events = 0
    with Session(engine) as session:
        if activity is not None:
            events = activity.write_search_events(connection=session.connection(), places=places)
        sync_id_sequences(session=session, tables=[m.Partner.__table__, m.Lead.__table__])
        bump_data_version(session)
        session.commit()
    if progress is not None:
        progress(1.0, f"Demo directory ready: {partners:,} partners")
    return SeedSummary(
        partners=partners,
        locations=totals["locations"],
        certifications=totals["certifications"],
        leads=totals["leads"],
        seconds=round(perf_counter() - started, 2),
        search_events=events,
    )
