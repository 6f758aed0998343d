"""Evidence is derived from approved, unexpired certifications; big claim gaps are flagged."""

from datetime import date

from core.evidence import HeldCertification, check_claims, evidenced_levels

TODAY = date(2026, 11, 24)


def held(key: str, *, expires: date | None = date(2030, 1, 1), status: str = "approved"):
    return HeldCertification(certification_key=key, expires_on=expires, status=status)


def test_evidence_takes_the_highest_level_any_counting_certification_gives():
    levels = evidenced_levels([held("cisco-ccna"), held("fortinet-nse4")], today=TODAY)
    assert levels["networking"] == 2  # CCNA gives proficient networking
    assert levels["security"] == 2  # NSE 4 gives proficient security, CCNA only foundational


def test_expired_pending_and_rejected_certifications_give_no_evidence():
    certs = [
        held("veeam-vmce", expires=date(2026, 11, 23)),
        held("aws-saa", status="pending"),
        held("cisco-ccna", status="rejected"),
    ]
    assert evidenced_levels(certs, today=TODAY) == {}


def test_a_certification_expiring_today_still_counts():
    assert evidenced_levels([held("veeam-vmce", expires=TODAY)], today=TODAY) == {
        "storage_backup": 2
    }


def test_claim_two_levels_above_evidence_is_flagged_one_level_is_not():
    checks = {
        c.area_key: c
        for c in check_claims({"security": 3, "cloud": 3, "mobile": 1}, {"cloud": 2, "security": 1})
    }
    assert checks["security"].flagged  # expert claimed, foundational shown
    assert not checks["cloud"].flagged  # expert claimed, proficient shown
    assert not checks["mobile"].flagged  # foundational claims are never flagged
    assert len(checks) == 17


def test_claims_in_areas_no_certification_can_evidence_are_not_flagged():
    checks = {c.area_key: c for c in check_claims({"insurance": 3}, {})}
    assert not checks["insurance"].evidenceable
    assert not checks["insurance"].flagged
