"""WeChat channel: processed messages (retries de-duplicated across restarts) and each user's last menu.

Revision ID: 0002_wechat
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_wechat"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wechat_messages",
        sa.Column("key", sa.String(64), primary_key=True),  # SHA-256 of MsgId or FromUserName:CreateTime
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reply", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_wechat_messages_created_at", "wechat_messages", ["created_at"])
    op.create_table(
        "wechat_menus",
        sa.Column("user_key", sa.String(64), primary_key=True),  # SHA-256 of the OpenID
        sa.Column("choices", sa.Text, nullable=False),  # JSON [[title, payload], …]
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("wechat_menus")
    op.drop_index("ix_wechat_messages_created_at", "wechat_messages")
    op.drop_table("wechat_messages")
