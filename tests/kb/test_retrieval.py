"""Retrieval, assist and reload on the shipped base."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.kb import assist, faq, statutes
from bot.kb.evaluation import score
from bot.kb.retrieval import Index
from bot.knowledge_base import KnowledgeBase

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def index() -> Index:
    return Index(faq.load())


@pytest.mark.parametrize(
    ("question", "category", "expected"),
    [("租房到期房东扣着押金不退", "housing_property", "housing_property-"),
     ("被邻居家的狗咬了谁赔", None, "personal_injury-"),
     ("老闆欠我工資不給，去哪裡投訴", "wage_arrears", "wage_arrears-")],  # Traditional characters
)
def test_search_finds_the_topic(index: Index, question: str, category: str | None, expected: str) -> None:
    hits = index.search(question, category=category)
    assert hits[0].entry.id.startswith(expected)
    assert index.is_confident(hits)


@pytest.mark.parametrize("question", ["", "   ", "今天天气不错，适合出去玩", "😀😀"])
def test_no_confident_answer_for_nothing_or_chit_chat(index: Index, question: str) -> None:
    assert not index.is_confident(index.search(question))


def test_a_huge_question_is_answered_without_error(index: Index) -> None:
    out = assist.suggest(index, "房东不退押金怎么办，" * 1000)
    assert out["suggestions"] and out["suggestions"][0]["faq_id"].startswith("housing_property-")


def test_assist_shape(index: Index) -> None:
    out = assist.suggest(index, "借给朋友5万块钱不还，有借条")
    assert set(out) >= {"category", "confidence", "entities", "suggestions", "next_step"}
    assert out["category"] == "debt"
    assert {"entity": "money", "value": 50000, "start": 4, "end": 8} in out["entities"]
    s = out["suggestions"][0]
    assert set(s) == {"faq_id", "question", "answer", "citations", "score"}
    assert s["citations"][0]["law"].startswith(("中华人民共和国", "最高人民法院"))


def test_reload_keeps_the_last_good_base(tmp_path: Path) -> None:
    faq_dir = tmp_path / "faq"
    shutil.copytree(faq.FAQ_DIR, faq_dir)
    kb = KnowledgeBase(faq_dir, statutes.STATUTES_DIR, stamp=tmp_path / "stamp")
    before = len(kb.index.entries)
    (faq_dir / "debt.yml").write_text("category: debt\nentries:\n- id: [broken\n", encoding="utf-8")
    assert kb.reload() is False
    assert len(kb.index.entries) == before  # still answering from the last good base
    assert kb.last_error and kb.last_error.startswith("debt.yml:")
    (faq_dir / "debt.yml").unlink()
    (tmp_path / "stamp").touch()
    kb.refresh_if_requested()
    assert len(kb.index.entries) < before and kb.last_error is None


def test_faq_scores_worked_example() -> None:
    results = [
        {"gold": "a-1", "ranked": ["a-1", "b-1", "c-1"], "confidence": 0.9},
        {"gold": "a-2", "ranked": ["b-1", "a-2", "c-1"], "confidence": 0.5},
        {"gold": "a-3", "ranked": ["b-1", "c-1", "d-1"], "confidence": 0.2},
        {"gold": None, "ranked": ["b-1"], "confidence": 0.1},
    ]
    r = score(results, threshold=0.3)
    assert (r["top1"], r["top3"]) == (1 / 3, 2 / 3)
    assert r["mrr"] == pytest.approx((1 + 0.5) / 3)
    assert r["no_answer_precision"] == 1.0  # both declines were right: a wrong match and an unanswerable one


def test_hotline_suggest_cli_one_line_per_input_in_order() -> None:
    lines = [{"text": "工伤认定要多久"}, {"text": ""}, {"text": "離婚後孩子歸誰"}]
    proc = subprocess.run([sys.executable, "-m", "bot.cli", "suggest"], cwd=ROOT, capture_output=True, text=True,
                          input="\n".join(json.dumps(x, ensure_ascii=False) for x in lines), timeout=900, check=True)
    out = [json.loads(ln) for ln in proc.stdout.splitlines()]
    assert len(out) == 3
    assert out[0]["suggestions"][0]["faq_id"].startswith("work_injury-")
    assert out[1]["suggestions"] == [] and out[1]["next_step"] == "human"
    assert out[2]["category"] == "marriage_family"
