"""The dialogue states the policies see, computed once per event instead of once per prediction.

Rasa turns the whole conversation into one state per action at every prediction (RulePolicy asks for
them three or four times a turn): it copies the tracker empty and replays every event, computing the
state before each action. Over a 200-turn conversation that replay became the largest cost of a turn
(bench/profile_turns.py: a third of a turn's time at turn 200) and grew with every turn.

The states before an action never change once later events are appended, so the tracker keeps them
with the replayed copy that produced them; the next call replays only the events added since. When
the applied events are not the old ones plus new ones (a form's repeated execution or a revert
rewrites the tail, a restart or new session clears it), it replays from the start, exactly as Rasa does.
Only the states Rasa computes for rule data (RulePolicy; `ignore_rule_only_turns` off) are kept;
other calls go to Rasa's own code. Callers get copies: Rasa's featurizer edits the last state in place.

The list of applied events (the events minus what reverts, restarts and a form's repeated executions
undo) is kept the same way: Rasa rebuilt it from every event five times a turn, checking each event's
class against ABCs; the tracker now extends it with the new events while they are plain ones (no
revert, restart, session start, loop activation or loop execution) and rebuilds it otherwise.

Rasa also copies the tracker before every action it runs (to drop the policy's events if the action is
rejected), by replaying every event into an empty tracker. `fast_copy` copies the tracker's state
instead: the same event objects in a new list, copies of the slots and of the active loop, the other
attributes as they are. tests/test_dialogue_states.py compares it with Rasa's replay, attribute by
attribute, after every event of randomised conversations.

Installed by bot/rasa_server.py with the other patches.
"""

from __future__ import annotations

import copy as copy_module
from dataclasses import dataclass, field
from typing import Any, Callable

MEMO_ATTRIBUTE = "_hotline_prior_states"
APPLIED_ATTRIBUTE = "_hotline_applied_events"
# What the kept states cost, measured with tracemalloc on the hotline's domain (50 slots;
# tests/test_tracker_store.py checks the estimate): the replayed copy holds its own slots, each state
# a few small dicts.
REPLAY_BYTES_PER_SLOT = 300
STATE_BYTES = 750


@dataclass
class _Replay:
    domain: Any
    omit_unset_slots: bool
    tracker: Any  # the empty copy, replayed up to `applied`
    applied: list = field(default_factory=list)  # the applied events replayed so far
    states: list = field(default_factory=list)  # the state before each ActionExecuted among them


def _continues(old: list, new: list) -> bool:
    """Whether `new` is `old` followed by more events (the same event objects)."""
    if len(new) < len(old):
        return False
    if old and new[len(old) - 1] is not old[-1]:
        return False
    return all(a is b for a, b in zip(old, new))


def _copy(state: dict) -> dict:
    return {key: dict(sub) if isinstance(sub, dict) else sub for key, sub in state.items()}


def install(original: Callable, action_executed: type) -> Callable:
    """A replacement for `Domain.states_for_tracker_history` built on Rasa's own `original`."""

    def states_for_tracker_history(self: Any, tracker: Any, omit_unset_slots: bool = False,
                                   ignore_rule_only_turns: bool = False, rule_only_data: Any = None) -> list:
        if ignore_rule_only_turns:
            return original(self, tracker, omit_unset_slots=omit_unset_slots,
                            ignore_rule_only_turns=ignore_rule_only_turns, rule_only_data=rule_only_data)
        applied = tracker.applied_events()
        replay = tracker.__dict__.get(MEMO_ATTRIBUTE)
        if (replay is None or replay.domain is not self or replay.omit_unset_slots != omit_unset_slots
                or not _continues(replay.applied, applied)):
            replay = _Replay(self, omit_unset_slots, tracker.init_copy())
            tracker.__dict__[MEMO_ATTRIBUTE] = replay
        replayed = replay.tracker
        for event in applied[len(replay.applied):]:
            if isinstance(event, action_executed):
                replay.states.append(self._clean_state(self.get_active_state(replayed, omit_unset_slots=omit_unset_slots)))
            replayed.update(event)
            replay.applied.append(event)
        last = self._clean_state(self.get_active_state(replayed, omit_unset_slots=omit_unset_slots))
        return [*(_copy(s) for s in replay.states), last]

    return states_for_tracker_history


