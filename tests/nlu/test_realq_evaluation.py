"""The real-text evaluation helpers on made-up files: texts by row, the four columns, chit-chat."""

import json
from pathlib import Path

import pytest

from bot.evaluation import RealTextMissing, chitchat_columns, chitchat_texts, real_text_columns, resolve_labelled


def _write(path: Path, rows: list[dict]) -> None:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")


def test_labels_get_their_text_by_row_and_the_source_is_checked(tmp_path: Path) -> None:
    _write(tmp_path / "hualv_questions.jsonl", [{"text": "甲", "source": "s#0"}, {"text": "乙", "source": "s#1"}])
    items = resolve_labelled([{"n": 0, "row": 1, "source": "s#1", "label": "debt"}], tmp_path)
    assert items == [{"n": 0, "row": 1, "source": "s#1", "label": "debt", "text": "乙", "category": "debt"}]
    with pytest.raises(ValueError):
        resolve_labelled([{"n": 0, "row": 0, "source": "s#1", "label": "debt"}], tmp_path)


def test_missing_real_texts_are_reported_not_guessed(tmp_path: Path) -> None:
    with pytest.raises(RealTextMissing):
        resolve_labelled([{"n": 0, "row": 0, "source": "s#0", "label": "debt"}], tmp_path / "absent")
    with pytest.raises(RealTextMissing):
        chitchat_texts(tmp_path / "absent")


def test_files_with_texts_are_used_as_they_are() -> None:
    assert resolve_labelled([{"text": "欠薪", "category": "wage_arrears"}]) == [
        {"text": "欠薪", "category": "wage_arrears"}]


def test_the_four_columns_count_legal_questions_only() -> None:
    rows = [("debt", "debt", "answer"), ("debt", "contract", "clarify"), ("marriage_family", "out_of_scope",
            "out_of_scope"), ("criminal", "none", "dialogue"), ("out_of_scope", "out_of_scope", "out_of_scope")]
    cols = real_text_columns(rows, [None, "contract", None, None, None])
    assert cols["n_legal"] == 4
    assert (cols["right_category"], cols["right_or_alternative"]) == (0.25, 0.5)
    assert (cols["turned_away"], cols["classified_none"], cols["sent_to_crisis"]) == (0.25, 0.25, 0.0)
    assert cols["clarified"] == 0.25


def test_chit_chat_not_given_a_legal_answer_is_every_decision_but_an_answer() -> None:
    cols = chitchat_columns(["out_of_scope", "clarify", "dialogue", "answer", "crisis"])
    assert (cols["not_legal_answer"], cols["sent_to_crisis"]) == (0.8, 0.2)


def test_evaluate_skips_cleanly_without_the_real_texts(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, HOTLINE_REALQ_DIR=str(tmp_path))
    for args in (["evaluate", "tests/data/realq_labels.jsonl"], ["evaluate-chitchat"]):
        proc = subprocess.run([sys.executable, "-m", "bot.cli", *args, "--out", str(tmp_path / "out")], cwd=root,
                              env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0 and "skipped" in proc.stderr
