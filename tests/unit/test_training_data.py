"""Structural checks over the training data and the domain: every category is covered."""

from pathlib import Path

import pytest
import yaml

from bot import taxonomy
from bot.consultation import categories

ROOT = Path(__file__).resolve().parents[2]


def examples(intent: str) -> list[str]:
    found = []
    for path in (ROOT / "intents").glob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            if block.get("intent") == intent:
                found += [ln[2:].strip() for ln in block["examples"].splitlines() if ln.strip()]
    return found


@pytest.mark.parametrize("category", taxonomy.CATEGORIES)
def test_each_category_has_forty_examples_in_its_own_file(category: str) -> None:
    assert (ROOT / "intents" / f"{category}.yml").exists()
    assert len(set(examples(category))) >= 40


def test_out_of_scope_size() -> None:
    assert len(set(examples(taxonomy.OUT_OF_SCOPE))) >= 150


def test_the_classifier_is_not_trained_on_crisis() -> None:
    # Only the safety rules (bot/safety.py) start the crisis flow; the examples are a test set now
    # (tests/data/crisis_examples.yml).
    assert not examples(taxonomy.CRISIS)
    assert not (ROOT / "intents" / "crisis.yml").exists()


def test_no_example_is_labelled_twice() -> None:
    seen: dict[str, str] = {}
    for intent in [*taxonomy.CATEGORIES, taxonomy.CRISIS, taxonomy.OUT_OF_SCOPE, *taxonomy.DIALOGUE_INTENTS]:
        for ex in examples(intent):
            assert seen.setdefault(ex, intent) == intent, f"{ex!r} is both {seen[ex]} and {intent}"


def test_heldout_file_is_not_in_training_data() -> None:
    import json

    training = {ex for i in [*taxonomy.CATEGORIES, taxonomy.CRISIS, taxonomy.OUT_OF_SCOPE] for ex in examples(i)}
    lines = [json.loads(ln) for ln in (ROOT / "tests/data/heldout_classify.jsonl").read_text().splitlines() if ln]
    assert len(lines) >= 200
    labels = {ln["category"] for ln in lines}
    assert set(taxonomy.CATEGORIES) | {taxonomy.CRISIS, taxonomy.OUT_OF_SCOPE} <= labels <= set(taxonomy.LABELS)
    assert not training & {ln["text"] for ln in lines}


def test_domain_declares_every_intent_and_the_rules_cover_every_category() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for intent in [*taxonomy.CATEGORIES, taxonomy.CRISIS, taxonomy.OUT_OF_SCOPE, *taxonomy.DIALOGUE_INTENTS]:
        assert intent in domain["intents"]
    rules = yaml.safe_load((ROOT / "intents/rules.yml").read_text(encoding="utf-8"))["rules"]
    consult = next(r for r in rules if r["steps"][-1].get("action") == "action_answer_consultation")
    assert {s["intent"] for s in consult["steps"][0]["or"]} == set(taxonomy.CATEGORIES)


def test_every_category_has_a_reply() -> None:
    assert set(categories()) == set(taxonomy.CATEGORIES)
