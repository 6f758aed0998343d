"""Account administration: list, edit, (de)activate, unlock, reset passwords.

Administrators only, except that a user may change their own display name.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from core.access import PermissionDenied, ensure_admin, fresh_actor
from core.accounts.errors import AccountError
from core.accounts.records import (
    audit_fields,
    check_role_fields,
    get_account_row,
    save_account_change,
    store_password,
    to_public,
)
from core.accounts.sessions import end_sessions
from core.models import (
    ROLE_ADMIN,
    ROLE_VENDOR,
    Account,
    AccountEmail,
    AccountPublic,
    MaxLength,
    Partner,
    clean_text,
    utc_now,
)


class AccountAdminView(AccountPublic):
    """What the administration screen shows about an account (never the hash)."""

    partner_name: str | None = None
    failed_sign_ins: int = 0
    locked_until: datetime | None = None
    created_at: datetime | None = None
    last_sign_in_at: datetime | None = None


def reset_password(
    *,
    session: Session,
    actor: AccountPublic,
    account_id: int,
    new_password: str,
    keep_session_id: int | None = None,
) -> None:
    """An administrator sets a new password for an account (and lifts any lock); every
    session of the account ends, except ``keep_session_id`` when the administrator resets
    their own password from that session."""
    actor = ensure_admin(fresh_actor(session, actor))
    row = get_account_row(session, account_id)
    keep = keep_session_id if account_id == actor.id else None
    store_password(session, actor, row, new_password, action="reset_password", keep_session_id=keep)


def set_account_active(
    *, session: Session, actor: AccountPublic, account_id: int, active: bool
) -> AccountPublic:
    """Deactivate (every session of the account ends) or reactivate an account."""
    actor = ensure_admin(fresh_actor(session, actor))
    row = get_account_row(session, account_id)
    if not active and row.id == actor.id:
        raise AccountError("You cannot deactivate your own account.")
    before = audit_fields(row) | {"locked_until": row.locked_until}
    row.is_active = active
    if active:
        row.failed_sign_ins = 0
        row.locked_until = None
    after = audit_fields(row) | {"locked_until": row.locked_until}
    if not active:  # every session ends now, not only at its next page view
        after["sessions_ended"] = end_sessions(
            session, account_id=account_id, now=utc_now(), reason="deactivate"
        )
    return save_account_change(
        session, actor, row, "activate" if active else "deactivate", before, after
    )


def unlock_account(*, session: Session, actor: AccountPublic, account_id: int) -> AccountPublic:
    actor = ensure_admin(fresh_actor(session, actor))
    row = get_account_row(session, account_id)
    before = {"locked_until": row.locked_until, "failed_sign_ins": row.failed_sign_ins}
    row.locked_until = None
    row.failed_sign_ins = 0
    return save_account_change(
        session, actor, row, "unlock", before, {"locked_until": None, "failed_sign_ins": 0}
    )


def update_account(
    *,
    session: Session,
    actor: AccountPublic,
    account_id: int,
    display_name: str | None = None,
    partner_id: int | None = None,
    vendor_name: str | None = None,
    regions: Iterable[str] | None = None,
) -> AccountPublic:
    """Change an account's details; None leaves a field as it is. The role never changes:
    create a new account instead. Users may change their own display name."""
    actor = fresh_actor(session, actor)
    row = get_account_row(session, account_id)
    own_name_only = partner_id is None and vendor_name is None and regions is None
    if actor.role != ROLE_ADMIN and not (row.id == actor.id and own_name_only):
        raise PermissionDenied("Only administrators may change other accounts.")
    before = audit_fields(row)
    if display_name is not None:
        display = clean_text(display_name) or ""
        if len(display) > MaxLength.DISPLAY_NAME:
            raise AccountError(f"A display name has at most {MaxLength.DISPLAY_NAME} characters.")
        row.display_name = display
    if partner_id is not None or vendor_name is not None or regions is not None:
        new_partner, new_vendor, new_regions = check_role_fields(
            session,
            row.role,
            partner_id if partner_id is not None else row.partner_id,
            vendor_name if vendor_name is not None else row.vendor_name,
            regions if regions is not None else (row.regions or []),
        )
        row.partner_id, row.vendor_name, row.regions = new_partner, new_vendor, new_regions
    return save_account_change(session, actor, row, "update", before, audit_fields(row))


def list_accounts(
    *, session: Session, actor: AccountPublic, role: str | None = None, text: str | None = None
) -> list[AccountAdminView]:
    """Every account (administrators only), optionally of one role or matching ``text``."""
    ensure_admin(fresh_actor(session, actor))
    statement = select(Account, Partner.name).join(
        Partner, col(Partner.id) == Account.partner_id, isouter=True
    )
    if role:
        statement = statement.where(Account.role == role)
    rows = session.exec(statement.order_by(Account.username)).all()
    return [
        AccountAdminView.model_validate(
            {
                **to_public(account).model_dump(),
                "partner_name": partner_name,
                "failed_sign_ins": account.failed_sign_ins,
                "locked_until": account.locked_until,
                "created_at": account.created_at,
                "last_sign_in_at": account.last_sign_in_at,
            }
        )
        for account, partner_name in rows
        if _matches(text, account, partner_name)
    ]


def _matches(text: str | None, account: Account, partner_name: str | None) -> bool:
    needle = (text or "").strip().casefold()
    if not needle:
        return True
    fields = (account.username, account.display_name, account.vendor_name, partner_name)
    return any(needle in (value or "").casefold() for value in fields)


def set_sign_on_email(
    *, session: Session, actor: AccountPublic, account_id: int, email: str | None
) -> None:
    """Set (or with None/blank clear) the single sign-on email of a vendor or administrator
    account: a provider's verified email signs in to the account that has it. Unique."""
    actor = ensure_admin(fresh_actor(session, actor))
    row = get_account_row(session, account_id)
    if row.role not in (ROLE_ADMIN, ROLE_VENDOR):
        raise AccountError("Only vendor and administrator accounts sign in with single sign-on.")
    current = session.get(AccountEmail, account_id)
    before = {"sign_on_email": current.email if current else None}
    cleaned = (email or "").strip().lower()
    if cleaned and (len(cleaned) > MaxLength.EMAIL or "@" not in cleaned):
        raise AccountError("That is not an email address.")
    taken = session.exec(select(AccountEmail).where(AccountEmail.email == cleaned)).first()
    if cleaned and taken is not None and taken.account_id != account_id:
        raise AccountError("Another account already signs in with that email.")
    if current is not None:
        session.delete(current)
        session.flush()
    if cleaned:
        session.add(AccountEmail(account_id=account_id, email=cleaned))
    save_account_change(
        session, actor, row, "set_sign_on_email", before, {"sign_on_email": cleaned or None}
    )
