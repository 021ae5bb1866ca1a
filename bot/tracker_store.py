"""The project's tracker store, named in endpoints.yml: a SQL tracker store that masks personal numbers
in what it writes and keeps recent conversations in memory between turns.

Rasa rebuilds the tracker from every stored event at each turn, which made a turn's cost grow with
the conversation. The database stays the source of truth: every turn is written through before the
reply goes out, and a conversation is served from memory only if its last save succeeded and the
database still holds exactly what it held after that save (one indexed query: the count and the
largest id of the conversation's events). Another process that wrote to or pruned the conversation
makes the next turn reload it. ID numbers and mobile numbers are masked in what is written (the
forms keep them only encrypted).

Settings (environment): HOTLINE_TRACKER_CACHE=off serves every turn from the database;
HOTLINE_TRACKER_CACHE_MB (default 64) bounds the memory held by cached conversations (an estimate per
conversation, least recently used first out). The cache logs its size every 1,000 saves.

Loading this class also installs the project's Rasa patches (bot/rasa_server.py), or refuses to start.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Optional

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered,
                                     deserialise_events)
from rasa.shared.core.trackers import DialogueStateTracker

from bot import dialogue_states, heap, rasa_server
from bot.masking import mask_text_in
from bot.security.files import private_sqlite

logger = logging.getLogger(__name__)

CACHE_ENV = "HOTLINE_TRACKER_CACHE"
CACHE_MB_ENV = "HOTLINE_TRACKER_CACHE_MB"
DEFAULT_CACHE_MB = 64
REPORT_EVERY = 1_000  # saves between two log lines with the cache's size
MAX_ABSENT = 10_000  # new conversations between retrieval and first save remembered at most

# Bytes a cached conversation holds in Python objects, measured with tracemalloc on trackers shaped like
# the hotline's turns (tests/test_tracker_store.py::test_the_size_estimate_is_close_to_what_python_holds):
# a user message carries its parse data (intent ranking, entities), the others are small.
TRACKER_BYTES = 2_000
EVENT_BYTES = {UserUttered: 3_000, BotUttered: 1_200, ActionExecuted: 700, SlotSet: 600}
OTHER_EVENT_BYTES = 600
TEXT_BYTES_PER_CHAR = 8  # text, its copy in parse data and its masked copy


def event_bytes(event: Event) -> int:
    size = EVENT_BYTES.get(type(event), OTHER_EVENT_BYTES)
    text = getattr(event, "text", None)
    if isinstance(text, str):
        size += TEXT_BYTES_PER_CHAR * len(text)
    value = getattr(event, "value", None)
    if isinstance(value, str):
        size += 2 * len(value)
    return size


def estimate_bytes(events: Iterable[Event]) -> int:
    return TRACKER_BYTES + sum(event_bytes(e) for e in events)


def _only_listening(tracker: DialogueStateTracker) -> bool:
    return all(isinstance(e, ActionExecuted) and e.action_name == ACTION_LISTEN_NAME for e in tracker.events)


def cache_enabled(env: dict[str, str] | None = None) -> bool:
    value = (env if env is not None else os.environ).get(CACHE_ENV, "on").strip().lower()
    return value not in ("off", "0", "false", "no")


def cache_limit_bytes(env: dict[str, str] | None = None, default_mb: float = DEFAULT_CACHE_MB) -> int:
    raw = (env if env is not None else os.environ).get(CACHE_MB_ENV)
    try:
        mb = float(raw) if raw else float(default_mb)
    except ValueError:
        raise ValueError(f"{CACHE_MB_ENV} must be a number of megabytes, not {raw!r}") from None
    return max(0, int(mb * 1024 * 1024))


@dataclass
class _Cached:
    tracker: DialogueStateTracker
    stored: int  # how many of its events are stored (spares Rasa's count query on save)
    version: tuple[int, int]  # (count, largest id) of the conversation's rows right after the save
    size: int  # estimated bytes
    events_size: int  # of which its events (the next save adds only the new events' estimate)


class _PersonalNumbersMasked:
    """An event as it is written to the database: ID numbers and mobile numbers in its texts, entities
    and slot values masked (review M6).

    The forms keep the numbers themselves only encrypted (Fernet tokens in the slots, left as they are:
    bot/legal_aid/intake.py, actions/callback.py), so a form resumed from the database still has them;
    the citizen's message and Rasa's copy of it in the requested slot would otherwise store them in clear.
    """

    def __init__(self, event: Event) -> None:
        self._event = event
        self.type_name = event.type_name

    def as_dict(self) -> dict[str, Any]:
        return mask_text_in(self._event.as_dict())


class CachedSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, cache_mb: float | None = None, **kwargs: Any) -> None:
        rasa_server.apply()  # the handoff gate and the other patches, or PatchError: never silently absent
        try:
            super().__init__(*args, **kwargs)
        except (AttributeError, ImportError) as error:
            # Rasa answers those from a custom tracker store by falling back to an in-memory store
            # that keeps nothing and masks nothing, with only a warning: refuse to start instead.
            raise RuntimeError(f"the hotline tracker store cannot start: {error}") from error
        # Errors (and so logs) show the SQL, never the conversation's text (review M6).
        self.engine.hide_parameters = True
        if self.engine.url.get_backend_name() == "sqlite":
            self._pooled_write_ahead_log()
            private_sqlite(self.engine.url.database)
        self.cache_on = cache_enabled()
        self.cache_limit = cache_limit_bytes(default_mb=DEFAULT_CACHE_MB if cache_mb is None else float(cache_mb))
        self._cache: OrderedDict[str, _Cached] = OrderedDict()
        self._bytes = 0
        self._saves = 0
        self.counts = {"hits": 0, "caught_up": 0, "misses": 0, "stale": 0, "evicted": 0}
        # A conversation served from memory: how many of its events are stored and its version, for
        # the save that ends its turn (spares Rasa's count query).
        self._pending: dict[str, tuple[int, tuple[int, int]]] = {}
        # A conversation served from memory: how many events its last estimate covered, and that estimate.
        self._sized: dict[str, tuple[int, int]] = {}
        # The conversation's version before and after the rows of the save in progress (Rasa's save
        # runs without an await between reading and committing, so one pair per store suffices).
        self._before: tuple[int, int] | None = None
        self._after: tuple[int, int] | None = None
        # Conversations the database did not hold when this turn retrieved them (see save).
        self._absent: set[str] = set()
        logger.info("tracker cache %s, limit %.0f MB", "on" if self.cache_on else "off",
                    self.cache_limit / 1024 / 1024)

    def _pooled_write_ahead_log(self) -> None:
        """SQLite (the embedded stack) in write-ahead-log mode, its connections kept open.

        With Rasa's engine (a new connection per session) and the rollback journal, a commit took 19 ms
        of fsyncs on this machine's disk, on Rasa's event loop, and with WAL the close of the last
        connection checkpointed the log into the database, one fsync more. In WAL mode a commit is one
        append and one fsync of the log (4 ms here; synchronous stays FULL, so still durable), and
        SQLite checkpoints every 1,000 pages by itself. Readers (retention, the console) no longer
        block the writer; busy_timeout covers the rest. Rasa uses the store from its event loop only."""
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, poolclass=sa.pool.QueuePool, pool_size=2, max_overflow=4,
                                       connect_args={"check_same_thread": False}, hide_parameters=True)

        @sa.event.listens_for(self.engine, "connect")
        def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")  # kept in the file; a no-op after the first time
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()

        self.sessionmaker = sessionmaker(bind=self.engine)
        with self.engine.connect():  # WAL from now on, and the log's files exist for private_sqlite
            pass

    # -- the version of a conversation in the database
    def _version(self, session: Any, sender_id: str) -> tuple[int, int]:
        ev = self.SQLEvent
        count, largest = session.execute(
            sa.select(sa.func.count(ev.id), sa.func.max(ev.id)).where(ev.sender_id == sender_id)).one()
        return int(count or 0), int(largest or 0)

    def version(self, sender_id: str) -> tuple[int, int]:
        with self.session_scope() as session:
            return self._version(session, sender_id)

    # -- memory
    def _drop(self, sender_id: str) -> Optional[_Cached]:
        entry = self._cache.pop(sender_id, None)
        if entry is not None:
            self._bytes -= entry.size
        return entry

    def stats(self) -> dict[str, Any]:
        return {"on": self.cache_on, "conversations": len(self._cache), "bytes": self._bytes,
                "limit_bytes": self.cache_limit, **self.counts}

    def _report(self) -> None:
        s = self.stats()
        logger.info("tracker cache: %d conversations, %.1f of %.0f MB; hits %d, misses %d, stale %d, evicted %d",
                    s["conversations"], s["bytes"] / 1024 / 1024, s["limit_bytes"] / 1024 / 1024,
                    s["hits"], s["misses"], s["stale"], s["evicted"])

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        # Taken out while a turn runs: if the turn fails before saving, the next one reloads.
        entry = self._drop(sender_id)
        if entry is not None:
            current = self.version(sender_id)
            if current == entry.version or self._caught_up(sender_id, entry, current):
                self.counts["hits" if current == entry.version else "caught_up"] += 1
                self._pending[sender_id] = (len(entry.tracker.events), current)
                self._sized[sender_id] = (entry.stored, entry.events_size)
                return entry.tracker
            self.counts["stale"] += 1  # another process pruned or rewrote it: the database wins
        elif self.cache_on:
            self.counts["misses"] += 1
        self._pending.pop(sender_id, None)
        self._sized.pop(sender_id, None)
        tracker = await super().retrieve(sender_id)
        if tracker is None:
            if len(self._absent) >= MAX_ABSENT:  # turns that never saved (failed) must not pile up
                for sender in self._absent:
                    self._pending.pop(sender, None)
                self._absent.clear()
            self._absent.add(sender_id)
            if self.cache_on:
                self._pending[sender_id] = (0, (0, 0))  # nothing stored: spares the save's count query
        else:
            self._absent.discard(sender_id)
        return tracker

    def _caught_up(self, sender_id: str, entry: _Cached, current: tuple[int, int]) -> bool:
        """Another replica added turns since this one's save (round-robin REST, a replica that died):
        the cached tracker takes just those events, if the rows it was built from are all still there
        unchanged and none of the new ones starts a session. Otherwise the caller reloads everything."""
        (known, known_max), (count, largest) = entry.version, current
        if count <= known or largest <= known_max:
            return False
        ev = self.SQLEvent
        with self.session_scope() as session:
            kept = session.execute(sa.select(sa.func.count(ev.id)).where(
                ev.sender_id == sender_id, ev.id <= known_max)).scalar()
            rows = session.execute(sa.select(ev.id, ev.type_name, ev.data).where(
                ev.sender_id == sender_id, ev.id > known_max, ev.id <= largest).order_by(ev.id)).all()
        if kept != known or len(rows) != count - known or any(r.type_name == SessionStarted.type_name for r in rows):
            return False
        for event in deserialise_events([json.loads(r.data) for r in rows]):
            entry.tracker.update(event)
        return True

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        known = self._pending.pop(tracker.sender_id, None)
        if known is None or not self.cache_on:
            new = super()._additional_events(session, tracker)
        else:
            new = itertools.islice(tracker.events, known[0], None)
        self._before = self._version(session, tracker.sender_id) if self.cache_on else None
        return self._masked(session, tracker.sender_id, new)

    def _masked(self, session: Any, sender_id: str, events: Iterable[Event]) -> Iterator[_PersonalNumbersMasked]:
        written = 0
        for event in events:
            written += 1
            yield _PersonalNumbersMasked(event)
        if self._before is not None:
            # Rasa has added every row: read the version in the save's own transaction, before it
            # commits. It proves the cached copy only if the rows grew by exactly what this save wrote
            # (nobody else wrote in between).
            session.flush()
            after = self._version(session, sender_id)
            if after[0] == self._before[0] + written:
                self._after = after

    async def save(self, tracker: DialogueStateTracker) -> None:
        sender = tracker.sender_id
        if sender in self._absent:
            if _only_listening(tracker):
                # Rasa saves a new conversation as soon as it creates it, with nothing in it but
                # action_listen, then again at the end of its first turn: a second commit for every
                # citizen's first message. The end of the turn writes that event with the others;
                # a turn that fails before then leaves the conversation absent, as it found it.
                return
            self._absent.discard(sender)
        previous = self._drop(sender)
        if previous is not None:
            self._pending.setdefault(sender, (previous.stored, previous.version))
            self._sized.setdefault(sender, (previous.stored, previous.events_size))
        self._before = self._after = None
        await super().save(tracker)  # on failure nothing is cached, so the next turn reloads
        after, self._before, self._after = self._after, None, None
        sized = self._sized.pop(sender, None)
        # The store counts stored events from the last session start. A tracker that started a new
        # session mid-way holds more than that session, so it is reloaded from the database instead.
        if after is None or not all(i <= 1 for i, e in enumerate(tracker.events) if isinstance(e, SessionStarted)):
            return
        # With the policies' states the tracker keeps between turns (bot/dialogue_states.py).
        if sized is not None and sized[0] <= len(tracker.events):
            events_size = sized[1] + sum(event_bytes(e) for e in itertools.islice(tracker.events, sized[0], None))
        else:
            events_size = estimate_bytes(tracker.events)
        size = events_size + dialogue_states.memo_bytes(tracker)
        if size > self.cache_limit:
            return
        self._cache[sender] = _Cached(tracker, len(tracker.events), after, size, events_size)
        self._bytes += size
        while self._bytes > self.cache_limit and self._cache:
            _, evicted = self._cache.popitem(last=False)
            self._bytes -= evicted.size
            self.counts["evicted"] += 1
        self._saves += 1
        if self._saves % REPORT_EVERY == 0:
            self._report()
            heap.release(collect=False)  # what evicted conversations freed, back to the system (bot/heap.py)
