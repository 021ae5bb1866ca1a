"""The production store is PostgreSQL: the stores the bot writes, and its tracker store, against a real
server. (Tickets, applications, the WeChat dedup table and console accounts have their own
PostgreSQL-parametrised tests beside their SQLite ones.)"""

from datetime import datetime, timezone

from sqlalchemy import inspect

from bot.store import consultation_log
from bot.store.db import engine


def test_the_old_handoff_events_table_is_gone_on_postgres(postgres_url: str) -> None:
    from bot.store import schema

    schema.upgrade(engine(postgres_url))
    tables = set(inspect(engine(postgres_url)).get_table_names())
    assert "handoff_tickets" in tables and "handoff_events" not in tables


def test_consultation_log_on_postgres_is_masked(postgres_url: str) -> None:
    eng = engine(postgres_url)
    at = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    consultation_log.record(eng, "pg-log-1", "wage_arrears", "老板欠薪 13812345678", False, now=at)
    (row,) = [r for r in consultation_log.between(eng, at, at.replace(hour=11)) if r.sender_id == "pg-log-1"]
    assert row.question == "老板欠薪 138****5678" and not row.answered and row.at == at


def test_the_project_tracker_store_on_postgres_masks_what_it_stores(postgres_url: str) -> None:
    import asyncio

    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered

    from bot.tracker_store import CachedSQLTrackerStore

    u = make_url(postgres_url)
    store = CachedSQLTrackerStore(Domain.empty(), dialect="postgresql", host=u.host, port=u.port, db=u.database,
                                  username=u.username, password=u.password)
    tracker = asyncio.run(store.get_or_create_tracker("citizen-pg"))
    tracker.update(UserUttered("老板欠薪，我的电话13812345678", {"name": "wage_arrears"}))
    asyncio.run(store.save(tracker))
    again = asyncio.run(store.retrieve("citizen-pg"))
    assert again is not None and again.latest_message.text.startswith("老板欠薪")
    with engine(postgres_url).connect() as conn:
        rows = " ".join(r[0] for r in conn.execute(text("select data from events where sender_id = 'citizen-pg'")))
    assert "13812345678" not in rows


def test_two_rasa_servers_on_postgres_never_serve_a_stale_conversation(postgres_url: str) -> None:
    """The project's tracker store on the production database: masked, and version-checked."""
    import asyncio

    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered

    from bot.tracker_store import CachedSQLTrackerStore

    u = make_url(postgres_url)

    def replica() -> CachedSQLTrackerStore:
        return CachedSQLTrackerStore(Domain.empty(), dialect="postgresql", host=u.host, port=u.port,
                                     db=u.database, username=u.username, password=u.password)

    def turn(store: CachedSQLTrackerStore, words: str) -> None:
        tracker = asyncio.run(store.get_or_create_tracker("citizen-pg-2"))
        tracker.update(UserUttered(words, {"name": "debt"}))
        asyncio.run(store.save(tracker))

    a, b = replica(), replica()
    turn(a, "身份证11010519491231002X")
    turn(b, "第二句")
    assert asyncio.run(a.retrieve("citizen-pg-2")).latest_message.text == "第二句"
    assert a.counts["stale"] + a.counts["caught_up"] == 1  # the other replica's turn: caught up or reloaded
    with engine(postgres_url).connect() as conn:
        rows = " ".join(r[0] for r in conn.execute(text("select data from events where sender_id = 'citizen-pg-2'")))
    assert "11010519491231002X" not in rows and "110105********002X" in rows
