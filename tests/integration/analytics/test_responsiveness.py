"""The responsiveness summary, computed in the database on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from core.analytics.responsiveness import load_responsiveness, responsiveness_lines
from core.db import read_data_version, session_scope
from core.directory.responsiveness import (
    last_full_run,
    recompute_all,
    recompute_partner,
    refresh_responsiveness,
)
from core.models import PartnerResponsiveness
from tests.integration.analytics.responsiveness_world import (
    NOW,
    STEADY,
    add_leads,
    at,
    responsiveness_world,
)


def test_summary_counts_answers_within_two_business_days_across_the_weekend(
    db_engine: Engine,
) -> None:
    ids = responsiveness_world(db_engine)
    with session_scope(db_engine) as session:
        recompute_all(session=session, now=NOW)
        session.commit()
    with Session(db_engine) as session:
        steady = load_responsiveness(session=session, partner_id=ids["steady"])
        few = load_responsiveness(session=session, partner_id=ids["few"])
        gone = session.get(PartnerResponsiveness, ids["gone"])
    assert steady is not None and few is not None
    assert (steady.leads, steady.answered, steady.within_two_business_days) == (
        STEADY["leads"],
        STEADY["answered"],
        STEADY["within"],
    )
    assert steady.median_response_hours is not None
    assert abs(steady.median_response_hours - STEADY["median"]) < 1e-6
    assert (steady.customers_asked, steady.customers_contacted) == (
        STEADY["asked"],
        STEADY["contacted"],
    )
    assert (few.leads, few.answered, few.within_two_business_days) == (3, 3, 3)
    assert few.median_response_hours is not None
    assert abs(few.median_response_hours - 2.0) < 1e-6  # odd count: the middle one
    assert gone is None  # its leads all left the window: no figures any more


def test_profile_lines_need_five_leads(db_engine: Engine) -> None:
    ids = responsiveness_world(db_engine)
    with session_scope(db_engine) as session:
        recompute_all(session=session, now=NOW)
        session.commit()
    with Session(db_engine) as session:
        steady = load_responsiveness(session=session, partner_id=ids["steady"])
        few = load_responsiveness(session=session, partner_id=ids["few"])
    assert responsiveness_lines(steady)[0] == (
        "Answers 86 % of leads · median first response 3 days · based on 7 leads in the last "
        "12 months."
    )
    assert responsiveness_lines(few) == ["Not enough leads yet to show responsiveness."]
    assert responsiveness_lines(None) == ["Not enough leads yet to show responsiveness."]


def test_data_version_moves_only_when_a_figure_changed(db_engine: Engine) -> None:
    ids = responsiveness_world(db_engine)
    with Session(db_engine) as session:
        before = read_data_version(session)
    with session_scope(db_engine) as session:
        assert recompute_all(session=session, now=NOW) > 0
        session.commit()
    with Session(db_engine) as session:
        after_first = read_data_version(session)
    with session_scope(db_engine) as session:
        assert recompute_all(session=session, now=NOW + timedelta(minutes=1)) == 0
        session.commit()
    with Session(db_engine) as session:
        assert read_data_version(session) == after_first == before + 1
    add_leads(db_engine, ids["few"], [(at(23, 10), 4.0, None)])
    with session_scope(db_engine) as session:
        assert recompute_partner(session=session, partner_id=ids["few"], now=NOW)
        session.commit()
    with Session(db_engine) as session:
        few = load_responsiveness(session=session, partner_id=ids["few"])
        assert few is not None and few.leads == 4
        assert few.median_response_hours is not None
        assert abs(few.median_response_hours - 2.5) < 1e-6  # even count: mean of the middle two
        assert read_data_version(session) == after_first + 1


def test_worker_job_runs_at_most_once_an_hour(db_engine: Engine) -> None:
    responsiveness_world(db_engine)
    assert refresh_responsiveness(db_engine, NOW) > 0
    with Session(db_engine) as session:
        assert last_full_run(session) is not None
    assert refresh_responsiveness(db_engine, NOW + timedelta(minutes=30)) == 0
    with Session(db_engine) as session:
        first = last_full_run(session)
    refresh_responsiveness(db_engine, NOW + timedelta(minutes=61))
    with Session(db_engine) as session:
        later = last_full_run(session)
    assert first is not None and later is not None and later > first
