"""Places people search around: ZIP and city lookup, typo-tolerant, with user-facing errors.

Everything comes from packaged data (core.geo.zip_data), so the app never needs a network
geocoder. The coverage is the 50 states, DC and the inhabited territories (Puerto Rico, Guam,
the U.S. Virgin Islands, the Northern Mariana Islands, American Samoa).

Importing this module is cheap: the indexes are built on first use and cached, because
``zipcodes`` answers every query with a full scan of its list.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from core.geo.bulk_build import gc_paused
from core.geo.states import PLACE_REGION_NAMES, TERRITORY_NAMES, parse_state
from core.geo.zip_data import city_label, place_records, zip_coordinates

_ZIP_RE = re.compile(r"([0-9]{5})(?:[-\s]?[0-9]{4})?")  # ASCII: \d takes "٧٨٧٠١" too
_TRAILING_ZIP_RE = re.compile(r"[\s,]([0-9]{5})(?:-[0-9]{4})?$")
# USPS writes "Saint Louis"; people type "St. Louis". Expanding both sides makes them meet.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount"}
# The data spells "Coeur d'Alene" and "O'Fallon" as "Coeur D Alene" and "O Fallon".
_PUNCTUATION = str.maketrans({".": " ", "-": " ", ",": " ", "'": " ", "’": " "})
_EXAMPLE = 'a ZIP code such as 78701 or a city and state such as "Austin, TX"'


@dataclass(frozen=True)
class Place:
    """A point a user can search around: a ZIP code or a city."""

    label: str  # "Austin, TX 78701" for a ZIP, "Austin, TX" for a city
    latitude: float
    longitude: float
    state: str  # two-letter code
    zip_code: str | None

    def to_json_dict(self) -> dict[str, Any]:
        """The place as search and team JSON output show it."""
        return {"label": self.label, "latitude": self.latitude, "longitude": self.longitude}


class UnknownPlaceError(ValueError):
    """Raised when text cannot be resolved; the message is shown to end users as is.

    ``suggestion`` is a place label that does resolve ("Albuquerque, NM") when the text looks
    like a misspelling of it, so a page can offer it as one click.
    """

    def __init__(self, message: str, *, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.suggestion = suggestion


def _normalize(text: str, *, expand_last: bool = True) -> str:
    """Comparison key for city names: case, punctuation and St/Ft/Mt spelling ignored."""
    tokens = text.casefold().translate(_PUNCTUATION).split()
    # A half-typed last word ("st" on its way to "sterling") must not be expanded.
    last = tokens.pop() if tokens and not expand_last else None
    tokens = [_ABBREVIATIONS.get(token, token) for token in tokens]
    return " ".join(tokens if last is None else [*tokens, last])


class _CityTally:
    """Running mean position of a city's ZIPs; its Place is built only when asked for."""

    __slots__ = ("count", "label", "lat_sum", "lon_sum", "state")

    def __init__(self, label: str, state: str) -> None:
        self.label, self.state = label, state
        self.lat_sum = self.lon_sum = 0.0
        self.count = 0

    def place(self) -> Place:
        lat, lon = self.lat_sum / self.count, self.lon_sum / self.count
        return Place(self.label, round(lat, 4), round(lon, 4), self.state, None)


@dataclass(frozen=True)
class _Index:
    zips: dict[str, tuple[str, str, float, float]]  # ZIP -> (label, state, lat, lon)
    unlocated_zips: frozenset[str]  # real ZIPs the data has no coordinates for
    cities: dict[tuple[str, str], _CityTally]  # keyed by (normalized city, state)
    aliases: dict[tuple[str, str], _CityTally]  # USPS "acceptable" alternative city names
    city_states: dict[str, list[str]]  # normalized city -> states, most ZIPs first
    regions: dict[str, _CityTally]  # a territory as a whole (searching "Guam")
    prefix_keys: list[str]  # sorted normalized city names, parallel to prefix_entries
    prefix_entries: list[tuple[str, str]]  # (normalized city, state)


