"""The remembered dialogue states (bot/dialogue_states.py) are exactly Rasa's, after every event of a
conversation with forms, reverts and a new session, and a turn no longer replays the conversation."""

from __future__ import annotations

import random

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, ActionReverted, ActiveLoop, SessionStarted, SlotSet,
                                     UserUttered, UserUtteranceReverted)
from rasa.shared.core.trackers import DialogueStateTracker

from bot import dialogue_states, rasa_server
from bot.paths import PROJECT_ROOT

rasa_server.apply()


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(PROJECT_ROOT / "domain.yml")


def rasa_states(domain: Domain, events: list) -> list:
    """Rasa's own computation, on a fresh tracker holding the same events."""
    tracker = DialogueStateTracker.from_events("check", events, domain.slots)
    out = []
    for prior, _hidden in tracker.generate_all_prior_trackers():
        out.append(domain._clean_state(domain.get_active_state(prior)))
    return out


def user(intent: str, text: str = "问题", entities: list | None = None) -> UserUttered:
    return UserUttered(text, {"name": intent, "confidence": 0.9}, entities or [])


def turn(intent: str, *actions: str, slots: dict | None = None) -> list:
    events = [ActionExecuted("action_listen"), user(intent)]
    for name in actions:
        events.append(ActionExecuted(name))
        for slot, value in (slots or {}).items():
            events.append(SlotSet(slot, value))
    return events


def conversation(seed: int) -> list:
    rng = random.Random(seed)
    events: list = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    for i in range(40):
        pick = rng.random()
        if pick < 0.5:
            events += turn(rng.choice(["wage_arrears", "debt", "marriage_family"]), "action_answer_consultation",
                           slots={"category": "debt"})
        elif pick < 0.65:  # a form: activated, executed on several turns (Rasa undoes the repeats), ended
            events += [*turn("apply_legal_aid", "legal_aid_form"), ActiveLoop("legal_aid_form"),
                       SlotSet("requested_slot", "aid_consent")]
            for _ in range(rng.randint(1, 4)):
                events += [ActionExecuted("action_listen"), user("affirm"), ActionExecuted("legal_aid_form"),
                           SlotSet("aid_consent", True)]
            events += [ActiveLoop(None), SlotSet("requested_slot", None)]
        elif pick < 0.75:
            events += [*turn("thank", "utter_you_are_welcome"), UserUtteranceReverted()]
        elif pick < 0.85:
            events += [*turn("greet", "utter_greet"), ActionReverted()]
        elif pick < 0.9:
            events += [ActionExecuted("action_session_start"), SessionStarted(), SlotSet("category", "debt"),
                       ActionExecuted("action_listen")]
        else:
            events += turn("continue_consult", "utter_ask_topic")
    return events


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_states_are_rasas_after_every_event(domain: Domain, seed: int) -> None:
    events = conversation(seed)
    tracker = DialogueStateTracker.from_events("grows", [], domain.slots)
    for i, event in enumerate(events):
        tracker.update(event)
        if i % 3 == 0 or i == len(events) - 1:
            assert tracker.past_states(domain) == rasa_states(domain, events[: i + 1]), f"after event {i}"


@pytest.mark.parametrize("seed", [1, 2, 3, 7])
def test_the_applied_events_are_rasas_after_every_event(domain: Domain, seed: int) -> None:
    events = conversation(seed)
    tracker = DialogueStateTracker.from_events("grows", [], domain.slots)
    for i, event in enumerate(events):
        tracker.update(event)
        fresh = DialogueStateTracker.from_events("fresh", events[: i + 1], domain.slots)
        assert tracker.applied_events() == fresh.applied_events(), f"after event {i}"
    got = tracker.applied_events()
    got.clear()  # a caller's copy
    assert tracker.applied_events() == fresh.applied_events()


def test_callers_may_edit_what_they_get(domain: Domain) -> None:
    events = conversation(4)
    tracker = DialogueStateTracker.from_events("edits", events, domain.slots)
    first = tracker.past_states(domain)
    for state in first:  # as Rasa's featurizer does to the last state
        state.get("user", {}).pop("intent", None)
        state.pop("prev_action", None)
    assert tracker.past_states(domain) == rasa_states(domain, events)


