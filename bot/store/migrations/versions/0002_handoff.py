"""Handoff: tickets, their transcripts and the outbox of messages for the citizen.

Revision ID: 0002_handoff
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_handoff"
down_revision = "0001"
branch_labels = None
depends_on = None

ACTIVE = "status IN ('open', 'claimed')"


def upgrade() -> None:
    op.create_table(
        "handoff_tickets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(16), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(24), nullable=False),
        sa.Column("category", sa.String(64)),
        sa.Column("region", sa.String(100)),
        sa.Column("mediation_body", sa.String(100)),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("sender_id", sa.String(128), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True)),
        sa.Column("claimed_by", sa.String(64)),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("closed_by", sa.String(64)),
        sa.Column("resolution", sa.String(32)),
        sa.Column("rating", sa.Integer),
        sa.Column("comment", sa.Text),
        sa.Column("feedback_state", sa.String(16)),
        sa.Column("callback_phone_encrypted", sa.Text),
        sa.Column("callback_phone_masked", sa.String(20)),
        sa.Column("callback_window", sa.String(50)),
        sa.Column("application_reference", sa.String(20)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_handoff_tickets_queue", "handoff_tickets", ["status", "priority", "created_at"])
    op.create_index("ix_handoff_tickets_sender", "handoff_tickets", ["sender_id", "status"])
    # At most one open or claimed ticket per conversation, even under concurrent requests.
    op.create_index("uq_handoff_tickets_active_sender", "handoff_tickets", ["sender_id"], unique=True,
                    sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))
    op.create_table(
        "handoff_messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("handoff_tickets.id"), nullable=False),
        sa.Column("author", sa.String(16), nullable=False),
        sa.Column("author_name", sa.String(64)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_handoff_messages_ticket", "handoff_messages", ["ticket_id", "id"])
    op.create_table(
        "handoff_outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sender_id", sa.String(128), nullable=False),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("handoff_tickets.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text),
        sa.Column("intent", sa.String(64)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_handoff_outbox_pending", "handoff_outbox", ["sender_id", "delivered_at", "id"])


def downgrade() -> None:
    for table in ("handoff_outbox", "handoff_messages", "handoff_tickets"):
        op.drop_table(table)
