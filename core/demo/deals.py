"""Demo deal registrations: active members register their customers' deals with the vendor.

Recent registrations are often still pending; older ones were approved (and their 90 days
of protection mostly ran out since), denied or withdrawn. Customers are local businesses in
one of the partner's ZIP codes, and no two registrations with one vendor name the same
customer (normalised company name + ZIP) — except one pair on purpose: the demo vendor's
single visible conflict, a pending registration of a customer another member holds
protected.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np

from core import models as m
from core.demo.lead_text import BUSINESSES, LAST_NAMES
from core.demo.members import ChunkMembers
from core.taxonomy import get_taxonomy

REGISTERS = 0.1  # of active memberships: registered deals with the vendor
LEGAL_FORMS = ("", "", " LLC", " Inc.", ", Inc.", " Co.")
DENIALS = (
    "Another partner already works this opportunity with us.",
    "The customer is outside your authorised territory.",
    "Not enough detail on the opportunity; register it again with the project scope.",
)
RECENT_DAYS = 30


@dataclass
class DealWriter:
    """Deal rows chunk by chunk; remembers which customers each vendor already has."""

    seed: int
    now: datetime
    conflict_vendor: str  # the one vendor that gets the visible conflict
    taken: set[tuple[str, str, str]] = field(default_factory=set)  # (vendor, key, zip)
    conflict_made: bool = False

    def chunk(self, *, chunk_no: int, members: ChunkMembers) -> list[dict[str, Any]]:
        rng = np.random.default_rng([self.seed, 9, chunk_no])
        pr = random.Random(int(rng.integers(2**62)))
        pids = sorted(members.by_partner)
        rows: list[dict[str, Any]] = []
        if not self.conflict_made:
            rows += self._conflict(pr, members)
        for pid in pids:
            for vendor, since in members.by_partner[pid]:
                showcased = pid in members.showcase
                if not showcased and pr.random() >= REGISTERS:
                    continue
                for _ in range(pr.choice((1, 1, 2, 3) if showcased else (1, 1, 1, 2))):
                    rows.append(self._deal(pr, pid, vendor, since, members.zips[pid]))
        return rows

    def _customer(self, pr: random.Random, vendor: str, zip_code: str) -> str:
        for attempt in range(40):
            name = f"{pr.choice(LAST_NAMES)} {pr.choice(BUSINESSES)}"
            if attempt >= 10:  # a crowded ZIP: a partnership name
                name = f"{pr.choice(LAST_NAMES)} & {pr.choice(LAST_NAMES)} {pr.choice(BUSINESSES)}"
            if attempt >= 30:
                name = f"{name} {pr.randint(2, 999)}"
            seen = (vendor, m.customer_key(name), zip_code)
            if seen not in self.taken:
                self.taken.add(seen)
                return name + pr.choice(LEGAL_FORMS)
        raise RuntimeError("no free customer name")  # pragma: no cover - 40 draws always find one

    def _deal(
        self,
        pr: random.Random,
        pid: int,
        vendor: str,
        since: date,
        zips: list[str],
        *,
        status: str | None = None,
        registered: datetime | None = None,
        company: str | None = None,
    ) -> dict[str, Any]:
        today = self.now.date()
        zip_code = zips[0] if pr.random() < 0.7 else pr.choice(zips)
        if registered is None:
            first = max(since, today - timedelta(days=3 * 365))
            day = first + timedelta(days=int((today - first).days * pr.random() ** 0.7))
            registered = min(_at(day, pr), self.now - timedelta(hours=2))
        recent = (self.now - registered).days < RECENT_DAYS
        if status is None:
            odds = (0.45, 0.4, 0.1, 0.05) if recent else (0.0, 0.7, 0.18, 0.12)
            status = pr.choices(m.DEAL_STATUSES, weights=odds)[0]
        lines = get_taxonomy().product_lines_of(vendor)
        chosen = set(pr.sample(lines, pr.choice((1, 1, 2))))
        closes = registered.date() + timedelta(days=pr.randint(30, 150))
        row: dict[str, Any] = {
            "partner_id": pid,
            "vendor": vendor,
            "customer_company": company or self._customer(pr, vendor, zip_code),
            "customer_key": "",
            "zip_code": zip_code,
            "product_lines": [k for k in lines if k in chosen],
            "value_usd": float(round(math.exp(pr.gauss(math.log(25_000), 0.9)), -2)) or 1000.0,
            "expected_close_on": max(closes, today) if status == m.DEAL_PENDING else closes,
            "status": m.DEAL_PENDING,
            "protected_until": None,
            "decision_note": "",
            "registered_at": registered,
            "decided_at": None,
            "updated_at": registered,
            "version": 1,
        }
        row["customer_key"] = m.customer_key(row["customer_company"])
        if status == m.DEAL_PENDING:
            return row
        answered = min(registered + timedelta(days=pr.uniform(0.5, 7)), self.now)
        row.update(status=status, updated_at=answered, version=2)
        if status == m.DEAL_WITHDRAWN:
            return row
        row["decided_at"] = answered
        if status == m.DEAL_DENIED:
            row["decision_note"] = pr.choice(DENIALS)
        else:
            days = get_taxonomy().deal_protection_days
            row["protected_until"] = answered.date() + timedelta(days=days)
        return row

    def _conflict(self, pr: random.Random, members: ChunkMembers) -> list[dict[str, Any]]:
        """Two members of the conflict vendor register the same customer: the first is
        approved and protected, the second waits for the vendor's decision."""
        group = members.by_vendor.get(self.conflict_vendor)
        if group is None or len(group.ids) < 2:
            return []
        ranked = sorted(group.ids.tolist(), key=lambda p: (p not in members.showcase, p))
        # A showcase partner holds the customer; the first other member tries to take it.
        holder = ranked[0]
        rival = next((p for p in ranked[1:] if p not in members.showcase), ranked[1])
        since = dict(members.by_partner[holder])[self.conflict_vendor]
        zip_code = members.zips[holder][0]
        first = self._deal(
            pr,
            holder,
            self.conflict_vendor,
            since,
            [zip_code],
            status=m.DEAL_APPROVED,
            registered=self.now - timedelta(days=21, hours=3),
        )
        name = first["customer_company"]
        # The rival spells the customer differently; the normalised name is the same.
        spelled = name.rstrip(".").replace(", Inc", "").replace(" Inc", "").upper() + " INC"
        second = self._deal(
            pr,
            rival,
            self.conflict_vendor,
            dict(members.by_partner[rival])[self.conflict_vendor],
            [zip_code],
            status=m.DEAL_PENDING,
            registered=self.now - timedelta(days=2, hours=5),
            company=spelled,
        )
        assert first["customer_key"] == second["customer_key"]
        self.conflict_made = True
        return [first, second]


def _at(day: date, pr: random.Random) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC) + timedelta(seconds=pr.randint(28800, 64800))
