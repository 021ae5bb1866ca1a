"""What the action server is sent (bot/action_history.py): the recent events, the whole conversation
for every action that writes a ticket's summary."""

from __future__ import annotations

import ast

from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import action_history, rasa_server
from bot.paths import PROJECT_ROOT

WHOLE = {"ticket_summary", "open_ticket"}  # the helpers that read every event of the conversation


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}


def actions_reading_the_whole_conversation() -> set[str]:
    """Action names whose class uses, directly or through functions of the actions package, a helper
    that reads every event."""
    modules = [ast.parse(p.read_text(encoding="utf-8")) for p in sorted((PROJECT_ROOT / "actions").glob("*.py"))]
    functions = {f.name: f for m in modules for f in m.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))}
    whole = set(WHOLE)
    while True:  # functions that call a whole-conversation function, to a fixed point
        more = {name for name, f in functions.items() if name not in whole and _names(f) & whole}
        if not more:
            break
        whole |= more
    found = set()
    for m in modules:
        for cls in (c for c in m.body if isinstance(c, ast.ClassDef)):
            name_fn = next((f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "name"), None)
            if name_fn is None:
                continue
            returned = next(n.value.value for n in ast.walk(name_fn) if isinstance(n, ast.Return)
                            and isinstance(n.value, ast.Constant))
            if _names(cls) & whole:
                found.add(returned)
    return found


def test_every_action_that_summarises_the_conversation_gets_all_of_it() -> None:
    found = actions_reading_the_whole_conversation()
    assert found, "the scan found no ticket-writing action: it is broken"
    assert found <= action_history.WHOLE_CONVERSATION_ACTIONS, found - action_history.WHOLE_CONVERSATION_ACTIONS


def long_tracker(domain: Domain, turns: int) -> DialogueStateTracker:
    events = []
    for i in range(turns):
        events += [ActionExecuted("action_listen"), UserUttered(f"问题{i}", {"name": "debt", "confidence": 0.9}),
                   ActionExecuted("action_answer_consultation"), BotUttered(f"回答{i}")]
    return DialogueStateTracker.from_events("long", events, domain.slots)


def call(domain: Domain, tracker: DialogueStateTracker, action: str) -> dict:
    rasa_server.apply()
    remote = RemoteAction(action, EndpointConfig("http://127.0.0.1:1/webhook"))
    return remote._action_call_format(tracker, domain)


def test_an_action_gets_the_recent_events_with_the_current_state() -> None:
    domain = Domain.load(PROJECT_ROOT / "domain.yml")
    tracker = long_tracker(domain, 100)  # 400 events
    sent = call(domain, tracker, "action_answer_consultation")["tracker"]
    assert len(sent["events"]) == action_history.RECENT_EVENTS
    assert sent["events"] == [e.as_dict() for e in list(tracker.events)[-action_history.RECENT_EVENTS:]]
    assert sent["latest_message"]["text"] == "问题99" and sent["sender_id"] == "long"
    assert sent["slots"] == tracker.current_state()["slots"]


def test_a_ticket_writing_action_and_a_short_conversation_get_everything() -> None:
    domain = Domain.load(PROJECT_ROOT / "domain.yml")
    tracker = long_tracker(domain, 100)
    assert len(call(domain, tracker, "action_request_human")["tracker"]["events"]) == 400
    short = long_tracker(domain, 10)
    assert len(call(domain, short, "action_answer_consultation")["tracker"]["events"]) == 40
