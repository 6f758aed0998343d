"""A campaign's committed budget: what its approved funds hold, never more than its budget.

``Campaign.committed_usd`` moves only here, each move one guarded UPDATE. The guard is in the
WHERE clause, not in Python: two approvals that each read "enough left" both reach the
UPDATE, and the database lets the second one through only if the sum still fits (PostgreSQL
re-checks the WHERE clause on the row the first one committed; SQLite runs one writer at a
time). Holds do not move the campaign's version: a vendor editing the campaign while funds
are approved is no conflict, and its budget change has a guard of its own
(core.programs.campaigns).
"""

from __future__ import annotations

from sqlalchemy import CursorResult, case, update
from sqlmodel import Session, col

from core.models import Campaign, utc_now
from core.programs.rules import ProgramError
from core.programs.versioned import usd

# Half a cent: amounts are whole cents, but their float sums are not exact (0.1 + 0.2), and
# an approval that fits to the cent must not be refused for 0.00000000000004.
CENT_SLACK = 0.005


def cents(amount: float) -> float:
    return round(float(amount), 2)


def left_of(campaign: Campaign) -> float:
    return max(0.0, campaign.budget_usd - campaign.committed_usd)


def hold_budget(session: Session, campaign: Campaign, amount: float, *, doing: str) -> None:
    """Commit ``amount`` of the campaign's budget, or ProgramError when it would not fit:
    "Approving $6,000 would exceed the campaign budget: $4,000 of $10,000 left."."""
    committed = col(Campaign.committed_usd)
    result = session.execute(
        update(Campaign)
        .where(
            col(Campaign.id) == campaign.id,
            committed + amount <= col(Campaign.budget_usd) + CENT_SLACK,
        )
        .values(committed_usd=committed + amount, updated_at=utc_now())
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)  # what an UPDATE returns; typed as Result
    # Read the row as it is now (another approval may just have committed) for the message
    # or for the caller's audit event.
    session.refresh(campaign)
    if result.rowcount != 1:
        raise ProgramError(
            f"{doing} {usd(amount)} would exceed the campaign budget: "
            f"{usd(left_of(campaign))} of {usd(campaign.budget_usd)} left."
        )


def release_budget(session: Session, campaign: Campaign, amount: float) -> None:
    """Give ``amount`` a fund held back to the campaign (rejected, or paid less)."""
    if amount <= 0:
        return
    committed = col(Campaign.committed_usd)
    session.execute(
        update(Campaign)
        .where(col(Campaign.id) == campaign.id)
        # Never below zero, whatever float rounding did to the sum.
        .values(
            committed_usd=case((committed - amount > 0, committed - amount), else_=0.0),
            updated_at=utc_now(),
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(campaign)