def test_a_new_turn_replays_only_its_own_events(domain: Domain, monkeypatch) -> None:
    events = conversation(5)
    tracker = DialogueStateTracker.from_events("count", events, domain.slots)
    tracker.past_states(domain)
    computed = []
    real = Domain.get_active_state

    def counting(self, tr, omit_unset_slots=False):  # type: ignore[no-untyped-def]
        computed.append(1)
        return real(self, tr, omit_unset_slots=omit_unset_slots)

    for event in turn("debt", "action_answer_consultation"):
        tracker.update(event)
    expected = rasa_states(domain, list(tracker.events))
    monkeypatch.setattr(Domain, "get_active_state", counting)
    assert tracker.past_states(domain) == expected
    assert len(computed) <= 3  # the two new actions and the final state, not the whole conversation


def test_rule_only_states_still_go_to_rasa(domain: Domain) -> None:
    events = conversation(6)
    tracker = DialogueStateTracker.from_events("rules", events, domain.slots)
    tracker.past_states(domain, ignore_rule_only_turns=True, rule_only_data={"slots": [], "loops": []})
    assert dialogue_states.MEMO_ATTRIBUTE not in tracker.__dict__


def test_rules_match_as_in_rasa_on_the_states_as_far_back_as_the_longest_rule(domain: Domain) -> None:
    import json

    from rasa.core.policies.rule_policy import RulePolicy

    class Policy(RulePolicy):
        def __init__(self) -> None:  # only the matching methods are used
            pass

    def rasas(policy: RulePolicy, lookup: dict, states: list) -> set:  # RulePolicy._get_possible_keys, Rasa 3.6
        keys = set(lookup)
        for i, state in enumerate(reversed(states)):
            keys = {k for k in keys if policy._is_rule_applicable(k, i, state)}
        return keys

    events = conversation(9)
    states = DialogueStateTracker.from_events("rules", events, domain.slots).past_states(domain)
    rng = random.Random(9)
    lookup = {}
    for _ in range(60):  # rules cut from the conversation itself, so that many of them match
        end = rng.randint(1, len(states))
        start = max(0, end - rng.randint(1, 4))
        lookup[json.dumps(states[start:end], sort_keys=True)] = "some_action"
    lookup[json.dumps([{}, *states[1:3]], sort_keys=True)] = "conversation_start_rule"
    policy = Policy()
    for cut in range(1, len(states) + 1, 7):
        assert policy._get_possible_keys(lookup, states[:cut]) == rasas(policy, lookup, states[:cut]), cut


def same_tracker(a: DialogueStateTracker, b: DialogueStateTracker) -> None:
    assert set(vars(a)) - {dialogue_states.MEMO_ATTRIBUTE, dialogue_states.APPLIED_ATTRIBUTE} == set(vars(b)) - {
        dialogue_states.MEMO_ATTRIBUTE, dialogue_states.APPLIED_ATTRIBUTE}
    for key, value in vars(b).items():
        if key in (dialogue_states.MEMO_ATTRIBUTE, dialogue_states.APPLIED_ATTRIBUTE):
            continue
        mine = vars(a)[key]
        if key == "events":
            assert list(mine) == list(value) and mine.maxlen == value.maxlen and mine is not value
        elif key == "slots":
            assert {n: (s.value, s.has_been_set) for n, s in mine.items()} == {
                n: (s.value, s.has_been_set) for n, s in value.items()}
        elif key == "active_loop":
            assert vars(mine) == vars(value) if value is not None else mine is None
        else:
            assert mine == value, key


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_copy_is_rasas_replayed_copy_after_every_event(domain: Domain, seed: int) -> None:
    events = conversation(seed)
    tracker = DialogueStateTracker.from_events("copied", [], domain.slots)
    for event in events:
        tracker.update(event)
        same_tracker(dialogue_states.fast_copy(tracker), DialogueStateTracker.travel_back_in_time(tracker, float("inf")))
    copied = tracker.copy()
    copied.update(SlotSet("category", "changed"))
    copied.update(ActiveLoop("crisis_form"))
    assert tracker.get_slot("category") != "changed" and len(copied.events) == len(tracker.events) + 2


def test_a_copy_keeps_the_applied_events_and_both_stay_rasas(domain: Domain) -> None:
    events = conversation(11)
    tracker = DialogueStateTracker.from_events("copied", events, domain.slots)
    tracker.applied_events()
    copied = tracker.copy()
    assert dialogue_states.APPLIED_ATTRIBUTE in vars(copied)
    more = turn("debt", "action_answer_consultation")
    for event in more:
        copied.update(event)
    fresh = DialogueStateTracker.from_events("fresh", events + more, domain.slots)
    assert copied.applied_events() == fresh.applied_events()
    assert tracker.applied_events() == DialogueStateTracker.from_events("f", events, domain.slots).applied_events()
