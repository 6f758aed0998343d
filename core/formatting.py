"""Plain-language formatting shared by pages and the CLI (no UI imports)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.taxonomy import get_taxonomy


def humanize_age(moment: datetime, *, now: datetime) -> str:
    """'today', 'yesterday', '3 weeks ago', '2 years ago' — how people say freshness."""
    days = (now - moment).total_seconds() / 86400
    if days < 1:
        return "today"
    if days < 2:
        return "yesterday"
    for size, unit in ((365, "year"), (30, "month"), (7, "week"), (1, "day")):
        if days >= size:
            count = int(days // size)
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "today"


def join_or(items: Sequence[str]) -> str:
    """'a', 'a or b', 'a, b or c': a choice as a sentence says it."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} or {items[-1]}"


def format_km(distance_km: float | None) -> str:
    if distance_km is None:
        return "–"
    return f"{distance_km:,.1f} km" if distance_km < 100 else f"{distance_km:,.0f} km"


_MARKDOWN_SPECIALS = set("\\`*_{}[]()#+-.!|<>~$:")


def escape_markdown(text: str | None) -> str:
    """Make user text render literally inside Streamlit Markdown (st.markdown, st.write…).

    Every Markdown/HTML-significant character gets a backslash, so a partner named
    ``**[click](javascript:…)**`` or ``<b>`` shows exactly as typed. ``$`` and ``:`` are
    escaped too: Streamlit renders $…$ as LaTeX and :name: as emoji/colour shortcodes.
    """
    if not text:
        return ""
    return "".join(f"\\{ch}" if ch in _MARKDOWN_SPECIALS else ch for ch in text).replace(
        "\n", "  \n"
    )


def count_noun(count: int, singular: str, plural: str | None = None) -> str:
    """'1 partner', '0 partners', '1,200 partners': a count with its noun agreeing."""
    noun = singular if count == 1 else (plural or singular + "s")
    return f"{count:,} {noun}"


def format_radius_km(km: float) -> str:
    """'150 km', '12.5 km', '1,000 km': a radius as typed, decimals only when not whole."""
    rounded = round(float(km), 1)
    return f"{rounded:,.0f} km" if rounded.is_integer() else f"{rounded:,.1f} km"


def company_sizes(keys: Sequence[str]) -> str:
    """'1–10 employees, 11–50 employees': company-size keys ("1-10") as their taxonomy labels,
    in the order given; a key the taxonomy no longer knows is shown as it is."""
    labels = {s.key: s.label for s in get_taxonomy().segments}
    return ", ".join(labels.get(key, key) for key in keys)


# Ids and counts in links and forms: 12 digits are more than any id the app hands out, and far
# below the 4,300 digits beyond which int() itself raises.
MAX_WHOLE_NUMBER_DIGITS = 12


def is_ascii_whole_number(text: str, *, max_digits: int = MAX_WHOLE_NUMBER_DIGITS) -> bool:
    """Only the digits 0-9, at most ``max_digits`` of them.

    str.isdigit() alone is not enough: it is true for "²" and "٣" (which int() rejects or
    reads as 3), so text from a URL or a form goes through this check first.
    """
    return 0 < len(text) <= max_digits and text.isascii() and text.isdigit()


def parse_whole_number(
    text: str | None, *, what: str = "The number", max_digits: int = MAX_WHOLE_NUMBER_DIGITS
) -> int:
    """``text`` (surrounding blanks ignored) as a non-negative whole number; ValueError with a
    sentence for the visitor when it is not one."""
    cleaned = (text or "").strip()
    if not is_ascii_whole_number(cleaned, max_digits=max_digits):
        if cleaned.isascii() and cleaned.isdigit():
            raise ValueError(f"{what} is too long: at most {max_digits} digits.")
        raise ValueError(f"{what} must be a whole number written with the digits 0-9.")
    return int(cleaned)
