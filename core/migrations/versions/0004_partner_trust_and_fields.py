"""Issue 13: who vouched for a profile, and what partner finders show.

partner.confirmed_at is the partner's own "still current"; verified_at from now on only an
administrator's verification. Until this release every save (mostly the partner's own) set
verified_at, so existing values move to confirmed_at: nobody can tell which were an
administrator's, and "verified" must not be said of a partner's own save. New columns get
server defaults so existing rows read as "nothing stated, accepting new clients".

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 13:09:47.716576
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("partner", schema=None) as batch_op:
        batch_op.add_column(sa.Column("industries", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("languages", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("delivery", sa.String(length=10), nullable=True))
        batch_op.add_column(
            sa.Column(
                "accepting_new_clients", sa.Boolean(), nullable=False, server_default=sa.true()
            )
        )
        batch_op.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE partner SET industries = '[]', languages = '[]'")
    op.execute("UPDATE partner SET confirmed_at = verified_at, verified_at = NULL")


def downgrade() -> None:
    op.execute(
        "UPDATE partner SET verified_at = confirmed_at"
        " WHERE verified_at IS NULL AND confirmed_at IS NOT NULL"
    )
    with op.batch_alter_table("partner", schema=None) as batch_op:
        batch_op.drop_column("confirmed_at")
        batch_op.drop_column("accepting_new_clients")
        batch_op.drop_column("delivery")
        batch_op.drop_column("languages")
        batch_op.drop_column("industries")
