"""Every CSV the app hands to a user goes through here, so no cell runs as a spreadsheet formula.

A cell starting with = + - @, a tab or a carriage return is read by spreadsheets as a formula
(``=HYPERLINK(...)`` sends data away on a click); such a cell gets a leading apostrophe, which
spreadsheets show as text. A cell already starting with an apostrophe gets one more, so
``unguard_cell`` gives back exactly what was guarded (the partner CSV round trip).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def guard_cell(value: Any) -> Any:
    """``value`` made safe for a spreadsheet; numbers, dates and None pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def unguard_cell(text: str) -> str:
    """The inverse of ``guard_cell`` on text (what an import does with its own exports)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


class SafeCsvWriter:
    """csv.writer whose every cell, header included, is guarded."""

    def __init__(self, out: _Writable, **options: Any) -> None:
        options.setdefault("lineterminator", "\n")
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([guard_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter:
    """csv.DictWriter with every cell and header name guarded."""

    def __init__(self, out: _Writable, fieldnames: list[str], **options: Any) -> None:
        self.fieldnames = fieldnames
        self._writer = SafeCsvWriter(out, **options)

    def writeheader(self) -> None:
        self._writer.writerow(self.fieldnames)

    def writerow(self, row: Mapping[str, Any]) -> None:
        self._writer.writerow([row.get(name, "") for name in self.fieldnames])
