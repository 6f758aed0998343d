"""Finding and pressing widgets by label on an AppTest page (signed-in editor pages)."""

from __future__ import annotations

from typing import Any


def widget(at: Any, kind: str, label: str) -> Any:
    """The one widget of `kind` (e.g. "text_input") labelled `label`; fails if not exactly one."""
    matches = [w for w in getattr(at, kind) if w.label == label]
    assert len(matches) == 1, f"{kind} {label!r}: found {len(matches)}"
    return matches[0]


def click(at: Any, label: str) -> Any:
    """Clicks the button labelled `label` and returns the page after the rerun."""
    return next(b for b in at.button if b.label == label).click().run()
