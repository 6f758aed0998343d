"""A deterministic, realistic demo directory: partners in real US places, shaped like the channel.

Same seed, same size and same ``today`` give the same directory, row for row. Partners sit in
real ZIP codes (weighted towards cities with many ZIPs, so Houston or Chicago get many and a
one-ZIP town few), are expert in 1–3 technology domains, proficient in a few more and
foundational in some; business services are often delivered through a named ally. Their
certifications come from the catalogue and mostly back their claims, but about 15% of
partners over-claim. ``core.demo.programs`` puts most partners in the programs of the
vendors they are certified by, with figures consents; ``core.demo.leads`` adds three years
of leads and yearly figures, and ``core.demo.searches`` anonymous searches.

Rows go in with SQLAlchemy Core executemany in chunks of 50,000 partners, so a million
partners take minutes and bounded memory. Each chunk is one unit of work (the data version
moves once per chunk, as readers can see each committed chunk) with one summary audit
event per kind of entity it wrote, not one per row. Random numbers come from NumPy generators keyed
by (seed, stream, chunk), so the partners are the same with or without activity.

This module writes; the rows come from ``core.demo.profiles`` (with ``core.demo.places``,
``core.demo.words`` and ``core.demo.certifications``), ``core.demo.leads`` and
``core.demo.searches``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from time import perf_counter
from typing import Any

import numpy as np
from sqlalchemy import Engine, bindparam, delete, insert, update
from sqlmodel import Session, SQLModel

from core import models as m
from core.audit import record_change
from core.db import is_directory_empty, session_scope
from core.demo.campaign_leads import unassigned_campaign_leads
from core.demo.campaigns import CampaignBook, demo_campaigns
from core.demo.certifications import catalogue
from core.demo.deals import DealWriter
from core.demo.funds import FundWriter
from core.demo.leads import ActivityWriter
from core.demo.members import ChunkMembers
from core.demo.places import DemoPlaces, demo_places
from core.demo.profiles import generate_chunk
from core.demo.programs import DEMO_VENDORS, program_rows
from core.demo.searches import write_search_events
from core.demo.words import ally_pool
from core.directory.records import sync_id_sequences
from core.directory.responsiveness import recompute_all
from core.migrations import create_schema_if_empty
from core.tables import rows_changed, table_of
from core.taxonomy import get_taxonomy

CHUNK = 50_000
ACTOR_LABEL = "demo generator"


@dataclass(frozen=True)
class SeedSummary:
    partners: int
    locations: int
    certifications: int
    leads: int
    seconds: float
    search_events: int = 0
    campaigns: int = 0
    funds: int = 0
    deals: int = 0


def _insert(
    session: Session, model: type[SQLModel], rows: list[dict[str, Any]], batch: int = 20_000
) -> None:
    # Through the session, not its connection: the unit of work must see these inserts.
    for start in range(0, len(rows), batch):
        session.execute(insert(table_of(model)), rows[start : start + batch])


def _audit(
    session: Session, entity_type: str, entity_id: str, action: str, counts: dict[str, int]
) -> None:
    """One event for many rows: how many rows of each table were written ("demo_seed") or
    deleted ("demo_clear")."""
    zero = dict.fromkeys(counts, 0)
    record_change(
        session=session,
        actor=None,
        actor_label=ACTOR_LABEL,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        before=counts if action == "demo_clear" else zero,
        after=zero if action == "demo_clear" else counts,
    )


def _clear_directory(engine: Engine) -> None:
    """Delete the directory and its activity. Accounts stay, but partner accounts lose their
    organisation and are deactivated, because their partner no longer exists."""
    with session_scope(engine) as session:
        accounts = table_of(m.Account)
        orphaned = session.execute(
            update(accounts)
            .where(accounts.c.partner_id.is_not(None))
            .values(partner_id=None, is_active=False)
        )
        if rows_changed(orphaned):
            active = {"partner accounts": rows_changed(orphaned)}
            _audit(session, "account", "partner accounts", "demo_clear", active)
        deleted: dict[str, int] = {}
        for model in (
            m.LeadStatusChange,
            m.Lead,
            m.FundRequest,
            m.DealRegistration,
            m.Campaign,  # after the leads and funds that name campaigns
            m.PartnerYearFigures,
            m.FiguresConsent,
            m.ProgramMembership,
            m.PartnerCertification,
            m.PartnerCompetency,
            m.PartnerLocation,
            m.SearchEvent,
            m.Partner,
        ):
            table = table_of(model)
            deleted[table.name] = rows_changed(session.execute(delete(table)))
        _audit(session, "partner", "all", "demo_clear", deleted)
        # Each kind of entity that lost rows gets its own summary event.
        for entity, tables in (
            ("lead", ("lead", "lead_status_change")),
            ("program_membership", ("program_membership",)),
            ("figures_consent", ("figures_consent",)),
            ("campaign", ("campaign",)),
            ("fund_request", ("fund_request",)),
            ("deal_registration", ("deal_registration",)),
        ):
            if any(deleted[t] for t in tables):
                _audit(session, entity, "all", "demo_clear", {t: deleted[t] for t in tables})


def seed_demo_directory(
    *,
    engine: Engine,
    partners: int,
    seed: int = 42,
    with_activity: bool = True,
    progress: Callable[[float, str], None] | None = None,
    replace: bool = False,
    today: date | None = None,
) -> SeedSummary:
    """Fill the directory with ``partners`` generated partners (and, by default, activity).

    Refuses (ValueError) when the directory already has partners, unless ``replace``.
    ``today`` anchors every date (default: today in UTC), so tests can pin it.
    """
    if partners < 0:
        raise ValueError("the number of partners cannot be negative")
    started = perf_counter()
    create_schema_if_empty(engine)  # a new demo database; one behind is refused, not migrated
    with Session(engine) as session:  # a read: no unit of work needed
        empty = is_directory_empty(session)
    if not empty:
        if not replace:
            raise ValueError("the directory already has partners; use replace to start over")
        _clear_directory(engine)
    now = datetime.combine(today or datetime.now(UTC).date(), time(), tzinfo=UTC)
    places, cat = demo_places(), catalogue()
    services = get_taxonomy().service_keys
    ally_pools = {
        s: ally_pool(np.random.default_rng([seed, 3, k]), s) for k, s in enumerate(services)
    }
    book = demo_campaigns(seed=seed, now=now, partners=partners)
    activity = ActivityWriter(seed=seed, now=now, book=book) if with_activity else None
    funds = FundWriter(seed=seed, now=now, book=book, partners=partners)
    deals = DealWriter(seed=seed, now=now, conflict_vendor=DEMO_VENDORS[0])
    taken: set[str] = set()
    totals = dict.fromkeys(("locations", "certifications", "leads", "funds", "deals"), 0)
    for chunk_no, first in enumerate(range(0, partners, CHUNK)):
        n = min(CHUNK, partners - first)
        chunk = generate_chunk(
            rng=np.random.default_rng([seed, 0, chunk_no]),
            first_id=first + 1,
            n=n,
            places=places,
            cat=cat,
            ally_pools=ally_pools,
            taken=taken,
            now=now,
        )
        with session_scope(engine) as session:
            if chunk_no == 0:  # before any fund or lead that names a campaign
                _insert(session, m.Campaign, list(book.rows))
                _audit(session, "campaign", "all", "demo_seed", {"campaign": len(book.rows)})
            _insert(session, m.Partner, chunk.partners)
            _insert(session, m.PartnerLocation, chunk.locations)
            _insert(session, m.PartnerCompetency, chunk.competencies)
            _insert(session, m.PartnerCertification, chunk.certifications)
            ids = f"{first + 1}-{first + n}"
            written = {
                "partner": n,
                "partner_location": len(chunk.locations),
                "partner_competency": len(chunk.competencies),
                "partner_certification": len(chunk.certifications),
            }
            _audit(session, "partner", ids, "demo_seed", written)
            programs = program_rows(
                seed=seed,
                chunk_no=chunk_no,
                ids=np.arange(first + 1, first + n + 1, dtype=np.int64),
                certifications=chunk.certifications,
                now=now,
            )
            _insert(session, m.ProgramMembership, programs.memberships)
            _insert(session, m.FiguresConsent, programs.consents)
            memberships = {"program_membership": len(programs.memberships)}
            _audit(session, "program_membership", ids, "demo_seed", memberships)
            consents = {"figures_consent": len(programs.consents)}
            _audit(session, "figures_consent", ids, "demo_seed", consents)
            members = ChunkMembers.build(
                memberships=programs.memberships,
                locations=chunk.locations,
                showcase=programs.showcase,
            )
            for model, rows, key in (
                (m.FundRequest, funds.chunk(chunk_no=chunk_no, n=n, members=members), "funds"),
                (m.DealRegistration, deals.chunk(chunk_no=chunk_no, members=members), "deals"),
            ):
                _insert(session, model, rows)
                name = table_of(model).name
                _audit(session, name, f"partners {ids}", "demo_seed", {name: len(rows)})
                totals[key] += len(rows)
            if activity is not None and chunk.facts is not None:
                # A Session executes the writer's Core inserts just as a connection would.
                leads = activity.write_chunk(
                    connection=session, facts=chunk.facts, chunk_no=chunk_no, members=members
                )
                if leads:
                    _audit(session, "lead", f"partners {ids}", "demo_seed", {"lead": leads})
                totals["leads"] += leads
        totals["locations"] += len(chunk.locations)
        totals["certifications"] += len(chunk.certifications)
        if progress is not None:
            progress((first + n) / partners, f"Created {first + n:,} of {partners:,} partners")
    events = 0
    with session_scope(engine) as session:
        if partners:
            _settle_campaigns(session, book, funds.committed)
        if activity is not None:
            if partners:
                totals["leads"] += _unassigned_leads(session, activity, book, places)
            events = write_search_events(connection=session, places=places, activity=activity)
        tables = [table_of(model) for model in (m.Partner, m.Lead, m.Campaign)]
        sync_id_sequences(session=session, tables=tables)
    if activity is not None and partners:
        # Responsiveness is there from the first start, not an hour later with the worker:
        # as of now (or of the pinned day's midnight, so a pinned seed stays reproducible).
        with session_scope(engine) as session:
            moment = now if today else datetime.now(UTC)
            recompute_all(session=session, now=moment)
            session.commit()
    if progress is not None:
        progress(1.0, f"Demo directory ready: {partners:,} partners")
    return SeedSummary(
        partners=partners,
        locations=totals["locations"],
        certifications=totals["certifications"],
        leads=totals["leads"],
        seconds=round(perf_counter() - started, 2),
        search_events=events,
        campaigns=len(book.rows) if partners else 0,
        funds=totals["funds"],
        deals=totals["deals"],
    )


def _settle_campaigns(session: Session, book: CampaignBook, committed: dict[int, float]) -> None:
    """What the funds of every chunk hold of each campaign's budget, in one executemany."""
    table = table_of(m.Campaign)
    rows = [{"cid": c.id, "held": round(committed.get(c.id, 0.0), 2)} for c in book.campaigns]
    statement = update(table).where(table.c.id == bindparam("cid"))
    session.execute(statement.values(committed_usd=bindparam("held")), rows)
    _audit(session, "campaign", "all", "demo_seed", {"committed_usd": len(rows)})


def _unassigned_leads(
    session: Session, activity: ActivityWriter, book: CampaignBook, places: DemoPlaces
) -> int:
    """A few fresh responses to the demo vendors' campaigns, for the vendors to assign."""
    leads, changes = unassigned_campaign_leads(
        seed=activity.seed,
        now=activity.now,
        book=book,
        vendors=DEMO_VENDORS,
        places=places,
        first_id=activity.next_lead_id,
    )
    activity.next_lead_id += len(leads)
    _insert(session, m.Lead, leads)
    _insert(session, m.LeadStatusChange, changes)
    if leads:
        _audit(session, "lead", "unassigned", "demo_seed", {"lead": len(leads)})
    return len(leads)
