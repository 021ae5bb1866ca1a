"""Names used from Python exist in the Rasa domain: slots, forms and intents in bot/names.py, and every
response an action or a domain module utters (style review 2026-12-01, §4 and §8)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml

from actions.crisis import CONCERN_KINDS, CRISIS_KINDS
from bot import names, safety

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
RESPONSE = re.compile(r"utter_[a-z0-9_]*[a-z0-9]")  # a prefix ("utter_aid_" + field) is not a name
NOT_RESPONSES = {"utter_action"}  # Rasa's metadata key naming the response a bot turn came from


def _constants(prefix: str) -> dict[str, str]:
    return {k: v for k, v in vars(names).items() if k.startswith(prefix) and isinstance(v, str)}


def test_every_slot_name_is_a_domain_slot() -> None:
    missing = {k: v for k, v in _constants("SLOT_").items() if v not in DOMAIN["slots"]}
    assert missing == {}


def test_every_form_and_intent_name_is_in_the_domain() -> None:
    assert {v for v in _constants("FORM_").values()} <= set(DOMAIN["forms"])
    assert {v for v in _constants("INTENT_").values()} <= set(DOMAIN["intents"])


def _python_responses() -> set[str]:
    """Whole string constants naming a response, in the production code and the knowledge data."""
    found: set[str] = set()
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "actions").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and RESPONSE.fullmatch(node.value):
                found.add(node.value)
    for path in (ROOT / "knowledge").rglob("*.yml"):
        found.update(m.group() for m in re.finditer(RESPONSE.pattern + r"(?![a-z0-9_{])",
                                                      path.read_text(encoding="utf-8")))
    return found - NOT_RESPONSES


def test_every_response_named_in_code_or_data_is_in_the_domain() -> None:
    assert sorted(_python_responses() - set(DOMAIN["responses"])) == []


def test_the_responses_named_by_kind_are_in_the_domain() -> None:
    named = {f"utter_crisis_{k}" for k in CRISIS_KINDS} | {f"utter_crisis_followup_{k}" for k in CRISIS_KINDS}
    named |= {f"utter_concern_{k}" for k in CONCERN_KINDS} | {f"utter_crisis_followup_{safety.VIOLENCE_NOW}"}
    assert sorted(named - set(DOMAIN["responses"])) == []


def test_the_check_finds_responses() -> None:
    assert {"utter_faq_answer", "utter_aid_submitted"} <= _python_responses()


def test_no_action_module_types_a_slot_or_form_name_again() -> None:
    known = set(_constants("SLOT_").values()) | set(_constants("FORM_").values()) | {names.REQUESTED_SLOT}
    retyped = []
    for path in (ROOT / "actions").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and node.value.value in known:
                retyped.append(f"{path.name}:{node.lineno}")
    assert retyped == []
