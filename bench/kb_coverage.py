"""How much of the labelled real-question sample the FAQ base answers (issue 14).

Reads the texts from ../shared/realq (evaluation only) and the labels from
tests/data/realq_labels.jsonl. For each legal question it runs the classifier (the category the chat
would use) and the FAQ retrieval with that category and the side the message reveals, and counts:
- answered confidently: the retrieval's confidence test passes;
- of those, the answer comes from the labelled category (or its alternative): a proxy for "on the
  right question", which needs a person to judge.
With --citations, also the held-out check's measure on the two citation annotations
(tests/data/realq_articles.yml, realq_citations.yml): the share answered confidently and, of those,
how often the first cited law / article is one the annotation names.

    .venv/bin/python bench/kb_coverage.py [--model models/…tar.gz] [--citations]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot import taxonomy
from bot.kb import faq, sides
from bot.kb.retrieval import Index
from bot.model import ensure_trained
from bot.paths import PROJECT_ROOT

REALQ = PROJECT_ROOT.parent / "shared" / "realq" / "hualv_questions.jsonl"
LABELS = PROJECT_ROOT / "tests" / "data" / "realq_labels.jsonl"
CITATIONS = [PROJECT_ROOT / "tests" / "data" / name for name in ("realq_articles.yml", "realq_citations.yml")]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path)
    ap.add_argument("--citations", action="store_true", help="also the first-cited law/article precision")
    args = ap.parse_args()
    from bot.classifier import Classifier

    texts = REALQ.read_text(encoding="utf-8").splitlines()
    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    classifier = Classifier(args.model or ensure_trained())
    index = Index(faq.load())
    legal = answered = in_category = 0
    for lab in labels:
        if lab["label"] not in taxonomy.CATEGORIES:
            continue
        legal += 1
        text = json.loads(texts[lab["row"]])["text"]
        c = classifier.classify(text)
        category = c.category if c.category in taxonomy.CATEGORIES else None
        hits = index.search(text, category=category, k=3, sides=sides.detect(text),
                            category_confidence=c.confidence if category else None)
        if hits and index.is_confident(hits):
            answered += 1
            in_category += hits[0].entry.category in (lab["label"], lab.get("alt"))
    print(json.dumps({"legal_questions": legal, "answered_confidently": round(answered / legal, 3),
                      "of_those_in_labelled_category": round(in_category / max(answered, 1), 3),
                      "entries": len(faq.load())}, ensure_ascii=False))
    if args.citations:
        _citations(classifier, index, texts)


def _citations(classifier, index: Index, lines: list[str]) -> None:  # type: ignore[no-untyped-def]
    import yaml

    texts = {json.loads(ln)["source"]: json.loads(ln)["text"] for ln in lines}
    for path in CITATIONS:
        questions = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
        confident = law = article = 0
        for q in questions:
            text = texts[q["source"]]
            c = classifier.classify(text)
            category = c.category if c.category in taxonomy.CATEGORIES else None
            hits = index.search(text, category=category, k=3, sides=sides.detect(text),
                                category_confidence=c.confidence if category else None)
            if not (hits and index.is_confident(hits)):
                continue
            confident += 1
            first = hits[0].entry.citations[0]
            law += first.law in {e["law"] for e in q["expected"]}
            named = {(e["law"], a) for e in q["expected"] for a in e["articles"]}
            article += (first.law, first.article) in named
        print(json.dumps({"annotation": path.name, "questions": len(questions),
                          "answered_confidently": round(confident / len(questions), 3),
                          "first_cited_law": round(law / max(confident, 1), 3),
                          "first_cited_article": round(article / max(confident, 1), 3)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
