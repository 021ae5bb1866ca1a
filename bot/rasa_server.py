"""`python -m bot.rasa_server run …`: Rasa's own CLI with two hot-path fixes applied first.

Profiling the stack under load (bench/load.py with py-spy) showed two costs that do no useful work:
- every custom-action reply was checked with `jsonschema.validate`, which re-checks the schema
  itself each time (a fifth of the server's time);
- every stored event was turned back into its class by scanning all Event subclasses;
- every prediction replayed the whole conversation to compute the policies' states, so a turn cost
  more with every turn (bot/dialogue_states.py keeps them between predictions and turns);
- every action ran on a copy of the tracker made by replaying every event (a copy of its state now);
- every custom-action call sent the whole conversation; most actions now get its recent events
  (bot/action_history.py);
- RulePolicy matched every rule against every state of the conversation; only the states as far back
  as the longest rule can change the match.

It also installs the handoff gate (bot/handoff/channel.py): while an agent holds a conversation the
bot stays silent, and the agent's messages reach the citizen over the citizen's own channel.

A message a client sends again with the same message id (REST, bot/message_ids.py) is answered with
the replies already given, checked under the conversation's lock, and not handled a second time.

And it stops the root route from printing Rasa's version (review L5): `GET /` answers "ok".

`apply()` runs however Rasa is started with the project's files: from this entry point, from the
tracker store named in endpoints.yml (bot/tracker_store.py) and from the handoff relay channel named in
credentials.yml (bot/handoff/channel.py). It is idempotent, and it raises `PatchError` at start-up if
a piece of Rasa it patches is missing or changed (an upgrade), so the stack never runs without the
gate or the masking, silently.
"""

from __future__ import annotations

import inspect
import logging
import os
import sys
from typing import Any, Callable

_APPLIED = "_hotline_patched"
logger = logging.getLogger(__name__)


class PatchError(RuntimeError):
    """A Rasa attribute the project patches is not what it expects. Deliberately not an
    AttributeError/ImportError: Rasa swallows those when loading a custom tracker store or channel."""


def patch_target(owner: Any, name: str, params: list[str] | None = None, coroutine: bool | None = None) -> Callable:
    """`owner.name` as Rasa defines it (or as we already patched it); PatchError if it is missing or
    its shape changed."""
    target = getattr(owner, name, None)
    where = f"{getattr(owner, '__module__', '')}.{getattr(owner, '__qualname__', getattr(owner, '__name__', owner))}.{name}"
    if target is None or not callable(target):
        raise PatchError(f"cannot patch {where}: it is missing in this Rasa version; refusing to start without it")
    if getattr(target, _APPLIED, False):
        return target
    if coroutine is not None and inspect.iscoroutinefunction(target) != coroutine:
        raise PatchError(f"cannot patch {where}: expected {'a coroutine' if coroutine else 'a plain function'}")
    if params is not None:
        found = list(inspect.signature(target).parameters)
        if found[: len(params)] != params:
            raise PatchError(f"cannot patch {where}: expected parameters {params}, found {found}")
    return target


def mark(fn: Callable) -> Callable:
    setattr(fn, _APPLIED, True)
    return fn


def _compile_action_response_validator() -> None:
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    original = patch_target(RemoteAction, "_validate_action_result", ["self", "result"])
    if getattr(original, _APPLIED, False):
        return
    schema = patch_target(RemoteAction, "action_response_format_spec")()
    validator = validator_for(schema)(schema)

    def validate(self: RemoteAction, result: dict) -> bool:
        try:
            validator.validate(result)
        except ValidationError:
            return original(self, result)  # same error message as Rasa's
        return True

    RemoteAction._validate_action_result = mark(validate)  # type: ignore[method-assign]


def _index_event_types() -> None:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    original = patch_target(Event, "resolve_by_type", ["type_name", "default"])
    if getattr(original, _APPLIED, False):
        return
    by_name: dict[str, type] = {}

    def resolve_by_type(type_name: str, default: type | None = None) -> type | None:
        cls = by_name.get(type_name)
        if cls is None:
            for sub in all_subclasses(Event):
                by_name.setdefault(sub.type_name, sub)  # the first match wins, as in Rasa
            cls = by_name.get(type_name)
        return cls if cls is not None else original(type_name, default)

    Event.resolve_by_type = staticmethod(mark(resolve_by_type))  # type: ignore[assignment]


def _remember_prior_states() -> None:
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import (ActionExecuted, ActionReverted, ActiveLoop, Restarted, SessionStarted,
                                         UserUtteranceReverted)
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot import dialogue_states

    applied = patch_target(DialogueStateTracker, "applied_events", ["self"])
    if not getattr(applied, _APPLIED, False):
        DialogueStateTracker.applied_events = mark(dialogue_states.install_applied_events(  # type: ignore[method-assign]
            applied, (Restarted, SessionStarted, ActionReverted, UserUtteranceReverted), ActionExecuted, ActiveLoop))

    copier = patch_target(DialogueStateTracker, "copy", ["self"])
    if not getattr(copier, _APPLIED, False):
        DialogueStateTracker.copy = mark(dialogue_states.fast_copy)  # type: ignore[method-assign]

    original = patch_target(Domain, "states_for_tracker_history",
                            ["self", "tracker", "omit_unset_slots", "ignore_rule_only_turns", "rule_only_data"])
    if getattr(original, _APPLIED, False):
        return
    Domain.states_for_tracker_history = mark(dialogue_states.install(original, ActionExecuted))  # type: ignore[method-assign]


