"""Names and descriptions of demo partners and their allies: plausible, never real."""

from __future__ import annotations

import random
import re

import numpy as np

from core.demo.lead_text import PLAIN_WORDS
from core.taxonomy import get_taxonomy

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


def slug_of(name: str) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", name.lower().replace("&", " and ")).split()
    words = [w for w in words if w not in {"llc", "inc", "co"}]
    return "-".join(words)[:60].strip("-") or "partner"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def ally_pool(rng: np.random.Generator, service: str, size: int = 24) -> list[str]:
    forms = ALLY_FORMS.get(service, ("{} " + service.replace("_", " ").title(),))
    words = rng.permutation(np.array(GENERIC_WORDS + SURNAMES))[:size]
    return [forms[i % len(forms)].format(w) for i, w in enumerate(words)]


def company_name(pr: random.Random, lead_domain: str, city: str, state: str) -> str:
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


def unique_name(name: str, city: str, state: str, taken: set[str]) -> str:
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


def description(
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
