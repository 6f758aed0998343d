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

from core.analytics.demand import forget_old_demand_attempts
from core.directory.nudges import send_profile_nudges
from core.directory.responsiveness import refresh_responsiveness
from core.leads.contact_limits import forget_old_attempts
from core.leads.followup import run_followups
from core.notifications.delivery import deliver_job
from core.routing.due import expire_due_offers, remind_due_offers, route_unrouted_leads
from core.search.deltas import prune_directory_changes
from core.search.snapshot_build import refresh_index_snapshot


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[Engine, datetime], int]


# One pass, in order; delivery last, so a pass sends what the jobs before it wrote.
JOBS: tuple[Job, ...] = (
    # Routing: deadlines first (an expiry offers the lead to the next member at once), then
    # reminders of what is still open, then leads that wait for a first (or renewed) offer.
    Job("expire_offers", expire_due_offers),
    Job("remind_offers", remind_due_offers),
    Job("route_leads", route_unrouted_leads),
    Job("customer_followups", run_followups),
    Job("forget_old_contact_attempts", forget_old_attempts),
    Job("forget_old_demand_attempts", forget_old_demand_attempts),
    Job("responsiveness", refresh_responsiveness),  # at most hourly (core.directory.responsiveness)
    Job("profile_nudges", send_profile_nudges),
    # The change history the read indexes catch up from (core.search.deltas): bounded.
    Job("prune_directory_changes", prune_directory_changes),
    # Issue 15: the index snapshot new app processes start from; a refresh builds in a child
    # process (~30 s at a million partners) at most every 10 minutes, when behind.
    Job("index_snapshot", refresh_index_snapshot),
    Job("delivery", deliver_job),
)
