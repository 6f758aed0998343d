"""Lead routing on screen (AppTest): the partner's offers and inbox at a glance on My leads,
the vendor's routing rules form and history on My program."""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.db import session_scope
from core.models import Campaign, CampaignRouting, Lead, LeadOffer
from core.routing.rules import save_routing
from tests.app.conftest import AtlasDb, assert_no_exception, open_app, page_text
from tests.app.widgets import widget

LEADS, PROGRAM = "my_leads.py", "my_program.py"
KEY = "program_Cisco_"


def open_offers(db: AtlasDb) -> list[LeadOffer]:
    with Session(db.engine) as session:
        rows = session.exec(
            select(LeadOffer)
            .where(LeadOffer.partner_id == db.partner_a, LeadOffer.status == "open")
            .order_by(col(LeadOffer.expires_at))
        ).all()
        return [LeadOffer.model_validate(r.model_dump()) for r in rows]


def lead(db: AtlasDb, lead_id: int) -> Lead:
    with Session(db.engine) as session:
        row = session.get(Lead, lead_id)
        assert row is not None
        return Lead.model_validate(row.model_dump())


def test_partner_sees_its_offers_without_contact_details_and_the_glance(
    atlas_db: AtlasDb,
) -> None:
    offers = open_offers(atlas_db)
    assert len(offers) == 2, "the demo gives partner1 one offer of Cisco and one of Microsoft"
    at = open_app(atlas_db, LEADS, as_="partner_a")
    assert_no_exception(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Offered"] == "2" and {"New leads", "Expiring", "Overdue"} <= set(metrics)
    text = page_text(at)
    assert "Offers (2)" in text and "Answer by" in text and "left)" in text
    for offer in offers:
        row = lead(atlas_db, offer.lead_id)
        for secret in (row.contact_name, row.contact_email, row.company):
            assert secret and secret not in text


def test_partner_accepts_an_offer_and_the_lead_lands_in_its_inbox(atlas_db: AtlasDb) -> None:
    first = open_offers(atlas_db)[0]
    at = open_app(atlas_db, LEADS, as_="partner_a")
    at = at.button(key=f"offer_accept_{first.id}").click().run()
    assert_no_exception(at)
    assert lead(atlas_db, first.lead_id).partner_id == atlas_db.partner_a
    text = page_text(at)
    assert f"Lead #{first.lead_id} is yours" in text and "Offers (1)" in text
    assert lead(atlas_db, first.lead_id).contact_name in text  # now in its inbox


def test_partner_declines_with_a_reason_and_the_offer_leaves(atlas_db: AtlasDb) -> None:
    first = open_offers(atlas_db)[0]
    at = open_app(atlas_db, LEADS, as_="partner_a")
    at.text_input(key=f"offer_reason_{first.id}").input("Outside our area")
    at = at.button(key=f"offer_decline_{first.id}").click().run()
    assert_no_exception(at)
    with Session(atlas_db.engine) as session:
        row = session.get(LeadOffer, first.id)
        assert row is not None and (row.status, row.decline_reason) == (
            "declined",
            "Outside our area",
        )
    assert "Offer declined" in page_text(at)
    assert lead(atlas_db, first.lead_id).partner_id is None


def routed_campaign(db: AtlasDb) -> tuple[int, str]:
    with Session(db.engine) as session:
        rows = session.exec(select(CampaignRouting.campaign_id)).all()
        campaign = session.exec(
            select(Campaign).where(col(Campaign.id).in_(rows), Campaign.vendor == "Cisco")
        ).one()
        return int(campaign.id or 0), campaign.name


def test_vendor_saves_routing_rules_and_reads_the_history(atlas_db: AtlasDb) -> None:
    campaign_id, _ = routed_campaign(atlas_db)
    at = open_app(atlas_db, PROGRAM, as_="vendor")
    at.selectbox(key=f"{KEY}routing_campaign").select(campaign_id).run()
    assert_no_exception(at)
    prefix = f"{KEY}rt{campaign_id}_"
    assert at.number_input(key=f"{prefix}radius_km").value == 5000.0
    history = next(f.value for f in at.dataframe if "Step" in f.value.columns)
    assert "Offered" in set(history["Step"])
    at.number_input(key=f"{prefix}radius_km").set_value(150.0)
    at.multiselect(key=f"{prefix}tiers").select("Gold")
    at = next(b for b in at.button if b.label == "Save routing rules").click().run()
    assert_no_exception(at)
    assert "Routing rules saved." in page_text(at)
    with Session(atlas_db.engine) as session:
        rules = session.get(CampaignRouting, campaign_id)
        assert rules is not None and (rules.radius_km, rules.tiers, rules.version) == (
            150.0,
            ["Gold"],
            2,
        )


def test_a_stale_rules_form_is_refused_keeps_the_input_and_offers_a_reload(
    atlas_db: AtlasDb,
) -> None:
    campaign_id, _ = routed_campaign(atlas_db)
    at = open_app(atlas_db, PROGRAM, as_="vendor")
    at.selectbox(key=f"{KEY}routing_campaign").select(campaign_id).run()
    prefix = f"{KEY}rt{campaign_id}_"
    with session_scope(atlas_db.engine) as session:  # a colleague saves meanwhile
        save_routing(
            session=session, actor=atlas_db.accounts["admin"], campaign_id=campaign_id,
            data={"radius_km": 300.0}, seen_version=1,
        )  # fmt: skip
    at.number_input(key=f"{prefix}radius_km").set_value(42.0)
    at = next(b for b in at.button if b.label == "Save routing rules").click().run()
    assert_no_exception(at)
    assert any("changed meanwhile" in str(e.value) for e in at.error)
    assert at.number_input(key=f"{prefix}radius_km").value == 42.0
    at = next(b for b in at.button if b.label == "Load the current rules").click().run()
    assert at.number_input(key=f"{prefix}radius_km").value == 300.0
    widget(at, "button", "Save routing rules")  # the form is back
