"""快捷回复 (canned replies): the team's, shipped in knowledge/console/canned_replies.yml or added by
supervisors in the console, and each agent's own. Schema: Alembic revision 0007_workspace.

The reply box inserts one with "/" (static/console.js); `{坐席}` becomes the agent's display name.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import yaml
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, delete, or_, select
from sqlalchemy.engine import Engine

from bot.paths import KNOWLEDGE

DATA_FILE = KNOWLEDGE / "console" / "canned_replies.yml"
MAX_SHORTCUT = 32
MAX_TITLE = 100
MAX_TEXT = 2000  # as an agent's reply (tickets.MAX_MESSAGE_CHARS)
MAX_PER_OWNER = 200  # a personal list longer than this is not a list any more
AGENT_NAME = "{坐席}"

TEAM = "team"
PERSONAL = "personal"

metadata = MetaData()

canned_table = Table(
    "console_canned_replies", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64)),  # NULL: the team's (added by a supervisor)
    Column("shortcut", String(MAX_SHORTCUT), nullable=False),
    Column("title", String(MAX_TITLE), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


class CannedError(ValueError):
    """A refused canned reply (empty, too long, too many); the message is shown to staff."""


@dataclass(frozen=True)
class Reply:
    id: int | None  # None: shipped in the data file (not deletable in the console)
    scope: str  # TEAM | PERSONAL
    shortcut: str
    title: str
    text: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@lru_cache(maxsize=1)
def shipped() -> tuple[Reply, ...]:
    data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8")) or {}
    return tuple(Reply(None, TEAM, str(r["shortcut"]), str(r["title"]), str(r["text"]).strip())
                 for r in data.get("replies") or [])


def fill(text: str, agent_name: str) -> str:
    return text.replace(AGENT_NAME, agent_name)


def check(shortcut: str, title: str, text: str) -> tuple[str, str, str]:
    shortcut, title, text = (shortcut or "").strip(), (title or "").strip(), (text or "").strip()
    if not shortcut or not text:
        raise CannedError("请填写快捷码和内容")
    if len(shortcut) > MAX_SHORTCUT or any(ch.isspace() or ch == "/" for ch in shortcut):
        raise CannedError(f"快捷码最多{MAX_SHORTCUT}个字符，不能有空格或“/”")
    if len(title) > MAX_TITLE:
        raise CannedError(f"标题最多{MAX_TITLE}个字")
    if len(text) > MAX_TEXT:
        raise CannedError(f"内容最多{MAX_TEXT}字")
    return shortcut, title or shortcut, text


def for_user(engine: Engine, username: str) -> list[Reply]:
    """The team's (shipped, then added) and the user's own, in that order."""
    c = canned_table.c
    with engine.connect() as conn:
        rows = conn.execute(select(canned_table).where(or_(c.username.is_(None), c.username == username))
                            .order_by(c.username.is_not(None), c.id)).all()
    stored = [Reply(r.id, TEAM if r.username is None else PERSONAL, r.shortcut, r.title, r.text) for r in rows]
    return list(shipped()) + stored


def add(engine: Engine, owner: str | None, shortcut: str, title: str, text: str, now: datetime) -> Reply:
    """A personal reply (`owner` = username) or a team one (`owner` None: supervisors only, the view checks)."""
    shortcut, title, text = check(shortcut, title, text)
    c = canned_table.c
    with engine.begin() as conn:
        owned = conn.execute(select(c.id).where(c.username.is_(None) if owner is None else c.username == owner)).all()
        if len(owned) >= MAX_PER_OWNER:
            raise CannedError(f"最多保存{MAX_PER_OWNER}条快捷回复")
        new_id = conn.execute(canned_table.insert().values(username=owner, shortcut=shortcut, title=title,
                                                           text=text, created_at=now)).inserted_primary_key[0]
    return Reply(int(new_id), TEAM if owner is None else PERSONAL, shortcut, title, text)


def remove(engine: Engine, reply_id: int, owner: str | None) -> bool:
    """Deletes one reply of `owner` (None: a team one); False when there is no such reply of theirs."""
    c = canned_table.c
    with engine.begin() as conn:
        done = conn.execute(delete(canned_table).where(
            c.id == reply_id, c.username.is_(None) if owner is None else c.username == owner)).rowcount
    return bool(done)
