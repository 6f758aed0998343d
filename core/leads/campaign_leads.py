"""A vendor's campaign leads: responses loaded in bulk from CSV (core.leads.campaign_csv)
and given to active members of its program.

All-or-nothing by default: one bad row and nothing is written, every bad row is named.
Each lead written gets its own audit event ("import"); an assignment one of its own
("assign"). Only the vendor's own accounts, administrators and the command line (which runs
with the database's rights, like every ``python -m core`` command) do either.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import CursorResult, update
from sqlmodel import Session, col, select

from core.access import PermissionDenied, fresh_actor
from core.audit import record_change
from core.confidentiality import active_member_ids
from core.interchange.format import RowError
from core.leads.campaign_csv import parse_campaign_csv
from core.leads.lifecycle import LeadError, detached, lead_audit_fields
from core.models import (
    OFFER_OPEN,
    OFFER_WITHDRAWN,
    ROLE_ADMIN,
    ROLE_VENDOR,
    AccountPublic,
    Campaign,
    Lead,
    LeadOffer,
    Partner,
    RoutingEvent,
    utc_now,
)
from core.taxonomy import get_taxonomy


@dataclass
class CampaignLeadImport:
    """What an import did: the leads it created and every problem, by line."""

    created: list[int] = field(default_factory=list)  # lead ids, in file order
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, sentence)
    rows: int = 0  # data rows read

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        bad = len({line for line, _ in self.errors})
        if not self.created and self.errors:
            return f"Nothing was imported: {bad} of {self.rows} rows have problems."
        text = f"Imported {len(self.created)} of {self.rows} leads."
        return text + (f" {bad} rows were rejected." if bad else "")


def _ensure_vendor_side(
    session: Session, actor: AccountPublic | None, vendor: str, cli_operator: str | None
) -> AccountPublic | None:
    """The fresh actor if it may act for ``vendor``; None for the command line."""
    if actor is None and cli_operator:
        return None
    current = fresh_actor(session, actor)
    if current.role == ROLE_ADMIN or (
        current.role == ROLE_VENDOR and current.vendor_name == vendor
    ):
        return current
    raise PermissionDenied(f"Only {vendor}'s own accounts may load and assign its leads.")


def _member(session: Session, vendor: str, partner_id: int) -> int:
    if session.get(Partner, partner_id) is None:
        raise LeadError(f"There is no partner {partner_id}.")
    if not active_member_ids(session, vendor, [partner_id]):
        raise LeadError(
            f"Partner {partner_id} is not an active member of the {vendor} program: "
            "campaign leads go to active members only."
        )
    return partner_id


def _campaign_id(session: Session, vendor: str, campaign_key: str | None) -> int | None:
    if not campaign_key:
        return None
    key = campaign_key.strip().lower()
    found = session.exec(
        select(Campaign.id).where(Campaign.vendor == vendor, Campaign.key == key)
    ).first()
    if found is None:
        raise LeadError(f"{vendor} has no campaign {key!r}.")
    return int(found)


def import_campaign_leads(
    *,
    session: Session,
    actor: AccountPublic | None,
    vendor: str,
    csv_text: str,
    campaign_key: str | None = None,
    assign_to: int | None = None,
    all_or_nothing: bool = True,
    cli_operator: str | None = None,
) -> CampaignLeadImport:
    """Validate every row, then create one new lead per good row (see the module doc).

    ``assign_to``: an active member that gets every lead; None leaves them unassigned for
    ``assign_lead``. ``cli_operator`` (with ``actor=None``): the command line, named so in
    the audit trail. Raises LeadError / PermissionDenied for problems that are not rows'.
    """
    if vendor not in get_taxonomy().vendors:
        raise LeadError(
            f"Unknown vendor {vendor!r}: vendors come from the certification catalogue."
        )
    current = _ensure_vendor_side(session, actor, vendor, cli_operator)
    campaign_id = _campaign_id(session, vendor, campaign_key)
    partner_id = _member(session, vendor, assign_to) if assign_to is not None else None
    parsed = parse_campaign_csv(csv_text)
    report = CampaignLeadImport(rows=parsed.read, errors=[_pair(e) for e in parsed.errors])
    if parsed.fatal or (parsed.errors and all_or_nothing):
        return report
    now = utc_now()
    source = "co_marketing" if campaign_id is not None else "vendor_referral"
    for _line, data in parsed.rows:
        lead = Lead(
            partner_id=partner_id,
            source=source,
            vendor_name=vendor,
            campaign_id=campaign_id,
            contact_name=data.contact_name,
            contact_email=str(data.contact_email),
            company=data.company,
            zip_code=data.zip,
            company_size=data.company_size,
            needs=list(data.needs),
            status="new",
            created_at=now,
            updated_at=now,
        )
        session.add(lead)
        session.flush()
        record_change(
            session=session, actor=current, actor_label=cli_operator if current is None else None,
            entity_type="lead", entity_id=lead.id or 0, action="import", before={},
            after=lead_audit_fields(lead),
        )  # fmt: skip
        report.created.append(lead.id or 0)
    return report


def _pair(error: RowError) -> tuple[int, str]:
    where = f"{error.column}: " if error.column else ""
    return error.line, f"{where}{error.reason}"


def _withdraw_open_offers(session: Session, lead_id: int, partner_id: int) -> None:
    """A lead the vendor assigns by hand is no longer on offer: its open offers are withdrawn
    (in this transaction, so they free the members' offer caps at once) and the routing
    history says why. Written against the tables, not core.routing, which imports this
    package."""
    now = utc_now()
    withdrawn = session.exec(
        select(LeadOffer.partner_id).where(
            col(LeadOffer.lead_id) == lead_id, col(LeadOffer.status) == OFFER_OPEN
        )
    ).all()
    if not withdrawn:
        return
    session.execute(
        update(LeadOffer)
        .where(col(LeadOffer.lead_id) == lead_id, col(LeadOffer.status) == OFFER_OPEN)
        .values(status=OFFER_WITHDRAWN, responded_at=now)
        .execution_options(synchronize_session=False)
    )
    for offered_to in withdrawn:
        session.add(
            RoutingEvent(
                lead_id=lead_id, at=now, kind="withdrawn", partner_id=offered_to,
                detail=f"the vendor assigned the lead by hand (to partner {partner_id})",
            )
        )  # fmt: skip


def assign_lead(
    *, session: Session, actor: AccountPublic | None, lead_id: int, partner_id: int
) -> Lead:
    """The vendor gives one of its leads that is still new (unassigned, or given to another
    member that has not answered it) to an active member of its program."""
    row = session.get(Lead, lead_id, populate_existing=True)
    if row is None:
        raise LeadError("That lead does not exist.")
    if not row.vendor_name:
        # A directory lead was the visitor's own choice of partner; nobody reassigns it.
        raise PermissionDenied("Only a vendor's own leads can be assigned.")
    current = _ensure_vendor_side(session, actor, row.vendor_name, None)
    if row.status != "new":
        raise LeadError("The partner has already worked on this lead: it cannot be reassigned.")
    if row.partner_id == partner_id:
        raise LeadError("This lead is already with that partner.")
    _member(session, row.vendor_name, partner_id)
    before = lead_audit_fields(row)
    previous = row.partner_id
    # Compare-and-swap on (status, partner): two vendor users assigning at once, or the
    # partner answering meanwhile, cannot both win.
    same_partner = (
        col(Lead.partner_id).is_(None) if previous is None else col(Lead.partner_id) == previous
    )
    result = session.execute(
        update(Lead)
        .where(col(Lead.id) == lead_id, col(Lead.status) == "new", same_partner)
        .values(partner_id=partner_id, vendor_member=True, updated_at=utc_now())
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)  # what an UPDATE returns; typed as Result
    if result.rowcount != 1:
        raise LeadError("This lead was changed meanwhile. Reload it and try again.")
    session.refresh(row)
    _withdraw_open_offers(session, lead_id, partner_id)
    record_change(
        session=session, actor=current, entity_type="lead", entity_id=lead_id, action="assign",
        before=before, after=lead_audit_fields(row),
    )  # fmt: skip
    return detached(row)
