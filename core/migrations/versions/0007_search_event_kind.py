"""Issue 13: search_event.kind, so team searches that needed an outside member are recorded.

Existing rows were all Find partners searches, hence the server default "search".

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 13:17:41.637621
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("search_event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=10), nullable=False, server_default="search")
        )


def downgrade() -> None:
    with op.batch_alter_table("search_event", schema=None) as batch_op:
        batch_op.drop_column("kind")
