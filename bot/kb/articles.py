"""Article search over the whole shipped statute corpus (knowledge/statutes: every article of every
reference text), for agents: the long tail the FAQ does not cover.

Character n-gram TF-IDF (sublinear, like BM25's saturation) over each article's text, prefixed
with its law's short title so that a question naming a law finds it. When FAQ entries match the
question, the articles they cite and the other articles of their laws are preferred: the FAQ
knows which law governs a matter better than surface words do.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from bot.kb.statutes import short_title
from bot.normalize import normalize

# Tuned on the even half of tests/data/realq_articles.yml (first article expected 0.22, law 0.56).
CITED_BOOST = 4.0  # an article an FAQ hit cites, scaled by the hit's confidence: the FAQ knows the law
LAW_BOOST = 0.3  # any article of a law an FAQ hit cites
MAX_DF_SHARE = 0.05  # query n-grams in more articles than this say nothing about which article
MIN_PRUNED_DF = 50  # never prune n-grams rarer than this (small corpora)
MAX_QUERY_CHARS = 600  # the first few sentences carry the matter; the rest costs time
NGRAM = 2


@dataclass(frozen=True)
class ArticleHit:
    law: str
    article: str
    text: str
    score: float


class ArticleIndex:
    """Immutable; build once per shipped corpus (about a second for 6,000 articles)."""

    def __init__(self, shipped: dict[str, dict[str, str]]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.keys: list[tuple[str, str]] = []
        texts: list[str] = []
        for law in sorted(shipped):
            for article, text in shipped[law].items():
                self.keys.append((law, article))
                texts.append(normalize(f"{short_title(law)} {text}"))
        self._texts = {key: shipped[key[0]][key[1]] for key in self.keys}
        self._position = {key: i for i, key in enumerate(self.keys)}
        # Keys are sorted by law, so each law's articles are one slice of the score vector.
        self._law_span: dict[str, tuple[int, int]] = {}
        for i, (law, _) in enumerate(self.keys):
            start, _end = self._law_span.get(law, (i, i))
            self._law_span[law] = (start, i + 1)
        self._tfidf = TfidfVectorizer(analyzer="char", ngram_range=(NGRAM, NGRAM), sublinear_tf=True,
                                      dtype=np.float32)
        self._matrix = self._tfidf.fit_transform(texts).T.tocsr()  # terms × articles
        self._analyzer = self._tfidf.build_analyzer()
        self._vocabulary = self._tfidf.vocabulary_
        self._idf = self._tfidf.idf_
        # Frequent n-grams ("人民", "规定") have long postings and cost most of a query's time.
        self._min_idf = math.log((1 + len(texts)) / (1 + max(MIN_PRUNED_DF, MAX_DF_SHARE * len(texts)))) + 1

    def __len__(self) -> int:
        return len(self.keys)

    def lookup(self, law: str, article: str) -> ArticleHit | None:
        text = self._texts.get((law, article))
        return ArticleHit(law, article, text, 1.0) if text is not None else None

    def _scores(self, text: str) -> np.ndarray:
        counts = Counter(g for g in self._analyzer(text)
                         if g in self._vocabulary and self._idf[self._vocabulary[g]] >= self._min_idf)
        n = len(self.keys)
        if not counts:
            return np.zeros(n)
        cols = [self._vocabulary[g] for g in counts]
        vals = np.array([(1 + math.log(c)) * self._idf[col] for col, c in zip(cols, counts.values())])
        vals /= np.linalg.norm(vals)
        ip = self._matrix.indptr
        starts, lengths = ip[cols], ip[np.asarray(cols) + 1] - ip[cols]
        at = np.arange(int(lengths.sum())) + np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        weights = self._matrix.data[at] * np.repeat(vals, lengths)
        return np.bincount(self._matrix.indices[at], weights=weights, minlength=n)

    def search(self, query: str, k: int = 5,
               cited: Iterable[tuple[str, str, float]] = ()) -> list[ArticleHit]:
        """The k most relevant articles. `cited`: (law, article, weight 0..1) from FAQ entries that
        match the question; those articles and their laws are preferred."""
        text = normalize((query or "")[:MAX_QUERY_CHARS])
        if k <= 0:
            return []
        if not text:
            return []
        scores = self._scores(text)
        top = scores.max()
        if top <= 0:
            return []
        scores = scores / top
        laws: dict[str, float] = {}
        for law, article, weight in cited:
            i = self._position.get((law, article))
            if i is not None:
                scores[i] += CITED_BOOST * weight
            laws[law] = max(laws.get(law, 0.0), weight)
        for law, weight in laws.items():
            if law in self._law_span:
                start, end = self._law_span[law]
                scores[start:end] += LAW_BOOST * weight
        k = min(k, len(scores))
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [ArticleHit(*self.keys[i], self._texts[self.keys[i]], round(float(scores[i]), 4))
                for i in best if scores[i] > 0]


def cited_by(hits: Iterable[object]) -> list[tuple[str, str, float]]:
    """(law, article, confidence) of every citation of the given FAQ hits (retrieval.Hit)."""
    out = []
    for h in hits:
        for c in h.entry.citations:  # type: ignore[attr-defined]
            out.append((c.law, c.article, float(h.confidence)))  # type: ignore[attr-defined]
    return out
