"""A partner's per-vendor switch that lets that vendor see its business figures.

Setting the switch is idempotent (grant twice = granted), so it needs no compare-and-swap:
a revoke must always win at once, whatever the user saw before. What a vendor then sees is
decided in core.confidentiality, which reads the switch on every read.
"""

from __future__ import annotations

from pydantic import ValidationError
from sqlmodel import Session

from core.audit import record_change
from core.models import (
    SIDE_PARTNER,
    AccountPublic,
    FiguresConsent,
    FiguresConsentCreate,
    FiguresConsentPublic,
    Partner,
    utc_now,
)
from core.programs.rules import ProgramError, ensure_side

ENTITY = "figures_consent"


def _audit_fields(row: FiguresConsent) -> dict[str, object]:
    return {"partner_id": row.partner_id, "vendor": row.vendor, "granted": row.granted}


def set_figures_consent(
    *,
    session: Session,
    actor: AccountPublic | None,
    partner_id: int,
    vendor: str,
    granted: bool,
) -> FiguresConsentPublic:
    """Grant or revoke; only the partner's own accounts (or an administrator) may."""
    try:
        wanted = FiguresConsentCreate.model_validate(
            {"partner_id": partner_id, "vendor": vendor, "granted": granted}
        )
    except ValidationError as exc:
        raise ProgramError(str(exc.errors()[0]["msg"]).removeprefix("Value error, ")) from None
    actor = ensure_side(
        session, actor, partner_id=wanted.partner_id, vendor=wanted.vendor, side=SIDE_PARTNER
    )
    if session.get(Partner, wanted.partner_id) is None:
        raise ProgramError("There is no such partner.")
    row = session.get(FiguresConsent, (wanted.partner_id, wanted.vendor))
    if row is not None and row.granted == wanted.granted:
        return FiguresConsentPublic.model_validate(row, from_attributes=True)  # nothing changes
    before = _audit_fields(row) if row is not None else {}
    if row is None:
        row = FiguresConsent(partner_id=wanted.partner_id, vendor=wanted.vendor)
    row.granted, row.changed_at = wanted.granted, utc_now()
    session.add(row)
    session.flush()
    record_change(
        session=session,
        actor=actor,
        entity_type=ENTITY,
        entity_id=f"{wanted.partner_id}:{wanted.vendor}",
        action="grant" if wanted.granted else "revoke",
        before=before,
        after=_audit_fields(row),
    )
    return FiguresConsentPublic.model_validate(row, from_attributes=True)


def grant_figures_consent(
    *, session: Session, actor: AccountPublic | None, partner_id: int, vendor: str
) -> FiguresConsentPublic:
    return set_figures_consent(
        session=session, actor=actor, partner_id=partner_id, vendor=vendor, granted=True
    )


def revoke_figures_consent(
    *, session: Session, actor: AccountPublic | None, partner_id: int, vendor: str
) -> FiguresConsentPublic:
    return set_figures_consent(
        session=session, actor=actor, partner_id=partner_id, vendor=vendor, granted=False
    )
