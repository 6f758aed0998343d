"""Issue 12: lead routing, the email outbox, one-click links, customer feedback,
unsubscribes, the contact-form rate limit and the responsiveness summary (new tables only),
and the partner_location index on (latitude, longitude) routing's bounding box uses.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contact_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visitor_key", sa.String(length=64), nullable=False),
        sa.Column("email_key", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contact_attempt", schema=None) as batch_op:
        batch_op.create_index("ix_contact_attempt_email", ["email_key", "sent_at"], unique=False)
        batch_op.create_index(
            "ix_contact_attempt_visitor", ["visitor_key", "sent_at"], unique=False
        )

    op.create_table(
        "email_suppression",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("email"),
    )
    op.create_table(
        "campaign_routing",
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("radius_km", sa.Float(), nullable=False),
        sa.Column("min_level", sa.Integer(), nullable=False),
        sa.Column("evidence_only", sa.Boolean(), nullable=False),
        sa.Column("tiers", sa.JSON(), nullable=True),
        sa.Column("max_open_offers", sa.Integer(), nullable=False),
        sa.Column("fairness", sa.String(length=20), nullable=False),
        sa.Column("accept_hours", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("campaign_id"),
    )
    op.create_table(
        "partner_responsiveness",
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("leads", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("within_two_business_days", sa.Integer(), nullable=False),
        sa.Column("median_response_hours", sa.Float(), nullable=True),
        sa.Column("customers_asked", sa.Integer(), nullable=False),
        sa.Column("customers_contacted", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("partner_id"),
    )
    op.create_table(
        "lead_feedback",
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("contacted", sa.Boolean(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("lead_id"),
    )
    op.create_table(
        "lead_offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("vendor", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decline_reason", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
        ),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("lead_offer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lead_offer_lead_id"), ["lead_id"], unique=False)
        batch_op.create_index(
            "ix_lead_offer_partner_status", ["partner_id", "status", "offered_at"], unique=False
        )
        batch_op.create_index(
            "ix_lead_offer_status_expires", ["status", "expires_at"], unique=False
        )

    op.create_table(
        "one_click_token",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=120), nullable=False),
        sa.Column("dedup_key", sa.String(length=120), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("essential", sa.Boolean(), nullable=False),
        sa.Column("to_email", sa.String(length=254), nullable=False),
        sa.Column("to_name", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("text_body", sa.String(), nullable=False),
        sa.Column("html_body", sa.String(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedup_key"),
        sa.UniqueConstraint("message_id"),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_message_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outbox_message_kind"), ["kind"], unique=False)
        batch_op.create_index("ix_outbox_status_next", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "routing_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("routing_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routing_event_lead_id"), ["lead_id"], unique=False)

    with op.batch_alter_table("partner_location", schema=None) as batch_op:
        batch_op.create_index(
            "ix_partner_location_lat_lon", ["latitude", "longitude"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("partner_location", schema=None) as batch_op:
        batch_op.drop_index("ix_partner_location_lat_lon")

    with op.batch_alter_table("routing_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routing_event_lead_id"))

    op.drop_table("routing_event")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_status_next")
        batch_op.drop_index(batch_op.f("ix_outbox_message_kind"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_created_at"))

    op.drop_table("outbox_message")
    op.drop_table("one_click_token")
    with op.batch_alter_table("lead_offer", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_offer_status_expires")
        batch_op.drop_index("ix_lead_offer_partner_status")
        batch_op.drop_index(batch_op.f("ix_lead_offer_lead_id"))

    op.drop_table("lead_offer")
    op.drop_table("lead_feedback")
    op.drop_table("partner_responsiveness")
    op.drop_table("campaign_routing")
    op.drop_table("email_suppression")
    with op.batch_alter_table("contact_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_attempt_visitor")
        batch_op.drop_index("ix_contact_attempt_email")

    op.drop_table("contact_attempt")
