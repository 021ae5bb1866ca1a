"""What the channel keeps in the database: which messages were processed (and the passive reply
given), so that WeChat's retries are answered once even across a restart; and each user's last menu.

Keys are SHA-256 hashes: the tables hold no OpenID. Calls are synchronous; the channel runs them in
a worker thread.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import Column, DateTime, MetaData, String, Table, Text, delete, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from bot import clock
from bot.channels.wechat.texts import MenuItem
from bot.store.db import new_engine

metadata = MetaData()

wechat_messages = Table(
    "wechat_messages", metadata,
    Column("key", String(64), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("reply", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
wechat_menus = Table(
    "wechat_menus", metadata,
    Column("user_key", String(64), primary_key=True),
    Column("choices", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# processing: the bot is working on it; replied: answered passively (`reply` is what a retry gets);
# deferred: answered through the customer-service API; silent: no reply was due.
PROCESSING, REPLIED, DEFERRED, SILENT = "processing", "replied", "deferred", "silent"
RETENTION = timedelta(days=2)  # WeChat retries within 15 s; two days covers any clock trouble
MENU_LIFETIME = timedelta(hours=24)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Claim:
    first: bool  # True: process it; False: a retry of a message already seen
    status: str
    reply: str | None = None


_now = clock.now


def _fast_sqlite(engine: Engine) -> Engine:
    """SQLite: an engine of the channel's own whose commits do not wait for fsync (a power cut may lose
    the last records, which only means a retry processed twice). Measured under load: a commit took
    7-11 ms (p50) and up to 45 ms with fsync, which queued the webhook's requests for seconds."""
    if engine.url.get_backend_name() != "sqlite":
        return engine
    return new_engine(engine.url.render_as_string(hide_password=False), pool_size=2, max_overflow=2, fsync=False)


class MessageLedger:
    def __init__(self, engine: Engine) -> None:
        self.engine = _fast_sqlite(engine)
        # SQLite has one writer: one thread keeps our own writes from waiting on each other's lock.
        self.writers = 1 if self.engine.url.get_backend_name() == "sqlite" else 4

    def claim(self, dedup_key: str, now: datetime | None = None) -> Claim:
        """Records the message as being processed, unless it was seen before."""
        return self.begin(dedup_key, None, now)[0]

    def begin(self, dedup_key: str, openid: str | None, now: datetime | None = None
              ) -> tuple[Claim, tuple[MenuItem, ...]]:
        """claim(), and for a first message the user's last menu, in one transaction."""
        now, key = now or _now(), digest(dedup_key)
        try:
            with self.engine.begin() as conn:
                conn.execute(wechat_messages.insert().values(key=key, status=PROCESSING, created_at=now,
                                                             updated_at=now))
                menu = self._menu(conn, openid, now) if openid else ()
            return Claim(True, PROCESSING), menu
        except IntegrityError:
            with self.engine.connect() as conn:
                row = conn.execute(select(wechat_messages.c.status, wechat_messages.c.reply)
                                   .where(wechat_messages.c.key == key)).first()
            return Claim(False, row.status if row else PROCESSING, row.reply if row else None), ()

    def finish(self, dedup_key: str, status: str, reply: str | None = None, openid: str | None = None,
               menu: tuple[MenuItem, ...] = (), previous_menu: tuple[MenuItem, ...] | None = None) -> None:
        """Records the outcome; with `openid`, also the reply's menu (written only when it changed)."""
        write_menu = openid is not None and (previous_menu is None or tuple(menu) != tuple(previous_menu))
        try:
            with self.engine.begin() as conn:
                conn.execute(update(wechat_messages).where(wechat_messages.c.key == digest(dedup_key))
                             .values(status=status, reply=reply, updated_at=_now()))
                if write_menu:
                    self._set_menu(conn, openid, menu, _now())  # type: ignore[arg-type]
        except IntegrityError:  # a concurrent reply to the same user wrote its menu first
            self.finish(dedup_key, status, reply)

    def purge(self, now: datetime | None = None) -> int:
        """Forgets processed messages older than RETENTION and stale menus."""
        now = now or _now()
        with self.engine.begin() as conn:
            n = conn.execute(delete(wechat_messages).where(wechat_messages.c.created_at < now - RETENTION)).rowcount
            conn.execute(delete(wechat_menus).where(wechat_menus.c.updated_at < now - MENU_LIFETIME))
        return n

    def menu(self, openid: str, now: datetime | None = None) -> tuple[MenuItem, ...]:
        """The options of the last reply to this user (empty when it had none or is old)."""
        with self.engine.connect() as conn:
            return self._menu(conn, openid, now or _now())

    def set_menu(self, openid: str, items: tuple[MenuItem, ...], now: datetime | None = None) -> None:
        """Replaces the user's menu; a reply without options clears it, so a later "2" is just text."""
        try:
            with self.engine.begin() as conn:
                self._set_menu(conn, openid, items, now or _now())
        except IntegrityError:
            pass  # a concurrent reply to the same user set its menu: the later one stands

    @staticmethod
    def _menu(conn: Connection, openid: str, now: datetime) -> tuple[MenuItem, ...]:
        row = conn.execute(select(wechat_menus.c.choices, wechat_menus.c.updated_at)
                           .where(wechat_menus.c.user_key == digest(openid))).first()
        if row is None:
            return ()
        at = row.updated_at if row.updated_at.tzinfo else row.updated_at.replace(tzinfo=timezone.utc)
        if at < now - MENU_LIFETIME:
            return ()
        return tuple(MenuItem(t, p) for t, p in json.loads(row.choices))

    @staticmethod
    def _set_menu(conn: Connection, openid: str, items: tuple[MenuItem, ...], now: datetime) -> None:
        key = digest(openid)
        conn.execute(delete(wechat_menus).where(wechat_menus.c.user_key == key))
        if items:
            conn.execute(wechat_menus.insert().values(
                user_key=key, choices=json.dumps([[m.title, m.payload] for m in items], ensure_ascii=False),
                updated_at=now))
