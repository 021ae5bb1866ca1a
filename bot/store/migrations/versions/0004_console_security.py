"""Console least privilege (security review 2026-12-01, H2/M3/M4): room for the `legal_aid_officer`
role, an audit log of staff reveals that supervisors read, and indexes for the per-address login
throttle and the purge of old login attempts.

Revision ID: 0004_console_security
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_console_security"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # "legal_aid_officer" is 17 characters. SQLite does not enforce VARCHAR lengths (and cannot ALTER a
    # column without a table copy), so only other databases are changed.
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("console_users", "role", type_=sa.String(32), existing_type=sa.String(16),
                        existing_nullable=False)
    op.create_table(
        "console_audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("reference", sa.String(32)),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_console_audit_log_actor_action_at", "console_audit_log", ["actor", "action", "at"])
    op.create_index("ix_console_audit_log_at", "console_audit_log", ["at"])
    op.create_index("ix_console_login_attempts_remote_at", "console_login_attempts", ["remote", "at"])
    op.create_index("ix_console_login_attempts_at", "console_login_attempts", ["at"])


def downgrade() -> None:
    op.drop_index("ix_console_login_attempts_at", "console_login_attempts")
    op.drop_index("ix_console_login_attempts_remote_at", "console_login_attempts")
    op.drop_index("ix_console_audit_log_at", "console_audit_log")
    op.drop_index("ix_console_audit_log_actor_action_at", "console_audit_log")
    op.drop_table("console_audit_log")
    # The older code does not know the role (and checked no role on applications): such accounts are
    # disabled, their sessions ended, and the role shortened to fit the old column.
    op.execute(sa.text("DELETE FROM console_sessions WHERE user_id IN "
                       "(SELECT id FROM console_users WHERE role = 'legal_aid_officer')"))
    op.execute(sa.text("UPDATE console_users SET disabled = :yes, role = 'legal_aid' "
                       "WHERE role = 'legal_aid_officer'").bindparams(yes=True))
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("console_users", "role", type_=sa.String(16), existing_type=sa.String(32),
                        existing_nullable=False)
