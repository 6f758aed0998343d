"""Where a demo vendor lead comes from: which vendor and campaign, and when.

A vendor sends leads (co-marketing responses, referrals) only to active members of its
program, so a vendor lead names one of the partner's active programs and comes in after the
partner joined; a co-marketing lead names a campaign of that vendor running at the time (in
the partner's region when there is one). A few fresh responses of the demo vendors'
running campaigns wait unassigned, so the vendor screen has leads to give to its members.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from typing import Any

import numpy as np

from core.demo.campaigns import CampaignBook, DemoCampaign
from core.demo.lead_text import BUSINESSES, FIRST_NAMES, LAST_NAMES, MESSAGES, PLAIN_WORDS
from core.demo.members import ChunkMembers
from core.demo.places import DemoPlaces
from core.taxonomy import get_taxonomy

UNASSIGNED_PER_VENDOR = 5


def lead_origin(
    pr: random.Random,
    book: CampaignBook | None,
    members: ChunkMembers,
    pid: int,
    *,
    source: str,
    created: datetime,
    now: datetime,
) -> tuple[str | None, DemoCampaign | None, datetime]:
    """(vendor, campaign, created): the vendor is one the partner is an active member of
    (None: it is a member of none), the campaign one of that vendor's running when the lead
    came in (co-marketing only; None if it ran none then); ``created`` moved into the
    campaign, and never before the partner joined."""
    joined = members.by_partner.get(pid)
    if not joined:
        return None, None, created
    vendor, since = pr.choice(joined)
    today = now.date()
    campaign = None
    if source == "co_marketing" and book is not None:
        campaign = book.pick(pr, vendor, since, members.state.get(pid), today)
    start = max(since, campaign.starts_on) if campaign else since
    end = min(campaign.ends_on, today) if campaign else today
    if campaign is not None or created.date() < since:
        moment = datetime.combine(start, time(), tzinfo=UTC)
        moment += timedelta(seconds=int(((end - start).days * 86400 + 86399) * pr.random()))
        created = min(moment, now - timedelta(minutes=1))
    return vendor, campaign, created


def unassigned_campaign_leads(
    *,
    seed: int,
    now: datetime,
    book: CampaignBook,
    vendors: tuple[str, ...],
    places: DemoPlaces,
    first_id: int,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Fresh, unassigned responses to the running campaigns of ``vendors``: (leads, their
    one-step status histories), lead ids from ``first_id``."""
    rng = np.random.default_rng([seed, 10])
    pr = random.Random(int(rng.integers(2**62)))
    taxonomy = get_taxonomy()
    leads: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    for vendor in vendors:
        running = [c for c in book.of(vendor) if c.phase(now.date()) == "running"]
        for k in range(UNASSIGNED_PER_VENDOR if running else 0):
            campaign = running[k % len(running)]
            lead_id = first_id + len(leads)
            days = min(12, (now.date() - campaign.starts_on).days)
            created = now - timedelta(seconds=pr.randint(3600, max(3601, days * 86400)))
            state = pr.choice(sorted(campaign.states))
            zip_code = str(places.zip_code[places.sample_in_state(state, rng.random(1))[0]])
            first, last = pr.choice(FIRST_NAMES), pr.choice(LAST_NAMES)
            company = f"{pr.choice(LAST_NAMES)} {pr.choice(BUSINESSES)}"
            needs = set(pr.sample(campaign.needs, min(len(campaign.needs), pr.choice((1, 2)))))
            ordered = [n for n in taxonomy.area_keys if n in needs]
            leads.append(
                {
                    "id": lead_id,
                    "partner_id": None,  # waits for the vendor to give it to a member
                    "team_key": None,
                    "source": "co_marketing",
                    "vendor_name": vendor,
                    "campaign_id": campaign.id,
                    "contact_name": f"{first} {last}",
                    "contact_email": f"{first}.{last}@{company.replace(' ', '')}.example".lower(),
                    "company": company,
                    "zip_code": zip_code,
                    "company_size": pr.choice(campaign.sizes),
                    "needs": ordered,
                    "message": pr.choice(MESSAGES).format(
                        needs=" and ".join(PLAIN_WORDS.get(n, n) for n in ordered),
                        people=pr.choice((5, 8, 12, 20, 35, 60, 120, 250)),
                    ),
                    "status": "new",
                    "value_usd": None,
                    "product_lines": [],
                    "lost_reason": None,
                    "created_at": created,
                    "updated_at": created,
                    "first_response_at": None,
                }
            )
            changes.append(
                {
                    "lead_id": lead_id,
                    "from_status": None,
                    "to_status": "new",
                    "changed_at": created,
                    "actor_account_id": None,
                    "note": "",
                }
            )
    return leads, changes
