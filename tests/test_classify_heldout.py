"""`hotline classify` on the held-out file, through the real CLI and the trained model.

The held-out file was written apart from the training data, in a different style, and is never
trained on. These are the release gates of the foundation issue.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.evaluation import score

ROOT = Path(__file__).resolve().parents[1]
HELDOUT = ROOT / "tests" / "data" / "heldout_classify.jsonl"


@pytest.fixture(scope="module")
def report() -> dict:
    lines = [json.loads(ln) for ln in HELDOUT.read_text(encoding="utf-8").splitlines() if ln.strip()]
    stdin = "\n".join(json.dumps({"text": ln["text"]}, ensure_ascii=False) for ln in lines)
    proc = subprocess.run([sys.executable, "-m", "bot.cli", "classify"], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, check=True, timeout=1800)
    out = [json.loads(ln) for ln in proc.stdout.splitlines() if ln.strip()]
    assert [o["text"] for o in out] == [ln["text"] for ln in lines]  # one line per input, in order
    for o in out:
        assert set(o) == {"text", "category", "confidence", "decision", "entities", "safety"}
        # Crisis only where the crisis flow runs: on the safety rules' crisis tier.
        assert o["safety"] in ("crisis", "concern", None) and (o["category"] == "crisis") == (o["safety"] == "crisis")
    return score((ln["category"], o["category"]) for ln, o in zip(lines, out))


def test_macro_f1(report: dict) -> None:
    assert report["macro_f1"] >= 0.85


def test_crisis_recall_is_total(report: dict) -> None:
    assert report["crisis_recall"] == 1.0


def test_out_of_scope_recall(report: dict) -> None:
    assert report["out_of_scope_recall"] >= 0.9


def test_legal_questions_are_rarely_turned_away(report: dict) -> None:
    assert report["wrongly_out_of_scope_rate"] <= 0.05


def test_legal_questions_are_rarely_sent_to_crisis(report: dict) -> None:
    assert report["wrongly_crisis_rate"] <= 0.02
