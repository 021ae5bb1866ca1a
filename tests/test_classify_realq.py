"""`hotline classify` on real citizens' text (../shared/realq), through the real CLI and model.

The texts are other people's words under research-only terms: the project keeps only ids and labels
(tests/data/realq_labels.jsonl: 1,000 real questions labelled in our taxonomy) and reads the texts
from ../shared/realq, which a fresh clone does not have; these tests skip there. The model never
trains on them. The even lines (by n) were looked at while improving the classifier; the odd lines
were not, and are gated on their own as the honest figure.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from bot import taxonomy
from bot.evaluation import (
    REALQ_CHITCHAT,
    REALQ_QUESTIONS,
    RealTextMissing,
    read_jsonl,
    chitchat_columns,
    chitchat_texts,
    real_text_columns,
    realq_dir,
    resolve_labelled,
)

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "data" / "realq_labels.jsonl"


def _classify(texts: list[str]) -> list[dict]:
    stdin = "\n".join(json.dumps({"text": t}, ensure_ascii=False) for t in texts)
    proc = subprocess.run([sys.executable, "-m", "bot.cli", "classify"], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, check=True, timeout=3600)
    out = [json.loads(ln) for ln in proc.stdout.splitlines() if ln.strip()]
    assert len(out) == len(texts)
    return out


@pytest.fixture(scope="module")
def labelled() -> list[dict]:
    items = [json.loads(ln) for ln in LABELS.read_text(encoding="utf-8").splitlines() if ln.strip()]
    try:
        return resolve_labelled(items)
    except RealTextMissing:
        pytest.skip("the real questions (../shared/realq) are not on this machine")


@pytest.fixture(scope="module")
def questions(labelled: list[dict]) -> list[tuple[dict, dict]]:
    return list(zip(labelled, _classify([it["text"] for it in labelled])))


def _columns(pairs: list[tuple[dict, dict]]) -> dict:
    return real_text_columns(((it["category"], o["category"], o["decision"]) for it, o in pairs),
                             [it.get("alt") for it, _ in pairs])


def test_labels_keep_no_text_and_cover_the_taxonomy() -> None:
    items = [json.loads(ln) for ln in LABELS.read_text(encoding="utf-8").splitlines() if ln.strip()]
    assert len(items) >= 800
    assert all("text" not in it for it in items)
    assert {it["label"] for it in items} <= set(taxonomy.LABELS)
    assert [it["n"] for it in items] == list(range(len(items)))


def _grams(text: str, n: int = 4) -> set[str]:
    text = re.sub(r"[\W_]+", "", text)
    return {text[i:i + n] for i in range(len(text) - n + 1)}


def test_no_real_text_is_copied_into_the_training_data() -> None:
    """Neither a real text nor a near copy: no training example of ten or more 4-grams shares 80% of
    them with any one real question or chit-chat turn. The FAQ's questions and paraphrases are
    training examples too (bot/nlu/reference.py)."""
    import yaml

    from bot.nlu.reference import faq_examples

    try:
        real = [row["text"] for name in (REALQ_QUESTIONS, *REALQ_CHITCHAT)
                for row in read_jsonl(realq_dir() / name)]
    except RealTextMissing:
        pytest.skip("the real texts (../shared/realq) are not on this machine")
    index: dict[str, set[int]] = defaultdict(set)
    for i, text in enumerate(real):
        for g in _grams(text):
            index[g].add(i)
    examples = list(faq_examples().texts)
    for path in (ROOT / "intents").glob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            lines = (block.get("examples") or "").splitlines()
            examples += [ln.strip()[2:] for ln in lines if ln.strip()]
    copies = []
    for example in examples:
        grams = _grams(example)
        shared = Counter(i for g in grams for i in index.get(g, ()))
        if len(grams) >= 10 and shared and shared.most_common(1)[0][1] >= 0.8 * len(grams):
            copies.append(example)
    assert not copies


# Gates: what the model reaches now (docs/nlu.md, eleventh session: 80.3% right on all lines, 77.8% on the
# odd lines, 0.3% and 0.4% turned away, no `none`, no crisis; 23.1% asked back), with a small margin
# below the 80%, because FAQ edits retrain the model and move single lines.
ALL_RIGHT = 0.79
HELD_OUT_RIGHT = 0.76
MAX_TURNED_AWAY = 0.02
MAX_NONE = 0.01
MAX_CRISIS = 0.01
# A clarifying question costs the citizen a turn: a question of substance naming a legal word is
# answered from 0.3 (bot/scope.py), which brought this from 39% to 28%.
MAX_CLARIFIED = 0.31


def test_real_questions_all(questions: list[tuple[dict, dict]]) -> None:
    cols = _columns(questions)
    assert cols["right_category"] >= ALL_RIGHT, cols
    assert cols["turned_away"] <= MAX_TURNED_AWAY, cols
    assert cols["classified_none"] <= MAX_NONE, cols
    assert cols["sent_to_crisis"] <= MAX_CRISIS, cols
    assert cols["clarified"] <= MAX_CLARIFIED, cols


def test_real_questions_untouched_half(questions: list[tuple[dict, dict]]) -> None:
    cols = _columns([(it, o) for it, o in questions if it["n"] % 2 == 1])
    assert cols["right_category"] >= HELD_OUT_RIGHT, cols
    assert cols["turned_away"] <= MAX_TURNED_AWAY, cols
    assert cols["classified_none"] <= MAX_NONE, cols
    assert cols["sent_to_crisis"] <= MAX_CRISIS, cols


def test_real_chit_chat_is_not_given_a_legal_answer() -> None:
    try:
        texts = chitchat_texts()
    except RealTextMissing:
        pytest.skip("the real chit-chat (../shared/realq) is not on this machine")
    cols = chitchat_columns(o["decision"] for o in _classify(texts))
    assert cols["not_legal_answer"] >= 0.95, cols
    assert cols["sent_to_crisis"] <= 0.005, cols
