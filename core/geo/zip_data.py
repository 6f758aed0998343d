"""The USPS ZIP codes of the packaged ``zipcodes`` data set (42,789 with coordinates), as
records for the place index (core.geo.places) and as a table for maps and demo data.

Importing this module is cheap: the data is loaded on first use and the table is built once
and cached.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

from core.geo.bulk_build import gc_paused
from core.geo.states import PLACE_REGION_NAMES, STATE_NAMES

if TYPE_CHECKING:
    import pandas as pd


def zip_records() -> list[dict[str, Any]]:
    """ZIP records in the 50 states + DC; shared with the ``zipcodes`` cache, never mutate."""
    import zipcodes  # deferred: it materializes 42k dicts

    return [r for r in zipcodes.list_all() if r["state"] in STATE_NAMES]


def place_records() -> list[dict[str, Any]]:
    """ZIP records of the states, DC and the territories (Puerto Rico, Guam, …): every place
    a search may start from. Maps and demo data stay on ``zip_records``."""
    import zipcodes

    return [r for r in zipcodes.list_all() if r["state"] in PLACE_REGION_NAMES]


def zip_coordinates(record: dict[str, Any]) -> tuple[float, float] | None:
    """(lat, lon) of a ZIP record, or None when the data does not know where it is."""
    lat, lon = float(record["lat"] or 0), float(record["long"] or 0)
    # The data uses (0, 0) for "unknown"; no US ZIP is actually there.
    return None if lat == 0 and lon == 0 else (lat, lon)


# Names the ZIP data spells without their hyphens (or capitals), as the places spell them
# themselves. Keyed by (city, state) with case and hyphens ignored; every key is a city of the
# ``zipcodes`` data (tests/unit/geo checks that each still occurs, so a stale entry shows).
CITY_NAME_CORRECTIONS: dict[tuple[str, str], str] = {
    ("winston salem", "NC"): "Winston-Salem",
    ("wilkes barre", "PA"): "Wilkes-Barre",
    ("sedro woolley", "WA"): "Sedro-Woolley",
    ("milton freewater", "OR"): "Milton-Freewater",
    ("dover foxcroft", "ME"): "Dover-Foxcroft",
    ("fuquay varina", "NC"): "Fuquay-Varina",
    ("soddy daisy", "TN"): "Soddy-Daisy",
    ("hastings on hudson", "NY"): "Hastings-on-Hudson",
    ("croton on hudson", "NY"): "Croton-on-Hudson",
    ("cornwall on hudson", "NY"): "Cornwall-on-Hudson",
    ("castleton on hudson", "NY"): "Castleton-on-Hudson",
    ("cardiff by the sea", "CA"): "Cardiff-by-the-Sea",
    ("avon by the sea", "NJ"): "Avon-by-the-Sea",
    ("mcbh kaneohe bay", "HI"): "MCBH Kaneohe Bay",  # Marine Corps Base Hawaii
    # Apostrophes the data spells as spaces.
    ("coeur d alene", "ID"): "Coeur d'Alene",
    ("o fallon", "MO"): "O'Fallon",
    ("o fallon", "IL"): "O'Fallon",
}

# "Mc" + a lower-case letter starts a Scottish/Irish surname: "Mcallen" is McAllen. Only "Mc":
# the data's "Mac…" names are not MacX (Macon, Machias, Mackinaw, Macdona are spelt so).
_MC_NAME = re.compile(r"\bMc([a-z])")


def _correction_key(city: str, state: str) -> tuple[str, str]:
    return " ".join(city.replace("-", " ").casefold().split()), state


def city_label(city: str, state: str | None = None) -> str:
    """A record's city name as shown to people: "Mcallen" is "McAllen", "Winston Salem, NC"
    is "Winston-Salem" (CITY_NAME_CORRECTIONS), "Winston-salem" is "Winston-Salem"."""
    if state is not None:
        corrected = CITY_NAME_CORRECTIONS.get(_correction_key(city, state))
        if corrected is not None:
            return corrected
    label = "-".join(part[:1].upper() + part[1:] for part in city.split("-"))
    return _MC_NAME.sub(lambda m: "Mc" + m.group(1).upper(), label)


@functools.lru_cache(maxsize=1)
@gc_paused
def _zip_places() -> pd.DataFrame:
    import pandas as pd

    rows = [
        (r["zip_code"], city_label(r["city"], r["state"]), r["state"], *point)
        for r in zip_records()
        if r["active"]
        and r["zip_code_type"] == "STANDARD"
        and (point := zip_coordinates(r)) is not None
    ]
    return pd.DataFrame(rows, columns=["zip_code", "city", "state", "latitude", "longitude"])


def zip_places() -> pd.DataFrame:
    """Active STANDARD (street-delivery) ZIPs with coordinates in the 50 states + DC.

    Columns: zip_code, city, state, latitude, longitude. Returns a copy of the cached table so
    callers may add columns freely.
    """
    return _zip_places().copy()


@functools.lru_cache(maxsize=1)
def _state_centroids() -> dict[str, tuple[float, float]]:
    means = _zip_places().groupby("state")[["latitude", "longitude"]].mean()
    return {
        str(code): (round(float(row.latitude), 4), round(float(row.longitude), 4))
        for code, row in means.iterrows()
    }


def state_centroids() -> dict[str, tuple[float, float]]:
    """State code -> (lat, lon), the mean of its ZIP positions: where people are, not the
    geometric centre, which suits labels and aggregate markers."""
    return dict(_state_centroids())
