"""Console users, sessions and login attempts (SQLAlchemy Core, 2.0 style; schema in 0002_console)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import (Boolean, Column, DateTime, ForeignKey, Integer, MetaData, String, Table, and_, delete,
                        select)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot import clock
from bot.console import auth

metadata = MetaData()

users = Table(
    "console_users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(100), nullable=False),
    Column("role", String(32), nullable=False),  # policy.ROLES
    Column("region", String(100)),
    Column("password_hash", String(200), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

sessions = Table(
    "console_sessions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("console_users.id"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

login_attempts = Table(
    "console_login_attempts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("remote", String(64)),
    Column("ok", Boolean, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)


class UserError(ValueError):
    """A refused user change: bad role, weak password, duplicate or unknown username."""


class LoginRefused(Exception):
    """Wrong username or password (one message for both, so usernames do not leak)."""


class LoginLocked(Exception):
    def __init__(self, until: datetime) -> None:
        super().__init__(until.isoformat())
        self.until = until


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: str
    region: str | None
    disabled: bool

    @property
    def actor(self) -> str:
        """How this user appears in audit logs and transcripts."""
        return f"{self.role}:{self.username}"


@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str
    expires_at: datetime


def utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything here is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


_now = clock.now


def _user(row) -> User:  # type: ignore[no-untyped-def]
    return User(row.id, row.username, row.display_name, row.role, row.region, bool(row.disabled))


def add_user(engine: Engine, username: str, password: str, role: str, display_name: str | None = None,
             region: str | None = None, now: datetime | None = None, actor: str | None = None) -> User:
    """A new account; `actor` (a supervisor in the console) is written to the audit log with it."""
    username = username.strip()
    if not username or len(username) > 64 or not username.isprintable() or " " in username:
        raise UserError("用户名须为 1–64 个可见字符，不含空格")
    if role not in auth.ROLES:
        raise UserError(f"角色须为 {', '.join(auth.ROLES)} 之一")
    problem = auth.password_problem(password)
    if problem:
        raise UserError(problem)
    try:
        with engine.begin() as conn:
            new_id = conn.execute(users.insert().values(
                username=username, display_name=(display_name or username)[:100], role=role, region=region,
                password_hash=auth.hash_password(password), disabled=False,
                created_at=now or _now())).inserted_primary_key[0]
            _audit(conn, actor, USER_ADD, username, now)
    except IntegrityError:
        raise UserError(f"用户 {username} 已存在") from None
    return User(int(new_id), username, (display_name or username)[:100], role, region, False)


def set_disabled(engine: Engine, username: str, disabled: bool = True, actor: str | None = None,
                 now: datetime | None = None) -> None:
    """Disables (or re-enables) a user; disabling also ends every session they have, enabling lifts a
    login lock (review B17: disable then enable left the agent locked out)."""
    with engine.begin() as conn:
        row = _row_for(conn, username)
        conn.execute(users.update().where(users.c.id == row.id).values(disabled=disabled))
        if disabled:
            conn.execute(delete(sessions).where(sessions.c.user_id == row.id))
        else:
            _clear_failures(conn, username)
        _audit(conn, actor, USER_DISABLE if disabled else USER_ENABLE, username, now)


def set_password(engine: Engine, username: str, password: str, actor: str | None = None,
                 now: datetime | None = None) -> None:
    """A new password (a supervisor's reset, review B17): ends the user's sessions and lifts the lock
    of their failed logins."""
    problem = auth.password_problem(password)
    if problem:
        raise UserError(problem)
    hashed = auth.hash_password(password)
    with engine.begin() as conn:
        row = _row_for(conn, username)
        conn.execute(users.update().where(users.c.id == row.id).values(password_hash=hashed))
        conn.execute(delete(sessions).where(sessions.c.user_id == row.id))
        _clear_failures(conn, username)
        _audit(conn, actor, USER_PASSWORD, username, now)


_KEEP = object()


def update_user(engine: Engine, username: str, *, role: str | None = None, region: object = _KEEP,
                display_name: str | None = None, actor: str | None = None, now: datetime | None = None) -> User:
    """Role, region (None clears it) or display name; a new role ends the user's sessions, so the next
    page is served with the new rights. Each changed field is audited."""
    if role is not None and role not in auth.ROLES:
        raise UserError(f"角色须为 {', '.join(auth.ROLES)} 之一")
    with engine.begin() as conn:
        row = _row_for(conn, username)
        changes: dict[str, object] = {}
        if role is not None and role != row.role:
            changes["role"] = role
            conn.execute(delete(sessions).where(sessions.c.user_id == row.id))
            _audit(conn, actor, f"{USER_ROLE}:{role}", username, now)
        if region is not _KEEP and (region or None) != row.region:
            changes["region"] = region or None
            _audit(conn, actor, USER_REGION, username, now)
        if display_name and display_name[:100] != row.display_name:
            changes["display_name"] = display_name[:100]
            _audit(conn, actor, USER_NAME, username, now)
        if changes:
            conn.execute(users.update().where(users.c.id == row.id).values(**changes))
        row = conn.execute(select(users).where(users.c.id == row.id)).first()
    return _user(row)


# Audit actions of account changes (bot.store.staff_audit; the reference column holds the username).
USER_ADD, USER_DISABLE, USER_ENABLE, USER_PASSWORD = "user_add", "user_disable", "user_enable", "user_password"
USER_ROLE, USER_REGION, USER_NAME = "user_role", "user_region", "user_name"


def _row_for(conn, username: str):  # type: ignore[no-untyped-def]
    row = conn.execute(select(users).where(users.c.username == username)).first()
    if row is None:
        raise UserError(f"没有用户 {username}")
    return row


def _clear_failures(conn, username: str) -> None:  # type: ignore[no-untyped-def]
    conn.execute(delete(login_attempts).where(and_(login_attempts.c.username == username,
                                                   login_attempts.c.ok.is_(False))))


def _audit(conn, actor: str | None, action: str, username: str, now: datetime | None) -> None:  # type: ignore[no-untyped-def]
    if actor:
        from bot.store import staff_audit

        staff_audit.record(conn, actor, action, username, now or _now())


def list_users(engine: Engine) -> list[User]:
    with engine.connect() as conn:
        return [_user(r) for r in conn.execute(select(users).order_by(users.c.username))]


def login(engine: Engine, username: str, password: str, remote: str | None = None,
          now: datetime | None = None) -> tuple[str, Session]:
    """Checks the password and opens a session: returns (cookie token, session).

    Raises LoginLocked while this address must wait (auth.retry_at: too many failures for this
    account from this address, or for any account from this address; the password is not even
    checked then) and LoginRefused for a wrong name or password. `remote` is the client's address."""
    now = now or _now()
    username = username.strip()[:64]
    remote = (remote or "")[:64]
    a = login_attempts.c
    with engine.connect() as conn:
        last_ok = conn.execute(select(a.at).where(and_(a.username == username, a.remote == remote, a.ok.is_(True)))
                               .order_by(a.at.desc()).limit(1)).scalar()
        query = select(a.at).where(and_(a.username == username, a.remote == remote, a.ok.is_(False),
                                        a.at > now - auth.PAIR_WINDOW))
        if last_ok is not None:
            query = query.where(a.at > last_ok)
        pair_failures = [utc(t) for t in conn.execute(query).scalars()]
        address_failures = [utc(t) for t in conn.execute(select(a.at).where(and_(
            a.remote == remote, a.ok.is_(False), a.at > now - auth.ADDRESS_WINDOW))).scalars()]
        row = conn.execute(select(users).where(users.c.username == username)).first()
    until = auth.retry_at(pair_failures, address_failures, now)
    if until:
        raise LoginLocked(until)
    ok = auth.verify_password(row.password_hash if row is not None else None, password)
    ok = ok and row is not None and not row.disabled
    token = auth.new_token()
    with engine.begin() as conn:
        conn.execute(delete(login_attempts).where(a.at < now - auth.ATTEMPTS_KEPT))  # the table stays small
        conn.execute(login_attempts.insert().values(username=username, remote=remote, ok=ok, at=now))
        if ok:
            conn.execute(delete(sessions).where(sessions.c.expires_at < now))  # expired ones, anyone's
            session = Session(_user(row), auth.new_token(), now + auth.SESSION_LIFETIME)
            conn.execute(sessions.insert().values(token_hash=auth.token_hash(token), user_id=row.id,
                                                  csrf_token=session.csrf_token, created_at=now,
                                                  expires_at=session.expires_at))
    if not ok:
        raise LoginRefused()
    return token, session


def session_for(engine: Engine, token: str | None, now: datetime | None = None) -> Session | None:
    """The live session for a cookie token, or None (unknown, expired, or the user disabled)."""
    if not token or len(token) > 128:
        return None
    now = now or _now()
    with engine.connect() as conn:
        row = conn.execute(select(sessions.c.csrf_token, sessions.c.expires_at, users)
                           .join(users, users.c.id == sessions.c.user_id)
                           .where(sessions.c.token_hash == auth.token_hash(token))).first()
    if row is None or row.disabled or utc(row.expires_at) <= now:
        return None
    return Session(_user(row), row.csrf_token, utc(row.expires_at))


def logout(engine: Engine, token: str | None) -> None:
    if not token:
        return
    with engine.begin() as conn:
        conn.execute(delete(sessions).where(sessions.c.token_hash == auth.token_hash(token)))
