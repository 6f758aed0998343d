"""Where a vendor's own certifications cover a region, and whom it could recruit there.

Certifications are public profile data, so both views count and list any partner; nothing
confidential (leads, funds, figures) is read. The read index gives the region's partners and
their evidence from all vendors; the vendor's own evidence needs to know which certification
gave it, which the index does not keep, so the vendor's valid certifications are read from
the database (its index on certification_key) and mapped to levels with the catalogue.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, func, or_, select
from sqlmodel import Session

from core.analytics.program_scope import ensure_vendor_viewer
from core.analytics.regional import partner_rows_in_states
from core.evidence import certification_level_matrix
from core.models import (
    CERT_APPROVED,
    PROGRAM_ACTIVE,
    PROGRAM_REQUESTED,
    AccountPublic,
    PartnerCertification,
    ProgramMembership,
)
from core.search.index import ReadIndex
from core.tables import table_of
from core.taxonomy import PROFICIENT, get_taxonomy

COVERAGE_COLUMNS = ["area_key", "area", "any_vendor_evidenced", "own_evidenced", "own_share"]
RECRUIT_COLUMNS = ["partner_id", "name", "hq", "evidenced_level", "certifications", "member"]

CERT = table_of(PartnerCertification)
MEMBERSHIP = table_of(ProgramMembership)


def _valid_on(today: date) -> ColumnElement[bool]:
    """Approved and not expired on ``today`` (core.evidence.certification_counts, in SQL)."""
    return (CERT.c.status == CERT_APPROVED) & or_(
        CERT.c.expires_on.is_(None), CERT.c.expires_on >= today
    )


def _own_evidence(session: Session, vendor: str, index: ReadIndex) -> np.ndarray:
    """int8 (partners, areas): the level each partner's valid ``vendor`` certifications
    evidence, in the index's row and area order."""
    taxonomy = get_taxonomy()
    cert_row_of, levels = certification_level_matrix(taxonomy)
    keys = [k for k in cert_row_of if taxonomy.certifications[k].vendor == vendor]
    out = np.zeros((index.size, len(index.area_keys)), dtype=np.int8)
    if not keys:
        return out
    rows = session.execute(
        select(CERT.c.partner_id, CERT.c.certification_key).where(
            CERT.c.certification_key.in_(keys), _valid_on(index.built_for_day)
        )
    ).all()
    if not rows:
        return out
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    certs = np.fromiter((cert_row_of[r[1]] for r in rows), dtype=np.int64, count=len(rows))
    positions = np.searchsorted(index.partner_ids, ids).clip(0, max(index.size - 1, 0))
    known = index.partner_ids[positions] == ids if index.size else np.zeros(len(ids), bool)
    np.maximum.at(out, positions[known], levels[certs[known]])
    return out


def own_certification_coverage(
    *,
    session: Session,
    viewer: AccountPublic | None,
    vendor: str,
    index: ReadIndex,
    states: Sequence[str],
) -> pd.DataFrame:
    """Per area: partners in the region at ≥ proficient evidenced by any certification, by
    ``vendor``'s certifications, and the vendor's share of that evidenced coverage."""
    ensure_vendor_viewer(session, viewer, vendor)
    taxonomy = get_taxonomy()
    rows = partner_rows_in_states(index, tuple(states))
    any_vendor = (index.evidenced[rows] >= PROFICIENT).sum(axis=0)
    own = (_own_evidence(session, vendor, index)[rows] >= PROFICIENT).sum(axis=0)
    frame = pd.DataFrame(
        {
            "area_key": list(index.area_keys),
            "area": [taxonomy.area_label(k) for k in index.area_keys],
            "any_vendor_evidenced": any_vendor.astype(int),
            "own_evidenced": own.astype(int),
        }
    )
    frame["own_share"] = np.where(
        frame["any_vendor_evidenced"] > 0,
        frame["own_evidenced"] / frame["any_vendor_evidenced"].clip(lower=1),
        0.0,
    ).round(2)
    return frame[COVERAGE_COLUMNS]


def recruit_candidates(
    *,
    session: Session,
    viewer: AccountPublic | None,
    vendor: str,
    index: ReadIndex,
    states: Sequence[str],
    area_key: str,
    limit: int = 20,
) -> pd.DataFrame:
    """Partners in the region that are not in ``vendor``'s program (neither active nor asked
    or invited) and whose certifications evidence ``area_key`` at ≥ proficient: strongest
    evidence first, then breadth (areas at ≥ proficient). ``certifications`` counts the
    partner's valid certifications that evidence the area. Public data only."""
    ensure_vendor_viewer(session, viewer, vendor)
    column = index.column(area_key)  # ValueError for an unknown area
    rows = partner_rows_in_states(index, tuple(states))
    rows = rows[index.evidenced[rows, column] >= PROFICIENT]
    in_program = {
        int(pid)
        for pid in session.execute(
            select(MEMBERSHIP.c.partner_id).where(
                MEMBERSHIP.c.vendor == vendor,
                MEMBERSHIP.c.status.in_((PROGRAM_ACTIVE, PROGRAM_REQUESTED)),
            )
        ).scalars()
    }
    if in_program:
        members = np.fromiter(in_program, dtype=np.int64, count=len(in_program))
        rows = rows[~np.isin(index.partner_ids[rows], members)]
    if rows.size == 0:
        return pd.DataFrame(columns=RECRUIT_COLUMNS)
    # Rank in NumPy; the database counts certifications only for the shortlist shown.
    breadth = index.strength[0][rows]
    level = index.evidenced[rows, column]
    order = np.lexsort((index.partner_ids[rows], -breadth.astype(np.int64), -level))
    shortlist = rows[order[: max(limit, 0)]]
    counts = _certifications_for(session, index, shortlist, area_key)
    frame = pd.DataFrame(
        {
            "partner_id": index.partner_ids[shortlist].astype(int),
            "name": index.names.take(shortlist).to_pylist(),
            "hq": index.hq_city.take(shortlist).to_pylist(),
            "evidenced_level": index.evidenced[shortlist, column].astype(int),
            "certifications": [counts.get(int(p), 0) for p in index.partner_ids[shortlist]],
            "member": False,
        }
    )
    return frame[RECRUIT_COLUMNS]


def _certifications_for(
    session: Session, index: ReadIndex, rows: np.ndarray, area_key: str
) -> dict[int, int]:
    """partner -> how many of its valid certifications evidence ``area_key`` (any vendor)."""
    taxonomy = get_taxonomy()
    keys = [k for k, c in taxonomy.certifications.items() if c.evidences.get(area_key, 0) > 0]
    if not keys or rows.size == 0:
        return {}
    found = session.execute(
        select(CERT.c.partner_id, func.count())
        .where(
            CERT.c.partner_id.in_(index.partner_ids[rows].tolist()),
            CERT.c.certification_key.in_(keys),
            _valid_on(index.built_for_day),
        )
        .group_by(CERT.c.partner_id)
    ).all()
    return {int(pid): int(n) for pid, n in found}
