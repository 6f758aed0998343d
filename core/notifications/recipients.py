"""Who receives a partner's email: the organisation's address, else its people.

A partner's public profile may have no email; then its active partner accounts are asked,
whose username is their email address when it looks like one (accounts have no separate
email field). Nobody → no message: the event still happens, it just tells no one.
"""

from __future__ import annotations

import re

from sqlmodel import Session, col, select

from core.models import ROLE_PARTNER, Account, Partner

# Deliberately loose: it only tells an address from a plain username such as "partner1".
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def partner_recipients(*, session: Session, partner_id: int) -> list[tuple[str, str]]:
    """(email, name) pairs for messages to a partner, in a stable order."""
    partner = session.get(Partner, partner_id)
    if partner is None:
        return []
    if partner.email and partner.email.strip():
        return [(partner.email.strip(), partner.name)]
    accounts = session.exec(
        select(Account.username, Account.display_name)
        .where(col(Account.partner_id) == partner_id)
        .where(col(Account.role) == ROLE_PARTNER)
        .where(col(Account.is_active).is_(True))
        .order_by(col(Account.id))
    ).all()
    return [
        (username, display_name or partner.name)
        for username, display_name in accounts
        if _ADDRESS.match(username)
    ]