@functools.lru_cache(maxsize=1)
@gc_paused
def _index() -> _Index:
    zips: dict[str, tuple[str, str, float, float]] = {}
    unlocated: set[str] = set()
    cities: dict[tuple[str, str], _CityTally] = {}
    aliases: dict[tuple[str, str], _CityTally] = {}
    normalized: dict[str, str] = {}  # far fewer distinct names than ZIPs: normalize each once
    regions = {code: _CityTally(name, code) for code, name in TERRITORY_NAMES.items()}

    def tally(into: dict[tuple[str, str], _CityTally], city: str, state: str) -> _CityTally:
        name = normalized.get(city)
        if name is None:
            name = normalized[city] = _normalize(city)
        entry = into.get((name, state))
        if entry is None:
            entry = into[(name, state)] = _CityTally(f"{city_label(city, state)}, {state}", state)
        return entry

    for record in place_records():
        code, state, city = record["zip_code"], record["state"], record["city"]
        point = zip_coordinates(record)
        if point is None:
            unlocated.add(code)
            continue
        entries = [tally(cities, city, state)]
        entries += (tally(aliases, alias, state) for alias in record["acceptable_cities"])
        entries += [regions[state]] if state in regions else []
        for entry in entries:
            entry.lat_sum += point[0]
            entry.lon_sum += point[1]
            entry.count += 1
        zips[code] = (f"{entries[0].label} {code}", state, *point)

    by_size = sorted(cities, key=lambda key: -cities[key].count)
    city_states: dict[str, list[str]] = defaultdict(list)
    for name, state in by_size:
        city_states[name].append(state)
    keys_by_name = sorted(cities)
    return _Index(
        zips=zips,
        unlocated_zips=frozenset(unlocated),
        cities=cities,
        # A real city of that name wins over an alternative name.
        aliases={key: entry for key, entry in aliases.items() if key not in cities},
        city_states=dict(city_states),
        regions=regions,
        prefix_keys=[name for name, _ in keys_by_name],
        prefix_entries=keys_by_name,
    )


def lookup_zip(zip_code: str) -> Place | None:
    """Place for a 5-digit ZIP or ZIP+4 (states, DC, territories); None if unknown/unlocated."""
    match = _ZIP_RE.fullmatch(zip_code.strip())
    if not match or (found := _index().zips.get(match.group(1))) is None:
        return None
    label, state, lat, lon = found
    return Place(label, lat, lon, state, match.group(1))


def _split_city_state(text: str) -> tuple[str, str | None]:
    """Split "City, ST" / "City ST" / "City Texas"; a missing state comes back as None."""
    if "," in text:
        city, state_text = (part.strip() for part in text.rsplit(",", 1))
        state = parse_state(state_text, territories=True)
        if state is None:
            example = f"{city or 'Austin'}, TX"
            raise UnknownPlaceError(
                f'"{state_text}" is not a US state. Use the two-letter state code, '
                f'for example "{example}".'
            )
        return city, state
    words = text.split()
    # Longest state name first so "West Virginia" is not read as "Virginia".
    for size in (3, 2, 1):
        if len(words) > size:
            state = parse_state(" ".join(words[-size:]), territories=True)
            if state is not None:
                return " ".join(words[:-size]), state
    return text, None


def _closest_cities(name: str, state: str | None) -> list[str]:
    """Labels of the cities a misspelled name most likely means, best first."""
    index = _index()
    if state is None:  # the biggest city of the closest name
        close = difflib.get_close_matches(name, index.city_states, n=2, cutoff=0.8)
        return [index.cities[(match, index.city_states[match][0])].label for match in close]
    names = [key[0] for key in index.cities if key[1] == state]
    close = difflib.get_close_matches(name, names, n=2, cutoff=0.75)
    return [index.cities[(match, state)].label for match in close]


