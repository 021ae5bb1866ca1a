"""Joins the three feature heads (console, handoff, WeChat) and indexes applications by conversation,
which the console's ticket page looks up.

Revision ID: 0003
Revises: 0002_console, 0002_handoff, 0002_wechat
"""

from alembic import op

revision = "0003"
down_revision = ("0002_console", "0002_handoff", "0002_wechat")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_legal_aid_applications_sender_id", "legal_aid_applications", ["sender_id"])


def downgrade() -> None:
    op.drop_index("ix_legal_aid_applications_sender_id", "legal_aid_applications")
