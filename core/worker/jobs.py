"""Everything the worker does, in the order of one pass.

A job does what is due at ``now`` and returns how many items it handled. It opens its own
units of work (one per item, or one per small batch), so one bad item never holds back the
others, and it must be safe when several workers run it at once against one PostgreSQL
(row locks with SKIP LOCKED, or guarded UPDATEs); on SQLite one writer at a time is enough.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from core.directory.nudges import send_profile_nudges
from core.directory.responsiveness import refresh_responsiveness


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[Engine, datetime], int]


# Filled in by each capability as it lands: routing (offers, expiries, reminders), follow-ups
# and nudges, responsiveness summaries, and delivery last, so a pass sends what it created.
JOBS: tuple[Job, ...] = (
    Job("responsiveness", refresh_responsiveness),  # at most hourly (core.directory.responsiveness)
    Job("profile_nudges", send_profile_nudges),  # before delivery: sent in the same pass
)
