"""Keep the read index out of the garbage collector's full passes.

Streamlit runs ``gc.collect()`` after every script run (``runner.postScriptGC``), and a full
collection walks every container object the process holds: with the read index, the place
index and the app's modules loaded that is most of a filter change's server CPU at 100,000
partners (bench/load.py profiles it). Those objects live as long as the index does, so once a
search has been answered with an index, everything alive is moved to the collector's permanent
generation (``gc.freeze``); the per-run collections then walk only what the runs themselves
made.

When another index is served (a full rebuild), the old one must not stay frozen: everything is
unfrozen, collected once (which also frees the cyclic garbage that was alive-but-dead at the
last freeze) and frozen again — one full collection per index, not one per filter change.
"""

from __future__ import annotations

import gc
import threading

_lock = threading.Lock()  # script runs of several sessions call this at once
_frozen_for: list[int] = []  # id() of the index the last freeze was made with


def freeze_long_lived(index: object) -> None:
    """Freeze everything alive once per served index (cheap after the first call)."""
    if _frozen_for and _frozen_for[0] == id(index):
        return
    with _lock:
        if _frozen_for and _frozen_for[0] == id(index):
            return
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        _frozen_for[:] = [id(index)]
