"""Issue 15: directory_change, which partners each data version changed.

Lets every process apply a write's few partners to its read index instead of rebuilding
it. Starts empty: an index built before this revision rebuilds once on the next change.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 14:13:00.708109
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "directory_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("directory_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_directory_change_version"), ["version"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("directory_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_change_version"))
    op.drop_table("directory_change")
