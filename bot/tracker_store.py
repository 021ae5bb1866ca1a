"""A SQL tracker store that keeps recent conversations in memory between turns.

Rasa rebuilds the tracker from every stored event at each turn, which made a turn's cost grow with
the conversation. The database stays the source of truth: every turn is written through before the
reply goes out, and a conversation is served from memory only if its last save succeeded. ID numbers
and mobile numbers are masked in what is written (the forms keep them only encrypted). Assumes
one Rasa server process per database (the `hotline run` default).
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from typing import Any, Iterator, Optional

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

from bot.masking import mask_text_in
from bot.security.files import private_sqlite


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
    def __init__(self, *args: Any, cache_size: int = 10_000, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Errors (and so logs) show the SQL, never the conversation's text (review M6).
        self.engine.hide_parameters = True
        if self.engine.url.get_backend_name() == "sqlite":
            private_sqlite(self.engine.url.database)
        self._cache: OrderedDict[str, DialogueStateTracker] = OrderedDict()
        self._cache_size = int(cache_size)
        # How many of a served-from-memory tracker's events are already stored: spares the count
        # query Rasa runs on every save.
        self._stored: dict[str, int] = {}

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        # Taken out while a turn runs: if the turn fails before saving, the next one reloads.
        cached = self._cache.pop(sender_id, None)
        if cached is not None:
            return cached
        self._stored.pop(sender_id, None)
        return await super().retrieve(sender_id)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        stored = self._stored.get(tracker.sender_id)
        if stored is None:
            new = super()._additional_events(session, tracker)
        else:
            new = itertools.islice(tracker.events, stored, None)
        return (_PersonalNumbersMasked(e) for e in new)

    async def save(self, tracker: DialogueStateTracker) -> None:
        self._cache.pop(tracker.sender_id, None)
        await super().save(tracker)  # on failure nothing is cached, so the next turn reloads
        self._stored.pop(tracker.sender_id, None)
        # The store counts stored events from the last session start. A tracker that started a new
        # session mid-way holds more than that session, so it is reloaded from the database instead.
        if all(i <= 1 for i, e in enumerate(tracker.events) if isinstance(e, SessionStarted)):
            self._cache[tracker.sender_id] = tracker
            self._stored[tracker.sender_id] = len(tracker.events)
            if len(self._cache) > self._cache_size:
                evicted, _ = self._cache.popitem(last=False)
                self._stored.pop(evicted, None)