@dataclass
class _Applied:
    events: Any  # the tracker's deque, as it was when `applied` was computed
    count: int  # how many of its events
    last: Any  # the last of them (the deque only grows; a bounded one drops old events)
    applied: list
    loops: frozenset  # names of the loops activated anywhere in those events


def install_applied_events(original: Callable, rewriting: tuple[type, ...], action_executed: type,
                           active_loop: type) -> Callable:
    """A replacement for `DialogueStateTracker.applied_events`; `rewriting` are the event classes that
    undo or clear earlier events (reverts, restarts, session starts)."""

    def plain(event: Any, loops: frozenset) -> bool:
        if isinstance(event, rewriting):
            return False
        if isinstance(event, active_loop):
            return not event.name or event.name in loops
        return not (isinstance(event, action_executed) and event.action_name in loops)

    def applied_events(self: Any) -> list:
        events = self.events
        count = len(events)
        memo = self.__dict__.get(APPLIED_ATTRIBUTE)
        if (memo is not None and memo.events is events and memo.count <= count
                and (memo.count == 0 or events[memo.count - 1] is memo.last)):
            new = [events[i] for i in range(memo.count, count)] if count - memo.count < 64 else list(events)[memo.count:]
            if all(plain(e, memo.loops) for e in new):
                memo.applied.extend(new)
                memo.count, memo.last = count, (events[-1] if count else None)
                return list(memo.applied)
        applied = original(self)
        loops = frozenset(e.name for e in events if isinstance(e, active_loop) and e.name)
        self.__dict__[APPLIED_ATTRIBUTE] = _Applied(events, count, events[-1] if count else None, list(applied), loops)
        return applied

    return applied_events


# What init_copy sets as Rasa's replayed copy has it (sender_source is not carried over by Rasa either).
_FROM_INIT_COPY = frozenset({"sender_id", "sender_source", "is_rule_tracker", "_max_event_history"})


def fast_copy(tracker: Any) -> Any:
    """The tracker's copy, as `DialogueStateTracker.copy` makes it by replaying every event."""
    new = tracker.init_copy()
    for key, value in tracker.__dict__.items():
        if key in _FROM_INIT_COPY or key in (MEMO_ATTRIBUTE, APPLIED_ATTRIBUTE):
            continue
        if key == "events":
            value = new._create_events(list(value))
        elif key == "slots":
            slots = new.slots
            slots.clear()
            slots.update((name, copy_module.copy(slot)) for name, slot in value.items())
            continue
        elif key in ("active_loop", "latest_action"):
            value = copy_module.copy(value)  # changed in place by later events
        new.__dict__[key] = value
    applied = tracker.__dict__.get(APPLIED_ATTRIBUTE)
    if applied is not None and applied.events is tracker.events and applied.count == len(tracker.events):
        # The copy's applied events are the original's: the action it is made for need not rebuild them.
        new.__dict__[APPLIED_ATTRIBUTE] = _Applied(new.events, applied.count, applied.last, list(applied.applied),
                                                   applied.loops)
    return new


def memo_bytes(tracker: Any) -> int:
    """Estimated bytes of what the tracker keeps for its states (0 if nothing), for the tracker
    cache's bound (bot/tracker_store.py)."""
    size = 0
    applied = tracker.__dict__.get(APPLIED_ATTRIBUTE)
    if applied is not None:
        size += 8 * len(applied.applied) + 200
    replay = tracker.__dict__.get(MEMO_ATTRIBUTE)
    if replay is not None:
        size += (REPLAY_BYTES_PER_SLOT * len(replay.tracker.slots) + STATE_BYTES * len(replay.states)
                 + 8 * len(replay.applied))
    return size


def forget(tracker: Any) -> None:
    """Drops what the tracker keeps (before it is stored in a cache bounded in bytes, for example)."""
    tracker.__dict__.pop(MEMO_ATTRIBUTE, None)
    tracker.__dict__.pop(APPLIED_ATTRIBUTE, None)
