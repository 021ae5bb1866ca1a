"""What the action server is sent of a conversation: its recent events, or all of them for the actions
that summarise the whole conversation.

Rasa sends the whole tracker with every custom-action call. At turn 200 that is about 1,500 events,
serialised, sent and parsed twice a turn, which made a long conversation's turns slower and slower
(bench/profile_turns.py). The actions read the slots, the latest message and the last few turns
(actions/common.py: the last 10 messages at most), so they get the last RECENT_EVENTS events. Only the
actions that write a ticket's summary (every entity the citizen named, every FAQ answer given:
actions/common.py ticket_summary) get the whole conversation; tests/test_action_history.py finds them
in the action code and fails if one is missing here.
"""

from __future__ import annotations

import itertools
from typing import Any

# About 20 turns: a turn is 6 to 10 events (listen, message, action, bot replies, slots).
RECENT_EVENTS = 200

WHOLE_CONVERSATION_ACTIONS = frozenset({
    "action_request_human", "action_request_mediation",  # actions/handoff.py
    "action_handle_low_confidence",  # hands over after repeated fallbacks (actions/fallback.py)
    "action_handle_crisis", "validate_crisis_form",  # actions/crisis.py
    "validate_callback_form", "action_submit_callback",  # actions/callback.py
    "action_finish_legal_aid",  # actions/legal_aid.py
})


def needs_whole_conversation(action_name: str) -> bool:
    return action_name in WHOLE_CONVERSATION_ACTIONS


class RecentEvents:
    """A tracker as Rasa's action call sees it, whose full state holds only the recent events."""

    def __init__(self, tracker: Any, all_verbosity: Any, none_verbosity: Any, count: int = RECENT_EVENTS) -> None:
        self._tracker, self._all, self._none, self._count = tracker, all_verbosity, none_verbosity, count

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tracker, name)

    def current_state(self, event_verbosity: Any = None) -> dict[str, Any]:
        if event_verbosity != self._all:
            return self._tracker.current_state(event_verbosity)
        state = self._tracker.current_state(self._none)
        events = self._tracker.events
        state["events"] = [e.as_dict() for e in itertools.islice(events, max(0, len(events) - self._count), None)]
        return state
