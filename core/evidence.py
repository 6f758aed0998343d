"""Evidence: what certifications prove, next to what a partner claims.

A certification counts when it is approved and not expired on the day asked about. The
evidenced level of an area is the highest level any counting certification gives it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np

from core.models import CERT_APPROVED
from core.taxonomy import PROFICIENT, Taxonomy, get_taxonomy

# A claim this many levels above its evidence is flagged on the profile.
FLAG_GAP = 2


@dataclass(frozen=True)
class HeldCertification:
    certification_key: str
    expires_on: date | None
    status: str


@dataclass(frozen=True)
class ClaimCheck:
    area_key: str
    claimed: int
    evidenced: int
    evidenceable: bool = True

    @property
    def gap(self) -> int:
        return self.claimed - self.evidenced

    @property
    def flagged(self) -> bool:
        """Claims proficient or better with evidence two levels lower (or none), in an area
        that certifications can evidence at all."""
        return self.evidenceable and self.claimed >= PROFICIENT and self.gap >= FLAG_GAP


def certification_counts(cert: HeldCertification, *, today: date) -> bool:
    return cert.status == CERT_APPROVED and (cert.expires_on is None or cert.expires_on >= today)


CERT_EXPIRED = "expired"  # shown, never stored: an approved certification past its date


def shown_status(status: str, expires_on: date | None, *, today: date) -> str:
    """The status people see: an approved certification past its expiry date is "expired"
    everywhere, the owner's own list included (issue 13), because it no longer counts."""
    if status == CERT_APPROVED and expires_on is not None and expires_on < today:
        return CERT_EXPIRED
    return status


def evidenced_levels(
    certifications: Iterable[HeldCertification], *, today: date, taxonomy: Taxonomy | None = None
) -> dict[str, int]:
    taxonomy = taxonomy or get_taxonomy()
    levels: dict[str, int] = {}
    for cert in certifications:
        entry = taxonomy.certifications.get(cert.certification_key)
        if entry is None or not certification_counts(cert, today=today):
            continue
        for area, level in entry.evidences.items():
            levels[area] = max(levels.get(area, 0), level)
    return levels


def check_claims(
    claimed: dict[str, int], evidenced: dict[str, int], *, taxonomy: Taxonomy | None = None
) -> list[ClaimCheck]:
    """One ClaimCheck per area of the taxonomy, in taxonomy order."""
    taxonomy = taxonomy or get_taxonomy()
    checkable = taxonomy.evidenceable_keys
    return [
        ClaimCheck(
            area_key=key,
            claimed=claimed.get(key, 0),
            evidenced=evidenced.get(key, 0),
            evidenceable=key in checkable,
        )
        for key in taxonomy.area_keys
    ]


def certification_level_matrix(
    taxonomy: Taxonomy | None = None,
) -> tuple[dict[str, int], np.ndarray]:
    """Catalogue as a matrix: row per certification, column per area, cell = level given.

    Lets the read index derive evidence for a million partners with one vectorised max.
    """
    taxonomy = taxonomy or get_taxonomy()
    keys = list(taxonomy.certifications)
    row_of = {key: i for i, key in enumerate(keys)}
    column_of = {key: j for j, key in enumerate(taxonomy.area_keys)}
    matrix = np.zeros((len(keys), len(column_of)), dtype=np.int8)
    for key, entry in taxonomy.certifications.items():
        for area, level in entry.evidences.items():
            matrix[row_of[key], column_of[area]] = level
    return row_of, matrix
