"""Agent assist: suggested FAQ answers for the caller in front of a hotline agent.

Shared by `hotline suggest` and `POST /api/assist/suggest`. The category comes from the bot's NLU
when the caller provides it (the CLI classifies in-process; the console knows the conversation's
category); otherwise it is the category of the retrieved entries.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from bot import consultation
from bot.entities import extract_all
from bot.kb import sides
from bot.kb.articles import ArticleHit, ArticleIndex, cited_by
from bot.kb.retrieval import Hit, Index
from bot.normalize import normalize

MAX_QUERY_CHARS = 2000
ARTICLES = 3  # articles shown to the agent


def suggest(index: Index, text: str, category: str | None = None, confidence: float | None = None,
            k: int = 3, articles: ArticleIndex | None = None, today: date | None = None) -> dict[str, Any]:
    """Suggested answers; with `articles`, also the most relevant articles of the whole statute
    corpus (the long tail), each with its law, number and text."""
    text = (text or "")[:MAX_QUERY_CHARS]
    hits = index.search(text, category=category, k=k, sides=sides.detect(text),
                        category_confidence=confidence)
    confident = index.is_confident(hits)
    if category is None:
        votes = Counter(h.entry.category for h in hits)
        category = votes.most_common(1)[0][0] if hits and confident else "other_legal"
        confidence = hits[0].confidence if hits else 0.0
    return {
        "category": category,
        "confidence": round(float(confidence or 0.0), 4),
        "entities": [{"entity": e.entity, "value": e.value, "start": e.start, "end": e.end}
                     for e in extract_all(normalize(text), today)],
        "suggestions": [
            {"faq_id": h.entry.id, "question": h.entry.question, "answer": h.entry.answer,
             "citations": [{"law": c.law, "article": c.article, "quote": c.quote} for c in h.entry.citations],
             "score": round(h.confidence, 4)}
            for h in hits
        ],
        # No confident answer: the agent, not the FAQ, should take it from here.
        "next_step": hits[0].entry.next_step if confident else "human",
        "confident": confident,
        # Not confident: what usually matters in the category, for the agent to start from.
        "guidance": "" if confident else consultation.info(category).summary,
        "articles": [{"law": a.law, "article": a.article, "text": a.text, "score": a.score}
                     for a in _articles(articles, text, hits, confident)],
    }


def _articles(articles: ArticleIndex | None, text: str, hits: list[Hit], confident: bool) -> list[ArticleHit]:
    """A confident answer's own articles (no search: agents' latency); otherwise the long tail's
    most relevant articles of the whole corpus."""
    if articles is None:
        return []
    if confident:
        found = (articles.lookup(c.law, c.article) for c in hits[0].entry.citations)
        return list(dict.fromkeys(a for a in found if a is not None))[:ARTICLES]
    return articles.search(text, k=ARTICLES, cited=cited_by(hits))
