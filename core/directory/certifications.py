"""Certifications as evidence: partners submit, administrators approve or reject.

A submitted certification waits as ``pending`` and counts as evidence only once an
administrator approved it. Withdrawing is immediate (dropping evidence needs no review).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from core.access import ensure_admin, ensure_can_edit_partner, fresh_actor
from core.audit import record_change, review_notes
from core.models import (
    CERT_APPROVED,
    CERT_PENDING,
    CERT_REJECTED,
    AccountPublic,
    CertificationInput,
    MaxLength,
    Partner,
    PartnerCertification,
    clean_text,
    utc_now,
)
from core.tables import rows_changed
from core.taxonomy import get_taxonomy


class CertificationError(ValueError):
    """A certification request that cannot be accepted; the message is for the user."""


@dataclass(frozen=True)
class CertificationView:
    id: int
    partner_id: int
    certification_key: str
    vendor: str
    name: str
    obtained_on: date
    expires_on: date | None
    status: str
    submitted_at: datetime
    reviewed_at: datetime | None
    review_note: str = ""


@dataclass(frozen=True)
class PendingCertification:
    certification: CertificationView
    partner_name: str
    evidences: dict[str, int]


def _view(row: PartnerCertification, note: str = "") -> CertificationView:
    entry = get_taxonomy().certifications.get(row.certification_key)
    return CertificationView(
        id=row.id or 0,
        partner_id=row.partner_id,
        certification_key=row.certification_key,
        vendor=entry.vendor if entry else "",
        name=entry.name if entry else row.certification_key,
        obtained_on=row.obtained_on,
        expires_on=row.expires_on,
        status=row.status,
        submitted_at=row.submitted_at,
        reviewed_at=row.reviewed_at,
        review_note=note,
    )


def _audit_fields(row: PartnerCertification) -> dict[str, object]:
    return {
        "partner_id": row.partner_id,
        "certification_key": row.certification_key,
        "obtained_on": row.obtained_on,
        "expires_on": row.expires_on,
        "status": row.status,
    }


def partner_certifications(*, session: Session, partner_id: int) -> list[CertificationView]:
    """A partner's certifications of every status, with the reviewer's note if any."""
    rows = session.exec(
        select(PartnerCertification)
        .where(PartnerCertification.partner_id == partner_id)
        .order_by(
            col(PartnerCertification.submitted_at).desc(), col(PartnerCertification.id).desc()
        )
    ).all()
    reviewed = [row.id for row in rows if row.status != CERT_PENDING and row.id is not None]
    notes = review_notes(session=session, certification_ids=reviewed)
    return [_view(row, notes.get(row.id or 0, "")) for row in rows]


def submit_certification(
    *, session: Session, actor: AccountPublic, partner_id: int, cert: CertificationInput
) -> CertificationView:
    """Add a certification to the approval queue of administrators."""
    actor = ensure_can_edit_partner(fresh_actor(session, actor), partner_id)
    cert = CertificationInput.model_validate(cert.model_dump())
    if session.get(Partner, partner_id) is None:
        raise CertificationError(f"There is no partner {partner_id}.")
    today = date.today()
    if cert.obtained_on > today:
        raise CertificationError("The date obtained cannot be in the future.")
    if cert.expires_on is not None and cert.expires_on <= cert.obtained_on:
        raise CertificationError("The expiry date must come after the date obtained.")
    same = session.exec(
        select(PartnerCertification).where(
            PartnerCertification.partner_id == partner_id,
            PartnerCertification.certification_key == cert.certification_key,
            col(PartnerCertification.status).in_((CERT_PENDING, CERT_APPROVED)),
        )
    ).all()
    if any(row.status == CERT_PENDING for row in same):
        raise CertificationError("This certification is already waiting for approval.")
    if any((r.obtained_on, r.expires_on) == (cert.obtained_on, cert.expires_on) for r in same):
        raise CertificationError("This certification with these dates is already approved.")
    row = PartnerCertification(
        partner_id=partner_id,
        certification_key=cert.certification_key,
        obtained_on=cert.obtained_on,
        expires_on=cert.expires_on,
        status=CERT_PENDING,
        submitted_at=utc_now(),
    )
    session.add(row)
    session.flush()
    record_change(
        session=session,
        actor=actor,
        entity_type="certification",
        entity_id=row.id or 0,
        action="submit",
        before={},
        after=_audit_fields(row),
    )
    return _view(row)


def withdraw_certification(
    *, session: Session, actor: AccountPublic, certification_id: int
) -> None:
    """Remove a certification from a profile (pending ones leave the approval queue)."""
    row = session.get(PartnerCertification, certification_id)
    if row is None:
        raise CertificationError("That certification does not exist (any more).")
    actor = ensure_can_edit_partner(fresh_actor(session, actor), row.partner_id)
    before = _audit_fields(row)
    session.delete(row)
    record_change(
        session=session,
        actor=actor,
        entity_type="certification",
        entity_id=certification_id,
        action="withdraw",
        before=before,
        after={},
    )


def review_certification(
    *,
    session: Session,
    actor: AccountPublic,
    certification_id: int,
    approve: bool,
    note: str = "",
) -> CertificationView:
    """Approve (it becomes evidence) or reject a pending certification. Administrators only.

    An approval supersedes an earlier approved entry of the same certification (a renewal).
    """
    actor = ensure_admin(fresh_actor(session, actor))
    note = clean_text(note) or ""
    if len(note) > MaxLength.NOTE:
        raise CertificationError(f"A review note has at most {MaxLength.NOTE} characters.")
    row = session.get(PartnerCertification, certification_id)
    if row is None:
        raise CertificationError("That certification does not exist (any more).")
    if row.status != CERT_PENDING:
        raise CertificationError(f"This certification was already reviewed ({row.status}).")
    before = _audit_fields(row)
    # Compare-and-swap on what the reviewer saw (pending): of two administrators approving
    # and rejecting at the same moment, one wins and the other is told, not both "done".
    changed = session.execute(
        update(PartnerCertification)
        .where(
            col(PartnerCertification.id) == certification_id,
            col(PartnerCertification.status) == CERT_PENDING,
        )
        .values(
            status=CERT_APPROVED if approve else CERT_REJECTED,
            reviewed_at=utc_now(),
            reviewed_by_account_id=actor.id,
        )
        .execution_options(synchronize_session=False)
    )
    if rows_changed(changed) != 1:
        raise CertificationError(
            "This certification was reviewed by someone else meanwhile. Reload to see how."
        )
    session.refresh(row)
    record_change(
        session=session,
        actor=actor,
        entity_type="certification",
        entity_id=certification_id,
        action="approve" if approve else "reject",
        before=before | {"review_note": None},
        after=_audit_fields(row) | {"review_note": note or None},
    )
    if approve:
        older = session.exec(
            select(PartnerCertification).where(
                PartnerCertification.partner_id == row.partner_id,
                PartnerCertification.certification_key == row.certification_key,
                PartnerCertification.status == CERT_APPROVED,
                PartnerCertification.id != row.id,
            )
        ).all()
        for old in older:
            record_change(
                session=session,
                actor=actor,
                entity_type="certification",
                entity_id=old.id or 0,
                action="superseded",
                before=_audit_fields(old),
                after={},
            )
            session.delete(old)
    session.flush()
    return _view(row, note)


def list_pending_certifications(
    *, session: Session, actor: AccountPublic, limit: int = 200, offset: int = 0
) -> list[PendingCertification]:
    """The approval queue, oldest first. Administrators only."""
    ensure_admin(fresh_actor(session, actor))
    rows = session.exec(
        select(PartnerCertification, Partner.name)
        .join(Partner, col(Partner.id) == PartnerCertification.partner_id)
        .where(PartnerCertification.status == CERT_PENDING)
        .order_by(col(PartnerCertification.submitted_at), col(PartnerCertification.id))
        .limit(limit)
        .offset(offset)
    ).all()
    catalogue = get_taxonomy().certifications
    return [
        PendingCertification(
            certification=_view(row),
            partner_name=name,
            evidences=dict(catalogue[row.certification_key].evidences)
            if row.certification_key in catalogue
            else {},
        )
        for row, name in rows
    ]
