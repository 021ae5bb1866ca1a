"""The first answer's citation on real questions, judged as the held-out check will (issue 14): of the
questions answered confidently, how often the first cited law / article is one a lawyer named.

Two independent annotations (ids and expected articles only; texts read from ../shared/realq):
tests/data/realq_articles.yml (95) and tests/data/realq_citations.yml (65). Retrieval here runs
without the NLU category (no model load in this test); `bench/kb_coverage.py --citations` measures
it with the classifier, as the chat runs it."""

import json
from pathlib import Path

import pytest
import yaml

from bot.kb import faq, sides
from bot.kb.retrieval import Index

ROOT = Path(__file__).resolve().parents[2]
REALQ = ROOT.parent / "shared" / "realq" / "hualv_questions.jsonl"
FILES = [ROOT / "tests" / "data" / "realq_articles.yml", ROOT / "tests" / "data" / "realq_citations.yml"]


def test_the_annotations_name_shipped_articles() -> None:
    from bot.kb import statutes

    shipped = statutes.load_shipped()
    for path in FILES:
        for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            for e in q["expected"]:
                assert all(a in shipped[e["law"]] for a in e["articles"]), (path.name, q["source"], e)


@pytest.mark.skipif(not REALQ.exists(), reason="../shared/realq is not present")
def test_first_cited_law_and_article_on_real_questions() -> None:
    """Measured 2026-12-01 on the 160 (no NLU category here): see docs/knowledge-base.md."""
    lines = REALQ.read_text(encoding="utf-8").splitlines()
    texts = {json.loads(ln)["source"]: json.loads(ln)["text"] for ln in lines}
    index = Index(faq.load())
    questions = [q for path in FILES for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]]
    confident = law = article = 0
    for q in questions:
        text = texts[q["source"]]
        hits = index.search(text, k=3, sides=sides.detect(text))
        if not index.is_confident(hits):
            continue
        confident += 1
        first = hits[0].entry.citations[0]
        law += first.law in {e["law"] for e in q["expected"]}
        article += (first.law, first.article) in {(e["law"], a) for e in q["expected"] for a in e["articles"]}
    assert len(questions) >= 150
    assert confident / len(questions) >= 0.55
    assert law / confident >= 0.78
    assert article / confident >= 0.45
