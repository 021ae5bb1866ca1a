"""Console workspace (issue 17 item 6): canned replies (快捷回复) written in the console, the team's
(by supervisors, `username` NULL) and each agent's own. The team's shipped replies live in
knowledge/console/canned_replies.yml; internal notes are transcript rows (author "note"), no table.

Revision ID: 0007_workspace
Revises: 0006_drop_handoff_events
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_workspace"
down_revision = "0006_drop_handoff_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_canned_replies",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64)),  # NULL: the team's
        sa.Column("shortcut", sa.String(32), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_console_canned_replies_username", "console_canned_replies", ["username"])


def downgrade() -> None:
    op.drop_index("ix_console_canned_replies_username", "console_canned_replies")
    op.drop_table("console_canned_replies")
