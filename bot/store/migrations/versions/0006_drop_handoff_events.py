"""Drops `handoff_events`: the first handoff records, replaced by tickets (0002_handoff) and no longer
written or read (style review 2026-12-01, §5). Retention already purged its old rows.

Revision ID: 0006_drop_handoff_events
Revises: 0005_console_ops
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_drop_handoff_events"
down_revision = "0005_console_ops"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("handoff_events")


def downgrade() -> None:
    op.create_table(
        "handoff_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(16), nullable=False, unique=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("sender_id", sa.String(128), nullable=False),
        sa.Column("category", sa.String(64)),
        sa.Column("summary", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
