"""Every write service in core, as a case for tests/integration/test_unit_of_work.py.

Each case prepares what its write needs (in units of work of their own) and returns the write
itself, run the way the app runs it: services that take a session in ``session_scope``,
those that take an engine (import, demo data) as they are. ``event`` is the audit event the
write must stage; ``bumps`` how often the data version must move (once per unit of work that
changed directory data, 0 for leads and accounts).

Found with: grep -rn "record_change\\|session.add\\|session.execute\\|\\.execute(" core/
(write side, demo data, demand log). The demand log and sign-in bookkeeping are exempt from
auditing and have their own test.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from core.accounts import admin as accounts_admin
from core.accounts.errors import SignInError
from core.accounts.records import change_password, create_account
from core.accounts.sign_in import authenticate
from core.db import session_scope
from core.demo.accounts import create_demo_accounts
from core.demo.generator import seed_demo_directory
from core.directory.certifications import (
    review_certification,
    submit_certification,
    withdraw_certification,
)
from core.directory.profiles import load_profile_for_edit, save_profile
from core.directory.records import create_partner
from core.interchange.importer import import_partners_csv
from core.leads.campaign_leads import assign_lead, import_campaign_leads
from core.leads.contact_requests import send_contact_request
from core.leads.feedback import record_contact_answer
from core.leads.lifecycle import (
    change_lead_status,
    submit_contact_request,
    submit_team_contact_request,
)
from core.models import CertificationInput, ContactRequest, PartnerUpdate, utc_now
from core.notifications.tokens import issue_token
from core.notifications.unsubscribe import unsubscribe, unsubscribe_url
from core.programs.answers import (
    accept_invitation,
    approve_request,
    change_tier,
    decline_membership,
    end_membership,
)
from core.programs.consent import grant_figures_consent, revoke_figures_consent
from core.programs.deals import approve_deal, deny_deal, register_deal, withdraw_deal
from core.programs.memberships import invite_partner, request_membership
from core.settings import get_settings
from tests.integration.programs import fund_cases
from tests.integration.worlds import PASSWORD, World, in_austin

Write = Callable[[], Any]
NEW_PASSWORD = "a new secret, long enough"
REQUEST = ContactRequest(
    contact_name="Dana Lee",
    contact_email="dana@example.com",
    company_size="11-50",
    needs=["networking"],
    message="Wi-Fi for three offices",
)


@dataclass(frozen=True)
class WriteService:
    name: str
    prepare: Callable[[World], Write]
    event: tuple[str, str]  # (entity_type, action)
    bumps: int = 0


def in_scope(world: World, write: Callable[[Session], Any]) -> Write:
    def run() -> Any:
        with session_scope(world.engine) as session:
            return write(session)

    return run


def sign_in(world: World, password: str, now: datetime | None = None) -> None:
    """One attempt as partner1; a failure is what some cases want, so it is swallowed."""
    with contextlib.suppress(SignInError), session_scope(world.engine) as session:
        authenticate(session=session, username="partner1", password=password, now=now or utc_now())


def lock_partner1(world: World) -> None:
    for _ in range(get_settings().max_failed_sign_ins):
        sign_in(world, "wrong password")


def submit_cert(world: World) -> int:
    cert = CertificationInput(
        certification_key="cisco-ccna",
        obtained_on=date.today() - timedelta(days=30),
        expires_on=date.today() + timedelta(days=700),
    )
    with session_scope(world.engine) as session:
        view = submit_certification(
            session=session, actor=world.partner_a, partner_id=world.a, cert=cert
        )
    return view.id


def new_lead(world: World) -> int:
    with session_scope(world.engine) as session:
        return int(submit_contact_request(session=session, partner_id=world.a, request=REQUEST).id)


def _save(world: World, changes: PartnerUpdate) -> Write:
    def write(session: Session) -> Any:
        profile = load_profile_for_edit(session=session, actor=world.partner_a, partner_id=world.a)
        return save_profile(
            session=session,
            actor=world.partner_a,
            partner_id=world.a,
            expected_version=profile.version,
            changes=changes,
        )

    return in_scope(world, write)


def _review(approve: bool) -> Callable[[World], Write]:
    def prepare(world: World) -> Write:
        cert_id = submit_cert(world)
        return in_scope(
            world,
            lambda s: review_certification(
                session=s, actor=world.admin, certification_id=cert_id, approve=approve
            ),
        )

    return prepare


def _withdraw(world: World) -> Write:
    cert_id = submit_cert(world)
    return in_scope(
        world,
        lambda s: withdraw_certification(
            session=s, actor=world.partner_a, certification_id=cert_id
        ),
    )


def _activate(world: World) -> Write:
    in_scope(world, _set_active(world, False))()
    return in_scope(world, _set_active(world, True))


def _set_active(world: World, active: bool) -> Callable[[Session], Any]:
    return lambda s: accounts_admin.set_account_active(
        session=s, actor=world.admin, account_id=world.partner_b.id, active=active
    )


def _unlock(world: World) -> Write:
    lock_partner1(world)
    return in_scope(
        world,
        lambda s: accounts_admin.unlock_account(
            session=s, actor=world.admin, account_id=world.partner_a.id
        ),
    )


def _last_failed_sign_in(world: World) -> Write:
    for _ in range(get_settings().max_failed_sign_ins - 1):
        sign_in(world, "wrong password")
    return lambda: sign_in(world, "wrong password")


def _sign_in_after_lockout(world: World) -> Write:
    lock_partner1(world)
    later = utc_now() + timedelta(minutes=get_settings().lockout_minutes, seconds=1)
    return lambda: sign_in(world, PASSWORD, now=later)


def _change_status(world: World) -> Write:
    lead_id = new_lead(world)
    return in_scope(
        world,
        lambda s: change_lead_status(
            session=s, actor=world.partner_a, lead_id=lead_id, to_status="engaged"
        ),
    )


def _send_form(world: World) -> Write:
    def write(session: Session) -> Any:
        outcome = send_contact_request(
            session=session,
            partner_ids=[world.a],
            team=False,
            values=REQUEST.model_dump(),  # the form's fields are the request's
            visitor_address="203.0.113.7",
            session_id="write-services",
            now=utc_now(),
            limit=3,
        )
        assert outcome.sent, outcome

    return in_scope(world, write)


def _merge_request(world: World) -> Write:
    _send_form(world)()  # the first request; the write is the identical second one

    def write(session: Session) -> Any:
        outcome = send_contact_request(
            session=session, partner_ids=[world.a], team=False,
            values=REQUEST.model_dump() | {"message": "And two laptops"},
            visitor_address="198.51.100.1", session_id="merge", now=utc_now(), limit=3,
        )  # fmt: skip
        assert outcome.merged, outcome

    return in_scope(world, write)


def _answer_followup(world: World) -> Write:
    lead_id = new_lead(world)
    with session_scope(world.engine) as session:
        raw = issue_token(session=session, purpose="contacted", lead_id=lead_id,
                          valid_for=timedelta(days=30))  # fmt: skip
    return in_scope(
        world, lambda s: record_contact_answer(session=s, raw=raw, answer="yes", now=utc_now())
    )


def _unsubscribe(world: World) -> Write:
    with session_scope(world.engine) as session:
        url = unsubscribe_url(session=session, email="dana@example.com")
    raw = url.rsplit("t=", 1)[1]
    return in_scope(world, lambda s: unsubscribe(session=s, raw=raw, now=utc_now()))


def _import(world: World) -> Write:
    csv_text = "name,hq_zip\nImported Co,78701\n"
    return lambda: import_partners_csv(engine=world.engine, source=io.StringIO(csv_text))


def _seed(world: World) -> Write:
    return lambda: seed_demo_directory(
        engine=world.engine, partners=3, with_activity=False, replace=True
    )


def _membership(world: World, *, invited: bool, active: bool = False) -> tuple[int, int]:
    """Partner A's membership in the vendor's (Cisco's) program: (id, version)."""
    with session_scope(world.engine) as session:
        if invited:
            row = invite_partner(
                session=session, actor=world.vendor, partner_id=world.a, vendor="Cisco"
            )
        else:
            row = request_membership(
                session=session, actor=world.partner_a, partner_id=world.a, vendor="Cisco"
            )
    if active:
        with session_scope(world.engine) as session:
            row = accept_invitation(
                session=session, actor=world.partner_a, membership_id=row.id,
                seen_version=row.version,
            )  # fmt: skip
    return row.id, row.version


def _program_step(
    step: Callable[..., Any], *, actor: str, invited: bool, active: bool = False, **extra: Any
) -> Callable[[World], Write]:
    def prepare(world: World) -> Write:
        membership_id, version = _membership(world, invited=invited, active=active)
        who = world.vendor if actor == "vendor" else world.partner_a
        return in_scope(
            world,
            lambda s: step(
                session=s, actor=who, membership_id=membership_id, seen_version=version, **extra
            ),
        )

    return prepare


def _consent(set_consent: Callable[..., Any], *, granted_first: bool) -> Callable[[World], Write]:
    def prepare(world: World) -> Write:
        if granted_first:
            with session_scope(world.engine) as session:
                grant_figures_consent(
                    session=session, actor=world.partner_a, partner_id=world.a, vendor="Cisco"
                )
        return in_scope(
            world,
            lambda s: set_consent(
                session=s, actor=world.partner_a, partner_id=world.a, vendor="Cisco"
            ),
        )

    return prepare


CAMPAIGN_CSV = (
    "company,contact_name,contact_email,zip,company_size,needs\n"
    "Acme Inc,Dana Lee,dana@example.com,78701,11-50,networking\n"
)


def _deal(world: World) -> dict[str, Any]:
    """A registration by partner A, which ``_registered`` makes an active Cisco member."""
    return {
        "partner_id": world.a, "vendor": "Cisco", "customer_company": "Acme Inc",
        "zip_code": "78701", "product_lines": ["Networking"], "value_usd": 1000,
        "expected_close_on": date.today() + timedelta(days=30),
    }  # fmt: skip


def _registered(world: World) -> tuple[int, int]:
    _membership(world, invited=True, active=True)
    with session_scope(world.engine) as session:
        row = register_deal(session=session, actor=world.partner_a, data=_deal(world))
    return row.id, row.version


def _deal_step(step: Callable[..., Any], *, actor: str, **extra: Any) -> Callable[[World], Write]:
    def prepare(world: World) -> Write:
        deal_id, version = _registered(world)
        who = world.vendor if actor == "vendor" else world.partner_a
        return in_scope(
            world,
            lambda s: step(session=s, actor=who, deal_id=deal_id, seen_version=version, **extra),
        )

    return prepare


def _register(world: World) -> Write:
    _membership(world, invited=True, active=True)
    return in_scope(
        world, lambda s: register_deal(session=s, actor=world.partner_a, data=_deal(world))
    )


def _import_leads(world: World) -> Write:
    return in_scope(
        world,
        lambda s: import_campaign_leads(
            session=s, actor=world.vendor, vendor="Cisco", csv_text=CAMPAIGN_CSV
        ),
    )


def _assign(world: World) -> Write:
    _membership(world, invited=True, active=True)
    report = _import_leads(world)()
    (lead_id,) = report.created
    return in_scope(
        world,
        lambda s: assign_lead(session=s, actor=world.vendor, lead_id=lead_id, partner_id=world.a),
    )


SERVICES = [
    # directory: partner, partner_location, partner_competency, partner_certification
    WriteService(
        "create_partner",
        lambda w: in_scope(
            w, lambda s: create_partner(session=s, partner=in_austin("Gamma"), actor_label="t")
        ),
        ("partner", "created"),
        bumps=1,
    ),
    WriteService(
        "save_profile",
        lambda w: _save(w, PartnerUpdate(description="New words", competencies={"cloud": 2})),
        ("partner", "update"),
        bumps=1,
    ),
    WriteService("confirm_profile", lambda w: _save(w, PartnerUpdate()), ("partner", "confirm"), 1),
    WriteService(
        "submit_certification", lambda w: lambda: submit_cert(w), ("certification", "submit"), 1
    ),
    WriteService("withdraw_certification", _withdraw, ("certification", "withdraw"), 1),
    WriteService("approve_certification", _review(True), ("certification", "approve"), 1),
    WriteService("reject_certification", _review(False), ("certification", "reject"), 1),
    WriteService("import_partners_csv", _import, ("partner", "created"), bumps=1),
    # two units of work: clearing the directory on replace, then one chunk of partners
    WriteService("seed_demo_directory", _seed, ("partner", "demo_seed"), bumps=2),
    # accounts
    WriteService(
        "create_demo_accounts",
        lambda w: lambda: create_demo_accounts(engine=w.engine),
        ("account", "create"),
    ),
    WriteService(
        "create_account",
        lambda w: in_scope(
            w,
            lambda s: create_account(
                session=s, actor=w.admin, username="admin2", password=PASSWORD, role="admin"
            ),
        ),
        ("account", "create"),
    ),
    WriteService(
        "change_password",
        lambda w: in_scope(
            w,
            lambda s: change_password(
                session=s, actor=w.partner_a, current_password=PASSWORD, new_password=NEW_PASSWORD
            ),
        ),
        ("account", "change_password"),
    ),
    WriteService(
        "reset_password",
        lambda w: in_scope(
            w,
            lambda s: accounts_admin.reset_password(
                session=s, actor=w.admin, account_id=w.partner_a.id, new_password=NEW_PASSWORD
            ),
        ),
        ("account", "reset_password"),
    ),
    WriteService(
        "deactivate_account",
        lambda w: in_scope(w, _set_active(w, False)),
        ("account", "deactivate"),
    ),
    WriteService("activate_account", _activate, ("account", "activate")),
    WriteService("unlock_account", _unlock, ("account", "unlock")),
    WriteService(
        "update_account",
        lambda w: in_scope(
            w,
            lambda s: accounts_admin.update_account(
                session=s, actor=w.partner_a, account_id=w.partner_a.id, display_name="Pat"
            ),
        ),
        ("account", "update"),
    ),
    WriteService("sign_in_that_locks", _last_failed_sign_in, ("account", "lock")),
    # Issue 14: the expired lock is cleared inside the one atomic count (no event of its own);
    # the sign-in that follows it has its event.
    WriteService("sign_in_after_lockout", _sign_in_after_lockout, ("account", "sign_in")),
    # leads
    WriteService("submit_contact_request", lambda w: lambda: new_lead(w), ("lead", "create")),
    WriteService(
        "submit_team_contact_request",
        lambda w: in_scope(
            w,
            lambda s: submit_team_contact_request(
                session=s, partner_ids=[w.a, w.b], request=REQUEST
            ),
        ),
        ("lead", "create"),
    ),
    WriteService("change_lead_status", _change_status, ("lead", "status_change")),
    WriteService("send_contact_request", _send_form, ("lead", "create")),
    WriteService("merge_contact_request", _merge_request, ("lead", "merge_request")),
    WriteService("record_contact_answer", _answer_followup, ("lead", "customer_answer")),
    WriteService("unsubscribe", _unsubscribe, ("email_suppression", "unsubscribe")),
    # vendor programs: memberships and figures consent (not directory data: no bump)
    WriteService(
        "request_membership",
        lambda w: in_scope(
            w,
            lambda s: request_membership(
                session=s, actor=w.partner_a, partner_id=w.a, vendor="Cisco"
            ),
        ),
        ("program_membership", "request"),
    ),
    WriteService(
        "invite_partner",
        lambda w: in_scope(
            w,
            lambda s: invite_partner(session=s, actor=w.vendor, partner_id=w.a, vendor="Cisco"),
        ),
        ("program_membership", "invite"),
    ),
    WriteService(
        "approve_request",
        _program_step(approve_request, actor="vendor", invited=False, tier="Premier"),
        ("program_membership", "approve"),
    ),
    WriteService(
        "accept_invitation",
        _program_step(accept_invitation, actor="partner", invited=True),
        ("program_membership", "accept"),
    ),
    WriteService(
        "decline_membership",
        _program_step(decline_membership, actor="partner", invited=True),
        ("program_membership", "decline"),
    ),
    WriteService(
        "change_tier",
        _program_step(change_tier, actor="vendor", invited=True, active=True, tier="Gold"),
        ("program_membership", "change_tier"),
    ),
    WriteService(
        "end_membership",
        _program_step(end_membership, actor="partner", invited=True, active=True),
        ("program_membership", "end"),
    ),
    WriteService(
        "grant_figures_consent",
        _consent(grant_figures_consent, granted_first=False),
        ("figures_consent", "grant"),
    ),
    WriteService(
        "revoke_figures_consent",
        _consent(revoke_figures_consent, granted_first=True),
        ("figures_consent", "revoke"),
    ),
    # co-marketing campaigns and market development funds (not directory data: no bump)
    WriteService("create_campaign", fund_cases.create_campaign_case, ("campaign", "create")),
    WriteService("update_campaign", fund_cases.update_campaign_case, ("campaign", "update")),
    WriteService("request_funds", fund_cases.request_funds_case, ("fund_request", "request")),
    WriteService("allocate_funds", fund_cases.allocate_funds_case, ("fund_request", "allocate")),
    WriteService("approve_funds", fund_cases.approve_funds_case, ("fund_request", "approve")),
    WriteService("reject_funds", fund_cases.reject_funds_case, ("fund_request", "reject")),
    WriteService("claim_funds", fund_cases.claim_funds_case, ("fund_request", "claim")),
    WriteService("pay_claim", fund_cases.pay_claim_case, ("fund_request", "pay")),
    WriteService("return_claim", fund_cases.return_claim_case, ("fund_request", "return")),
    # deal registration and campaign leads (helper "deals"): no directory data, no bump
    WriteService("register_deal", _register, ("deal_registration", "register")),
    WriteService(
        "approve_deal",
        _deal_step(approve_deal, actor="vendor", protection_days=30),
        ("deal_registration", "approve"),
    ),
    WriteService(
        "deny_deal",
        _deal_step(deny_deal, actor="vendor", note="Another partner has it"),
        ("deal_registration", "deny"),
    ),
    WriteService(
        "withdraw_deal",
        _deal_step(withdraw_deal, actor="partner"),
        ("deal_registration", "withdraw"),
    ),
    WriteService("import_campaign_leads", _import_leads, ("lead", "import")),
    WriteService("assign_lead", _assign, ("lead", "assign")),
]
