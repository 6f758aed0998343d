"""US state codes and names: the 50 states plus DC, the coverage of the directory's state
filters and maps; the territories are places to search around too (core.geo.places)."""

from __future__ import annotations

STATE_NAMES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota",
    "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip

# Inhabited US territories with ZIP codes. Places people search around may be there (the ZIP
# data has them); the directory's state filters, maps and coverage stay the 50 states + DC.
TERRITORY_NAMES: dict[str, str] = {
    "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands",
    "MP": "Northern Mariana Islands", "AS": "American Samoa",
}  # fmt: skip
PLACE_REGION_NAMES: dict[str, str] = STATE_NAMES | TERRITORY_NAMES

_STATE_BY_NAME = {name.casefold(): code for code, name in PLACE_REGION_NAMES.items()} | {
    "washington dc": "DC",
    "washington d c": "DC",
    "virgin islands": "VI",
    "us virgin islands": "VI",
    "u s virgin islands": "VI",
    "usvi": "VI",
    "northern marianas": "MP",
}


def parse_state(text: str, *, territories: bool = False) -> str | None:
    """The two-letter code of a state typed as its code or its name ("tx", "Texas", "D.C."),
    or None. ``territories`` also accepts Puerto Rico, Guam, … (TERRITORY_NAMES)."""
    cleaned = " ".join(text.replace(".", " ").split())
    if len(cleaned) <= 4:  # "D. C." and "D C" are DC
        cleaned = cleaned.replace(" ", "")
    known = PLACE_REGION_NAMES if territories else STATE_NAMES
    code = cleaned.upper() if cleaned.upper() in known else _STATE_BY_NAME.get(cleaned.casefold())
    return code if code in known else None
