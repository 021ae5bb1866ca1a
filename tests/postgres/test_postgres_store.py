"""The production store is PostgreSQL: the same code paths against a real server."""

from datetime import datetime, timezone

from bot.store import handoff_events
from bot.store.db import engine


def test_handoff_events_on_postgres(postgres_url: str) -> None:
    eng = engine(postgres_url)
    crisis = handoff_events.record(eng, "crisis", "wx-1", "wage_arrears", "不想活了 13812345678",
                                   now=datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc))
    handoff_events.record(eng, "request_human", "wx-2", None, "转人工",
                          now=datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc))
    pending = handoff_events.pending(eng)
    assert [e.reference for e in pending][0] == crisis.reference  # crisis first despite being later
    assert "138****5678" in pending[0].summary


def test_rasa_tracker_store_on_postgres(postgres_url: str) -> None:
    from sqlalchemy.engine import make_url

    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    u = make_url(postgres_url)
    store = SQLTrackerStore(Domain.empty(), dialect="postgresql", host=u.host, port=u.port, db=u.database,
                            username=u.username, password=u.password)
    tracker = DialogueStateTracker.from_events("citizen-pg", [UserUttered("老板欠薪", {"name": "wage_arrears"})])
    import asyncio

    asyncio.run(store.save(tracker))
    again = asyncio.run(store.retrieve("citizen-pg"))
    assert again is not None and again.latest_message.text == "老板欠薪"


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
    assert a.counts["stale"] == 1
    with engine(postgres_url).connect() as conn:
        rows = " ".join(r[0] for r in conn.execute(text("select data from events where sender_id = 'citizen-pg-2'")))
    assert "11010519491231002X" not in rows and "110105********002X" in rows
