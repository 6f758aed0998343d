"""Customers' answers to "did the partner contact you?" for the demo leads.

Directory customers (a contact request or a team request) get the 3-day follow-up; about a
third answer it. A customer whose lead was answered nearly always says yes, one whose lead
was not mostly says no. Drawn from a generator of its own, so the rest of the demo data is
the same with or without it.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

FOLLOW_UP_AFTER = timedelta(days=3)
ANSWER_RATE = 0.35
ASKED_SOURCES = ("directory", "team")


def customer_answers(
    leads: list[dict[str, Any]], *, seed: int, chunk_no: int, now: datetime
) -> list[dict[str, Any]]:
    """One ``lead_feedback`` row per answering customer of these lead rows."""
    rng = random.Random(f"{seed}:feedback:{chunk_no}")
    rows = []
    for lead in leads:
        asked_at = lead["created_at"] + FOLLOW_UP_AFTER
        if lead["source"] not in ASKED_SOURCES or asked_at > now:
            continue
        if rng.random() >= ANSWER_RATE:
            continue
        answered = lead["first_response_at"] is not None
        yes = rng.random() < (0.93 if answered else 0.15)
        at = min(now, asked_at + timedelta(hours=rng.randint(1, 72)))
        rows.append({"lead_id": lead["id"], "contacted": yes, "answered_at": at})
    return rows
