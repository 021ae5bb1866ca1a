"""The tracker cache with two Rasa servers on one PostgreSQL database (what `--replicas 2` runs): each
serves a conversation from memory only while the database confirms it, so turns alternating between
replicas never see a stale copy. The lock store keeps the turns of one conversation from overlapping."""

import asyncio

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from sqlalchemy.engine import make_url

from bot.tracker_store import CachedSQLTrackerStore


def replica(postgres_url: str) -> CachedSQLTrackerStore:
    u = make_url(postgres_url)
    return CachedSQLTrackerStore(Domain.empty(), dialect="postgresql", host=u.host, port=u.port, db=u.database,
                                 username=u.username, password=u.password)


def turn(store: CachedSQLTrackerStore, sender: str, text: str) -> None:
    tracker = asyncio.run(store.get_or_create_tracker(sender))
    tracker.update(UserUttered(text, {"name": "debt"}))
    asyncio.run(store.save(tracker))


def test_turns_alternating_between_two_replicas_always_see_the_whole_history(postgres_url) -> None:
    a, b = replica(postgres_url), replica(postgres_url)
    sender = "replica-alternating"
    said = []
    for i in range(6):
        store = (a, b)[i % 2]
        before = asyncio.run(store.retrieve(sender))
        seen = [e.text for e in before.events if isinstance(e, UserUttered)] if before else []
        assert seen == said  # never a stale copy
        said.append(f"第{i}句")
        turn(store, sender, said[-1])
    # Each noticed the other's turns: took just the new rows (caught up) or reloaded (stale).
    assert a.counts["stale"] + a.counts["caught_up"] >= 2 and b.counts["stale"] + b.counts["caught_up"] >= 2
    # Two turns in a row on one replica: the second is served from memory.
    hits = a.counts["hits"]
    turn(a, sender, "再一句")
    turn(a, sender, "又一句")
    assert a.counts["hits"] >= hits + 1
