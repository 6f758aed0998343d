"""The read index loaders turn database rows into the right columns (SQLite and PostgreSQL).

The loaders move work into SQL (packed claimed levels, certification keys grouped per
partner), so these pin down the edge cases the search tests do not reach.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine
from sqlmodel import Session

from core.models import PartnerCertification, PartnerCompetency
from core.search.index import build_read_index
from core.search.index_loader import load_claimed_levels, load_valid_certifications
from tests.public_directory import AUSTIN, add_partner


def austin_partner(session: Session, name: str, levels: dict[str, int], **details: Any) -> int:
    """A partner with one office in Austin; `details` are further `add_partner` arguments."""
    return add_partner(session, name=name, zips=(AUSTIN,), levels=levels, **details)


def test_partner_text_with_accents_and_upper_case_is_found_by_keyword(db_engine: Engine):
    with Session(db_engine) as session:
        partner_id = austin_partner(
            session, "CAFÉ Réseau Sécurité", {"security": 2}, description="Pare-feu et SAUVEGARDE"
        )
        session.commit()
    tokens = build_read_index(db_engine).token_index()
    for query in ("café", "réseau sécu", "sauvegarde", "pare"):
        assert tokens.match(query, size=1).tolist() == [True], query
    assert tokens.match("cafe", size=1).tolist() == [False]
    assert partner_id


def test_claimed_levels_unpack_across_several_packed_integers(db_engine: Engine):
    # 25 areas need two packed integers (twenty areas each); levels above seven are capped.
    area_keys = tuple(f"area{i}" for i in range(25))
    with Session(db_engine) as session:
        first, second = austin_partner(session, "First", {}), austin_partner(session, "Second", {})
        wanted = {(first, "area0"): 3, (first, "area19"): 2, (first, "area20"): 1,
                  (first, "area24"): 3, (second, "area7"): 9, (second, "area21"): 2}  # fmt: skip
        for (partner_id, key), level in wanted.items():
            session.add(PartnerCompetency(partner_id=partner_id, area_key=key, claimed_level=level))
        session.commit()
    ids = np.asarray(sorted([first, second]), dtype=np.int64)
    with db_engine.connect() as conn:
        claimed = load_claimed_levels(conn, ids=ids, area_keys=area_keys, max_level=3)
    expected = np.zeros((2, 25), dtype=np.int8)
    for (partner_id, key), level in wanted.items():
        expected[int(np.searchsorted(ids, partner_id)), area_keys.index(key)] = min(level, 3)
    assert claimed.tolist() == expected.tolist()


def test_only_approved_unexpired_catalogue_certifications_count(db_engine: Engine):
    today = date.today()
    with Session(db_engine) as session:
        holder = austin_partner(
            session,
            "Holder",
            {"security": 2},
            certs=("fortinet-nse4", "veeam-vmce"),
            expired=("cisco-ccna",),
            pending=("aws-saa",),
        )
        session.add(
            PartnerCertification(
                partner_id=holder,
                certification_key="retired-program-not-in-catalogue",
                obtained_on=today - timedelta(days=10),
                status="approved",
            )
        )
        nobody = austin_partner(session, "Nobody", {"security": 1})
        session.commit()
    ids = np.asarray(sorted([holder, nobody]), dtype=np.int64)
    catalogue = ["cisco-ccna", "veeam-vmce", "aws-saa", "fortinet-nse4"]
    with db_engine.connect() as conn:
        rows, certs = load_valid_certifications(
            conn, ids=ids, certification_keys=catalogue, today=today
        )
    held = sorted((int(ids[r]), catalogue[c]) for r, c in zip(rows, certs, strict=True))
    assert held == [(holder, "fortinet-nse4"), (holder, "veeam-vmce")]
