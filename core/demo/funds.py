"""Demo market development funds: fund requests of active members, in every life-cycle state.

Each campaign funds about ``target_funds`` members in its regions whatever the size of the
directory (the chance per member shrinks as the directory grows), so budgets fit at 2,000
partners and at a million; a bigger directory has proportionally more campaigns
(``core.demo.campaigns.density_factor``), so funds per partner stay the demo's. Where a
campaign stands decides where its funds stand: an upcoming one has requests and
allocations; a running one everything from requested to paid; a finished one mostly
paid, with some rejected and a few claims still open or returned.

The budget rule of ``core.programs.funds`` holds: what approved, claimed and returned funds
hold (their approved amount) plus what was paid never exceeds the budget; an approval that
would overspend it is a rejection ("budget used up"). ``committed`` adds up per campaign
across chunks; the generator writes it to ``campaign.committed_usd`` at the end.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np

from core import models as m
from core.demo.campaigns import CampaignBook, DemoCampaign, density_factor
from core.demo.members import ChunkMembers

ACTIVITIES = (
    "Lunch-and-learn for local businesses on {need}",
    "Email campaign to 2,000 small businesses about {need}",
    "Webinar series on {need}",
    "Booth at the regional chamber of commerce fair ({need})",
    "Paid search ads for {need}",
    "Customer roundtable and demo day: {need}",
)
REJECTIONS = (
    "Activity outside the campaign's target audience.",
    "Please combine this with your other request for the campaign.",
    "Cost per attendee is too high for this activity.",
)
RETURNS = (
    "The invoice does not show the event date; please attach a dated invoice.",
    "Attendee list missing: please add the sign-in sheet.",
)
BUDGET_USED_UP = "The campaign budget is used up."
# status odds by the campaign's phase (allocations never stay requested or get rejected)
ODDS = {
    "upcoming": {m.FUND_REQUESTED: 0.6, m.FUND_APPROVED: 0.4},
    "running": {
        m.FUND_REQUESTED: 0.15,
        m.FUND_REJECTED: 0.1,
        m.FUND_APPROVED: 0.3,
        m.FUND_CLAIMED: 0.2,
        m.FUND_RETURNED: 0.1,
        m.FUND_PAID: 0.15,
    },
    "finished": {
        m.FUND_REJECTED: 0.12,
        m.FUND_APPROVED: 0.05,
        m.FUND_CLAIMED: 0.08,
        m.FUND_RETURNED: 0.05,
        m.FUND_PAID: 0.7,
    },
}
ORDER = (m.FUND_REQUESTED, m.FUND_APPROVED, m.FUND_CLAIMED, m.FUND_PAID)


def _at(day: date, pr: random.Random) -> datetime:
    # Office hours in UTC, as every stored time is.
    return datetime.combine(day, time(), tzinfo=UTC) + timedelta(seconds=pr.randint(28800, 64800))


@dataclass
class FundWriter:
    """Fund rows chunk by chunk; remembers what each campaign's funds hold of its budget."""

    seed: int
    now: datetime
    book: CampaignBook
    partners: int  # the whole directory's size: how thinly to spread each campaign's funds
    committed: dict[int, float] = field(default_factory=dict)

    def chunk(self, *, chunk_no: int, n: int, members: ChunkMembers) -> list[dict[str, Any]]:
        rng = np.random.default_rng([self.seed, 8, chunk_no])
        pr = random.Random(int(rng.integers(2**62)))
        rows: list[dict[str, Any]] = []
        showcase = np.array(sorted(members.showcase), dtype=np.int64)
        showcase_odds = 0.5 / density_factor(self.partners)
        # A big directory has thousands of campaigns per vendor over a few region sets:
        # which members are in a campaign's regions is worked out once per set.
        in_regions: dict[tuple[str, frozenset[str]], np.ndarray] = {}
        for campaign in self.book.campaigns:
            group = members.by_vendor.get(campaign.vendor)
            if group is None:
                continue
            key = (campaign.vendor, campaign.states)
            local = in_regions.get(key)
            if local is None:
                local = in_regions[key] = np.isin(group.states, list(campaign.states))
            eligible = group.ids[local & (group.since <= campaign.ends_on.toordinal())]
            if not len(eligible):
                continue
            expected = len(eligible) * self.partners / max(n, 1)
            rate = min(0.6, campaign.target_funds / expected)
            chosen = rng.random(len(eligible)) < rate
            # Only the chosen and the showcase partners can get a fund; visiting just them,
            # in partner order, draws the same random numbers as visiting everyone.
            visit = chosen | np.isin(eligible, showcase)
            for pid, picked in zip(eligible[visit].tolist(), chosen[visit].tolist(), strict=True):
                # The demo accounts' partners get funds more often, so their screens show some
                # (as often as in the demo: a bigger directory has more campaigns to fund).
                if picked or (pid in members.showcase and pr.random() < showcase_odds):
                    row = self._fund(pr, campaign, pid)
                    if row:
                        rows.append(row)
        return rows

    def _fund(self, pr: random.Random, c: DemoCampaign, pid: int) -> dict[str, Any]:
        today = self.now.date()
        phase = c.phase(today)
        allocated = pr.random() < 0.25
        odds = dict(ODDS[phase])
        if allocated:  # the vendor allocated it: approved at once, never asked or refused
            odds.pop(m.FUND_REQUESTED, None)
            odds.pop(m.FUND_REJECTED, None)
        status = pr.choices(list(odds), weights=list(odds.values()))[0]
        mean = c.budget_usd / max(c.target_funds, 1)
        amount = max(500.0, float(round(math.exp(pr.gauss(math.log(mean), 0.35)), -2)))
        need = c.needs[0].replace("_", " ")
        first = c.starts_on - timedelta(days=30)
        last = min(c.ends_on - timedelta(days=7), today - timedelta(days=1))
        asked = _at(first + timedelta(days=pr.randint(0, max(0, (last - first).days))), pr)
        asked = min(asked, self.now - timedelta(hours=1))
        row: dict[str, Any] = {
            "campaign_id": c.id,
            "partner_id": pid,
            "vendor": c.vendor,
            "requested_by": m.SIDE_VENDOR if allocated else m.SIDE_PARTNER,
            "activity": pr.choice(ACTIVITIES).format(need=need),
            "amount_usd": amount,
            "approved_usd": None,
            "claim_description": None,
            "claim_amount_usd": None,
            "claim_attachment": None,
            "paid_usd": None,
            "decision_note": "",
            "status": m.FUND_REQUESTED,
            "requested_at": asked,
            "decided_at": None,
            "claimed_at": None,
            "paid_at": None,
            "updated_at": asked,
            "version": 1,
        }
        if status == m.FUND_REQUESTED:
            return row
        decided = asked if allocated else asked + timedelta(days=pr.uniform(1, 14))
        if decided > self.now:
            return row  # still waiting for the vendor
        row.update(decided_at=decided, updated_at=decided, version=2)
        if status == m.FUND_REJECTED:
            row.update(status=m.FUND_REJECTED, decision_note=pr.choice(REJECTIONS))
            return row
        approved = amount if pr.random() < 0.7 else float(round(amount * 0.8, -2))
        if not self._hold(c, approved):
            note = BUDGET_USED_UP
            if allocated:  # a vendor does not allocate what it has not got
                return {}
            row.update(status=m.FUND_REJECTED, decision_note=note)
            return row
        row.update(status=m.FUND_APPROVED, approved_usd=approved)
        done = max(decided, _at(min(c.ends_on, today), pr) - timedelta(days=pr.randint(0, 20)))
        claimed = done + timedelta(days=pr.uniform(1, 20))
        if status == m.FUND_APPROVED or claimed > self.now:
            return row
        claim = float(round(approved * pr.uniform(0.7, 1.0), -2)) or approved
        row.update(
            status=m.FUND_CLAIMED,
            claim_description=f"Done: {row['activity'].lower()}; {pr.randint(8, 140)} attendees",
            claim_amount_usd=claim,
            claim_attachment=f"invoice-{c.key}-{pid}.pdf",
            claimed_at=claimed,
            updated_at=claimed,
            version=3,
        )
        settled = claimed + timedelta(days=pr.uniform(3, 30))
        if status == m.FUND_CLAIMED or settled > self.now:
            return row
        if status == m.FUND_RETURNED:
            row.update(status=m.FUND_RETURNED, decision_note=pr.choice(RETURNS))
        else:  # paid: the claim is paid, what was held above it goes back to the budget
            self.committed[c.id] -= approved - claim
            row.update(status=m.FUND_PAID, paid_usd=claim, paid_at=settled)
        row.update(updated_at=settled, version=4)
        return row

    def _hold(self, c: DemoCampaign, amount: float) -> bool:
        held = self.committed.get(c.id, 0.0)
        if held + amount > c.budget_usd:
            return False
        self.committed[c.id] = held + amount
        return True
