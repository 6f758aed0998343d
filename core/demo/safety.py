"""Refusing to run a real deployment with a published demo password.

The demo accounts' passwords are in the README. With demo mode off, an account that still
has one is an open door, so the app, the worker and the command line refuse to start until
its password is changed or the account is deactivated.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.accounts.passwords import verify_password
from core.demo.accounts import DEMO_ADMIN, DEMO_PARTNER_LOGINS, DEMO_VENDOR, DEMO_VENDOR2
from core.models import Account

PUBLISHED_PASSWORDS: dict[str, str] = {
    DEMO_ADMIN.username: DEMO_ADMIN.password,
    DEMO_VENDOR.username: DEMO_VENDOR.password,
    DEMO_VENDOR2.username: DEMO_VENDOR2.password,
    **dict(DEMO_PARTNER_LOGINS),
}


def accounts_with_published_password(session: Session) -> list[str]:
    """Usernames of active accounts whose password is the demo one the README publishes.

    One argon2 verification per demo username present (at most five): cheap enough for a
    process start, and only names the README lists are checked.
    """
    rows = session.exec(
        select(Account.username, Account.password_hash).where(
            col(Account.username).in_(list(PUBLISHED_PASSWORDS)), col(Account.is_active)
        )
    ).all()
    return sorted(
        username
        for username, password_hash in rows
        if verify_password(password_hash, PUBLISHED_PASSWORDS[username])
    )


def published_password_problem(session: Session) -> str | None:
    """One line saying why a deployment without demo mode must not start, or None."""
    names = accounts_with_published_password(session)
    if not names:
        return None
    listed = ", ".join(repr(name) for name in names)
    return (
        f"demo mode is off (ATLAS_DEMO) but account(s) {listed} still have the demo password "
        "published in the README: change those passwords or deactivate the accounts "
        "(or set ATLAS_DEMO=1 to run the demo)"
    )
