"""The console through aiohttp's test client, on a fresh SQLite database (or PostgreSQL)."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timezone

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.console import users
from bot.handoff import store, tickets
from bot.knowledge_base import KnowledgeBase
from bot.store.db import engine
from bot.web.app import init_app

PASSWORD = "correct horse battery"
FERNET_KEY = "vOvH6sdmpNWjRRIqCc7rdxs01lwHzfr3-KMkSADKGTw="


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """argon2 at a test cost (the stored parameters travel with each hash; production keeps the defaults)."""
    from argon2 import PasswordHasher

    from bot.console import auth

    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return KnowledgeBase()


@pytest.fixture
def eng(request, tmp_path, monkeypatch):
    """SQLite with five users, one per role (two agents); `@pytest.mark.parametrize("eng", ["postgres"],
    indirect=True)` for PostgreSQL."""
    monkeypatch.setenv("HOTLINE_FERNET_KEY", FERNET_KEY)
    if getattr(request, "param", "sqlite") == "postgres":
        from tests.eligibility.test_applications import reset_schema

        e = engine(request.getfixturevalue("postgres_url"))
        reset_schema(e)
    else:
        e = engine(f"sqlite:///{tmp_path / 'console.db'}")
    for name, role in (("agent1", "agent"), ("agent2", "agent"), ("med1", "mediator"), ("boss", "supervisor"),
                       ("officer", "legal_aid_officer")):
        users.add_user(e, name, PASSWORD, role, display_name=name.upper())
    return e


@pytest.fixture(params=["sqlite", "postgres"])
def db(request, tmp_path):
    """An empty database at the latest migration: SQLite, then a real PostgreSQL."""
    from bot.store.db import engine

    if request.param == "sqlite":
        return engine(f"sqlite:///{tmp_path / 'users.db'}")
    from tests.eligibility.test_applications import reset_schema

    e = engine(request.getfixturevalue("postgres_url"))
    reset_schema(e)
    return e


@pytest.fixture
def notified(monkeypatch) -> list[str]:
    """The relay is another process; here it only records whom it was asked to notify."""
    calls: list[str] = []

    async def fake(sender_id: str) -> bool:
        calls.append(sender_id)
        return True

    from bot.handoff import delivery

    monkeypatch.setattr(delivery, "notify_async", fake)
    return calls


def open_ticket(e, sender: str = "c1", reason: str = tickets.REASON_REQUEST, category: str | None = "wage_arrears",
                text: str = "老板拖欠我三个月工资怎么办", **extra) -> tickets.Ticket:
    summary = tickets.build_summary(category, {"money": ["35000"], "phone": ["138****5678"]}, [],
                                    [{"speaker": "citizen", "text": text}, {"speaker": "bot", "text": "好的"}])
    t = store.open_ticket(e, sender_id=sender, channel="rest", reason=reason, category=category, summary=summary,
                          now=datetime.now(timezone.utc), **extra)
    store.record_citizen_message(e, t.reference, text, datetime.now(timezone.utc))
    return t


class Console:
    """A browser-like client: cookies kept, CSRF token read from the page."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.csrf = ""

    async def login(self, username: str, password: str = PASSWORD, headers: dict | None = None) -> int:
        page = await (await self.client.get("/console/login", headers=headers)).text()
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        resp = await self.client.post("/console/login", data={"csrf": token, "username": username,
                                                               "password": password}, allow_redirects=False,
                                      headers=headers)
        if resp.status == 302:
            self.csrf = (await (await self.client.get("/console/api/me", headers=headers)).json())["csrf"]
        return resp.status

    async def logout(self) -> None:
        await self.client.post("/console/logout", data={"csrf": self.csrf}, allow_redirects=False)

    async def post(self, path: str, data: dict | None = None, csrf: str | None = None, **kw):
        form = dict(data or {})
        form.setdefault("csrf", self.csrf if csrf is None else csrf)
        return await self.client.post(path, data=form, allow_redirects=False, **kw)

    async def get(self, path: str, **kw):
        return await self.client.get(path, allow_redirects=False, **kw)


def run(kb, e, scenario):
    async def go():
        async with TestClient(TestServer(init_app(kb, engine=e))) as client:
            return await scenario(Console(client))

    return asyncio.run(go())
