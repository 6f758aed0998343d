"""Hand-made partners, leads, figures and searches for the My standing tests.

``NOW`` is Wednesday 25 November 2026, 12:00 UTC; "this year" is the 365 days up to it,
"last year" the 365 before. Rows are written with a plain Session (no unit of work): the
tests set up history, they do not exercise the writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from core.models import (
    CERT_APPROVED,
    FiguresConsent,
    Lead,
    LocationInput,
    PartnerCertification,
    PartnerCreate,
    PartnerYearFigures,
    ProgramMembership,
    SearchEvent,
)
from tests.integration.worlds import World, add_partners, build_world

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LAST_COMPLETED = NOW.year - 1


def austin(name: str, competencies: dict[str, int] | None = None) -> PartnerCreate:
    return PartnerCreate(
        name=name, locations=[LocationInput(zip_code="78701")], competencies=competencies or {}
    )


def standing_world(
    engine: Engine, *, peers: int = 0, peer_breadth: Sequence[int] = ()
) -> tuple[World, list[int]]:
    """Partner A (Austin, TX: South; proficient in networking and security, foundational in
    cloud) and B (New York), then ``peers`` more Austin partners: peer i claims
    ``peer_breadth[i]`` areas at proficient. Everyone Austin has headcount 5 (band 1–9)."""
    world = build_world(
        engine,
        [
            austin("Alpha Networks", {"networking": 2, "security": 2, "cloud": 1}),
            PartnerCreate(name="Beta Secure", locations=[LocationInput(zip_code="10001")]),
        ],
    )
    areas = ["networking", "security", "cloud", "storage_backup", "productivity", "mobile"]
    breadths = list(peer_breadth) + [0] * (peers - len(peer_breadth))
    ids = add_partners(
        engine,
        [austin(f"Peer {i:02d}", dict.fromkeys(areas[:b], 2)) for i, b in enumerate(breadths)],
    )
    set_headcount(engine, [world.a, *ids], 5)
    return world, ids


def set_headcount(engine: Engine, partner_ids: Sequence[int], headcount: int) -> None:
    with Session(engine) as session:
        for pid in partner_ids:
            session.merge(
                PartnerYearFigures(
                    partner_id=pid, year=LAST_COMPLETED, revenue_usd=500_000.0, headcount=headcount
                )
            )
        session.commit()


def add_figures(engine: Engine, partner_id: int, rows: dict[int, tuple[float, int | None]]) -> None:
    with Session(engine) as session:
        for year, (revenue, headcount) in rows.items():
            session.merge(
                PartnerYearFigures(
                    partner_id=partner_id, year=year, revenue_usd=revenue, headcount=headcount
                )
            )
        session.commit()


def share_figures_with(engine: Engine, partner_id: int, vendor: str, *, granted: bool) -> None:
    with Session(engine) as session:
        session.add(
            ProgramMembership(
                partner_id=partner_id, vendor=vendor, status="active", requested_by="partner"
            )
        )
        session.add(FiguresConsent(partner_id=partner_id, vendor=vendor, granted=granted))
        session.commit()


def add_lead(
    engine: Engine,
    partner_id: int,
    *,
    days_ago: float,
    status: str = "new",
    response_hours: float | None = None,
    engaged: bool = False,
) -> None:
    arrived = NOW - timedelta(days=days_ago)
    with Session(engine) as session:
        session.add(
            Lead(
                partner_id=partner_id, contact_name="Pat Customer",
                contact_email="pat@example.com", company_size="11-50", needs=["security"],
                status=status, created_at=arrived, updated_at=arrived,
                first_response_at=(
                    None if response_hours is None else arrived + timedelta(hours=response_hours)
                ),
                engaged_at=arrived + timedelta(days=1) if engaged else None,
            )
        )  # fmt: skip
        session.commit()


def add_certification(
    engine: Engine, partner_id: int, key: str, *, status: str = CERT_APPROVED,
    expires_on: date | None = None,
) -> None:  # fmt: skip
    with Session(engine) as session:
        session.add(
            PartnerCertification(
                partner_id=partner_id, certification_key=key, obtained_on=date(2025, 1, 1),
                expires_on=expires_on, status=status,
            )
        )  # fmt: skip
        session.commit()


def add_searches(
    engine: Engine, *, needs: list[str], state: str, count: int, results: int = 0,
    days_ago: float = 10, kind: str = "search",
) -> None:  # fmt: skip
    with Session(engine) as session:
        for _ in range(count):
            session.add(
                SearchEvent(
                    at=NOW - timedelta(days=days_ago), needs=needs, state=state,
                    result_count=results, kind=kind,
                )
            )  # fmt: skip
        session.commit()