def _match_rules_on_their_length() -> None:
    from rasa.core.policies.rule_policy import RulePolicy

    original = patch_target(RulePolicy, "_get_possible_keys", ["self", "lookup", "states"])
    if getattr(original, _APPLIED, False):
        return

    def _get_possible_keys(self: RulePolicy, lookup: dict, states: list) -> set:
        # Rasa checks every rule against every state of the conversation, but a state further back
        # than a rule's length matches it by definition (RulePolicy._is_rule_applicable): the
        # states older than the longest rule change nothing and cost a turn more at every turn.
        longest = max((len(self._rule_key_to_state(key)) for key in lookup), default=0)
        return original(self, lookup, states[-longest:] if 0 < longest < len(states) else states)

    RulePolicy._get_possible_keys = mark(_get_possible_keys)  # type: ignore[method-assign]


def _send_recent_events_to_actions() -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.trackers import EventVerbosity

    from bot import action_history

    original = patch_target(RemoteAction, "_action_call_format", ["self", "tracker", "domain"])
    if getattr(original, _APPLIED, False):
        return

    def _action_call_format(self: RemoteAction, tracker: Any, domain: Any) -> dict:
        if action_history.needs_whole_conversation(self.name()) or len(tracker.events) <= action_history.RECENT_EVENTS:
            return original(self, tracker, domain)
        return original(self, action_history.RecentEvents(tracker, EventVerbosity.ALL, EventVerbosity.NONE), domain)

    RemoteAction._action_call_format = mark(_action_call_format)  # type: ignore[method-assign]


def _quiet_root_route() -> None:
    import rasa.server
    from sanic import response

    if getattr(patch_target(rasa.server, "add_root_route", ["app"]), _APPLIED, False):
        return

    def add_root_route(app) -> None:  # type: ignore[no-untyped-def]
        @app.get("/")
        async def hello(_request):  # type: ignore[no-untyped-def]
            return response.text("ok")

    rasa.server.add_root_route = mark(add_root_route)  # rasa.core.run calls it as server.add_root_route


class _AlreadyHandled(Exception):
    """A client's repeat of a message already handled: carries the replies it got then."""

    def __init__(self, replies: list) -> None:
        super().__init__("message already handled")
        self.replies = replies


def _answer_repeated_messages_once() -> None:
    import functools

    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.processor import MessageProcessor

    from bot import message_ids

    logs = patch_target(MessageProcessor, "_handle_message_with_tracker", ["self", "message", "tracker"],
                        coroutine=True)
    if not getattr(logs, "_answers_once", False):
        # Where Rasa is about to parse the message and add it to the conversation it just loaded (no
        # second load, the tracker cache is used as for any message). Agent.handle_message holds the
        # conversation's lock around the whole turn: a repeat waits for the first handling to be
        # stored, whichever replica has it, and finds it here.
        async def _handle_message_with_tracker(self: Any, message: Any, tracker: Any) -> None:
            message_id = getattr(message, "client_message_id", None)
            if message_id:
                replies = message_ids.earlier_replies(tracker.events, message_id)
                if replies is not None:
                    raise _AlreadyHandled(replies)
            return await logs(self, message, tracker)

        _handle_message_with_tracker._answers_once = True  # type: ignore[attr-defined]
        MessageProcessor._handle_message_with_tracker = mark(_handle_message_with_tracker)  # type: ignore[method-assign]

    original = patch_target(MessageProcessor, "handle_message", ["self", "message"], coroutine=True)
    if getattr(original, "_answers_once", False):
        return

    @functools.wraps(original)  # keeps the gate's markers, so applying twice wraps nothing twice
    async def handle_message(self: Any, message: Any) -> Any:
        try:
            return await original(self, message)
        except _AlreadyHandled as repeat:  # nothing was stored: the turn stopped before its save
            logger.info("message %s was handled already: its replies are sent again",
                        getattr(message, "client_message_id", None))
            for event in repeat.replies:
                await message.output_channel.send_response(message.sender_id, event.message())
            if isinstance(message.output_channel, CollectingOutputChannel):
                return message.output_channel.messages
            return None

    handle_message._answers_once = True  # type: ignore[attr-defined]
    MessageProcessor.handle_message = mark(handle_message)  # type: ignore[method-assign]


def apply() -> None:
    """Installs every patch once; PatchError if one cannot be."""
    from bot import socketio_compat
    from bot.handoff import channel

    socketio_compat.apply()  # Rasa 3.6 does not await enter_room (python-socketio ≥ 5.9)
    _compile_action_response_validator()
    _index_event_types()
    _remember_prior_states()
    _send_recent_events_to_actions()
    _match_rules_on_their_length()
    _quiet_root_route()
    channel.install_gate()
    _answer_repeated_messages_once()  # outside the gate: a repeat is neither relayed nor answered twice


def skip_unused_imports() -> None:
    """TensorFlow (which Rasa imports whatever the pipeline) loads jax for its TFLite converter when
    jax is installed, as TensorFlow 2.12 requires: 66 MB of the Rasa server's memory for nothing it
    runs. TensorFlow handles jax being absent. Only for this entry point, before Rasa is imported."""
    if "tensorflow" not in sys.modules:
        sys.modules.setdefault("jax", None)  # type: ignore[assignment]  # `import jax` → ImportError


def main() -> None:
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    skip_unused_imports()
    apply()
    if sys.argv[1:2] == ["run"]:
        from bot.store.db import engine

        try:
            engine()  # the handoff gate's database at the latest migration before the first message
        except Exception:  # noqa: BLE001 - the gate lets the bot answer and retries on the next message
            logging.getLogger(__name__).exception("the hotline database is not reachable at start-up")
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
