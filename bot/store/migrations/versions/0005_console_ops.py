"""Console operations (issue 17 items 3, 4): the queue clock over every stretch (review B6), the
first agent response, 留言 attempts and their caller (review B8), and agent status with a cap.

Tickets stored before this revision keep queue_seconds/queued_at NULL: their waiting time is computed
as before (creation → first claim), see bot.handoff.tickets.Ticket.wait_seconds.

Revision ID: 0005_console_ops
Revises: 0004_console_security
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_console_ops"
down_revision = "0004_console_security"
branch_labels = None
depends_on = None

def ticket_columns() -> list[sa.Column]:
    return [
        sa.Column("queue_seconds", sa.Float),
        sa.Column("queued_at", sa.DateTime(timezone=True)),
        sa.Column("first_response_at", sa.DateTime(timezone=True)),
        sa.Column("callback_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("callback_next_try_at", sa.DateTime(timezone=True)),
        sa.Column("callback_claimed_by", sa.String(64)),
    ]


def upgrade() -> None:
    with op.batch_alter_table("handoff_tickets") as batch:
        for column in ticket_columns():
            batch.add_column(column)
    op.create_table(
        "console_agent_status",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("max_chats", sa.Integer),  # None: the default from knowledge/console/sla.yml
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    # Reports read closed tickets by period.
    op.create_index("ix_handoff_tickets_created_at", "handoff_tickets", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_handoff_tickets_created_at", "handoff_tickets")
    op.drop_table("console_agent_status")
    with op.batch_alter_table("handoff_tickets") as batch:
        for column in reversed(ticket_columns()):
            batch.drop_column(column.name)