def _resolve_city(city: str, state: str | None) -> Place:
    index = _index()
    name = _normalize(city)
    if not name:
        raise UnknownPlaceError(f"Type the city name before the state, or enter {_EXAMPLE}.")
    if state is not None:
        tally = index.cities.get((name, state)) or index.aliases.get((name, state))
        if tally is not None:
            return tally.place()
        close = _closest_cities(name, state)
        hint = " or ".join(f'"{label}"' for label in close)
        did_you_mean = f" Did you mean {hint}?" if hint else ""
        raise UnknownPlaceError(
            f'We could not find "{city}, {state}".{did_you_mean} '
            "Check the spelling, or enter the ZIP code instead.",
            suggestion=close[0] if close else None,
        )
    states = index.city_states.get(name, [])
    if len(states) == 1:
        return index.cities[(name, states[0])].place()
    if states:
        labels = [index.cities[(name, s)].label for s in states[:2]]
        examples = " or ".join(f'"{label}"' for label in labels)
        raise UnknownPlaceError(
            f'"{city}" exists in {len(states)} states. Add the state, for example {examples}.',
            suggestion=labels[0],  # the one with the most ZIP codes
        )
    *words, last = city.split()
    if words and len(last) == 2 and last.isalpha():
        # Most likely "City XX" with a mistyped state code rather than a city called that.
        raise UnknownPlaceError(
            f'"{last}" is not a US state code. Use the two-letter code, for example '
            f'"{" ".join(words)}, TX".'
        )
    close = _closest_cities(name, None)
    if close:
        raise UnknownPlaceError(
            f'We could not find "{city}". Did you mean "{close[0]}"? Check the spelling, '
            f"or enter {_EXAMPLE}.",
            suggestion=close[0],
        )
    raise UnknownPlaceError(f'We could not find "{city}". Enter {_EXAMPLE}.')


def resolve_place(text: str) -> Place:
    """Turn what a user typed (ZIP, ZIP+4, "City, ST", "City ST") into a Place.

    A city resolves to the mean position of its ZIP codes. Raises UnknownPlaceError with a
    message fit for end users.
    """
    # Stray commas as people type them: "St. Louis,, MO", "Austin, TX,".
    cleaned = re.sub(r"\s*,[\s,]*", ", ", " ".join(text.split())).strip(" ,")
    if not cleaned:
        raise UnknownPlaceError(f"Enter {_EXAMPLE}.")
    # A trailing ZIP also covers our own labels pasted back in ("Austin, TX 78701").
    match = _ZIP_RE.fullmatch(cleaned) or _TRAILING_ZIP_RE.search(cleaned)
    if match:
        zip5 = match.group(1)
        place = lookup_zip(zip5)
        if place is not None:
            return place
        if zip5 in _index().unlocated_zips:
            raise UnknownPlaceError(
                f"ZIP code {zip5} has no map location (it may be a PO box or a single "
                'building). Enter a nearby ZIP code or a city and state such as "Austin, TX".'
            )
        raise UnknownPlaceError(
            f"ZIP code {zip5} was not found in the US states or territories. Check the digits, "
            'or enter a city and state such as "Austin, TX".'
        )
    if re.fullmatch(r"[\d\s-]+", cleaned):
        raise UnknownPlaceError(
            f'"{cleaned}" is not a ZIP code. ZIP codes have 5 digits, for example 78701.'
        )
    region = parse_state(cleaned, territories=True)
    if region == "DC":  # "D.C.", "Washington DC"
        return _resolve_city("Washington", "DC")
    if region in TERRITORY_NAMES:  # "Guam": the middle of its ZIP codes
        return _index().regions[region].place()
    if region is not None:  # "Texas": too wide to measure distances from
        biggest = max(
            (tally for key, tally in _index().cities.items() if key[1] == region),
            key=lambda tally: tally.count,
        )
        raise UnknownPlaceError(
            f'"{cleaned}" is a whole state. Enter a city or ZIP code in it, for example '
            f'"{biggest.label}", or choose it under "States with an office".',
            suggestion=biggest.label,
        )
    return _resolve_city(*_split_city_state(cleaned))


def city_suggestions(prefix: str, *, limit: int = 10) -> list[str]:
    """ "City, ST" labels starting with ``prefix``, biggest cities (most ZIPs) first.

    "aus" -> ["Austin, TX", ...]; "austin, m" narrows to states starting with M.
    """
    city_part, _, state_part = prefix.partition(",")
    name = _normalize(city_part, expand_last=city_part.endswith((" ", ".")) or bool(state_part))
    if not name or limit <= 0:
        return []
    state_prefix = state_part.strip().upper()
    index = _index()
    start = bisect.bisect_left(index.prefix_keys, name)
    stop = bisect.bisect_right(index.prefix_keys, name + "\uffff")
    hits = [
        key
        for key in index.prefix_entries[start:stop]
        if key[1].startswith(state_prefix)
        or PLACE_REGION_NAMES[key[1]].upper().startswith(state_prefix)
    ]
    hits.sort(key=lambda key: (-index.cities[key].count, key))
    return [index.cities[key].label for key in hits[:limit]]
