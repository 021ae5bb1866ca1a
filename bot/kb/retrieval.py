"""Hybrid lexical retrieval over the FAQ: BM25 on jieba words plus character n-gram TF-IDF cosine,
fused by normalised score plus reciprocal rank, with a boost for the category the NLU predicted.

Each entry is indexed through its question, paraphrases and (down-weighted) answer; an entry
scores as its best-matching text. The fused confidence is calibrated so that "no confident answer" can be decided: below the
threshold the bot says it is not sure instead of making an answer up. The NLU's category also counts as
evidence in that confidence (`_category_prior`, docs/knowledge-base.md).
"""

from __future__ import annotations

import copy
import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import yaml
from sklearn.preprocessing import normalize as sk_normalize

from bot.kb import facts as facts_mod
from bot.kb.faq import OPPOSITE, FaqEntry
from bot.normalize import normalize
from bot.lexicon import jieba_with
from bot.paths import KNOWLEDGE

SETTINGS = KNOWLEDGE / "retrieval" / "settings.yml"
STOPWORDS = KNOWLEDGE / "retrieval" / "stopwords.txt"
SYNONYMS = KNOWLEDGE / "retrieval" / "synonyms.yml"
BM25_K1, BM25_B = 1.2, 0.75


@dataclass(frozen=True)
class Hit:
    entry: FaqEntry
    score: float  # fused, with the category boost
    confidence: float  # calibrated 0..1: how sure the best match is
    bm25: float
    cosine: float


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    lines = STOPWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(ln.strip() for ln in lines if ln.strip() and not ln.startswith("#"))


def words(text: str) -> list[str]:
    stop = _stopwords()
    return [w for w in jieba_with().cut(normalize(text)) if w.strip() and w not in stop and not _is_punct(w)]


def _is_punct(word: str) -> bool:
    return all(not ch.isalnum() for ch in word)


@lru_cache(maxsize=1)
def _expansions() -> tuple[tuple[re.Pattern[str], str], ...]:
    rules = yaml.safe_load(SYNONYMS.read_text(encoding="utf-8"))["expansions"]
    return tuple((re.compile(r["when"]), str(r["add"])) for r in rules)


def expansion(text: str) -> str:
    """The FAQ's words for the everyday ones a normalised message uses ("我爸走了" → 去世 遗产), or ""."""
    return " ".join(add for when, add in _expansions() if when.search(text))


def expand(text: str) -> str:
    """The normalised message with its expansion added."""
    added = expansion(text)
    return f"{text} {added}" if added else text


class Index:
    """An immutable index over a list of entries; build a new one to reload."""

    def __init__(self, entries: list[FaqEntry], settings_path: Path = SETTINGS) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        settings = yaml.safe_load(settings_path.read_text(encoding="utf-8"))
        self.rrf_k = float(settings["rrf_k"])
        self.bm25_weight = float(settings["bm25_weight"])
        self.answer_weight = float(settings["answer_weight"])
        self.centroid_weight = float(settings["centroid_weight"])
        self.category_boost = float(settings["category_boost"])
        self.answer_threshold = float(settings["answer_threshold"])
        self.side_boost = float(settings.get("side_boost", 0.0))
        self.agree_bonus = float(settings.get("category_agree_bonus", 0.0))
        self.agree_full_at = float(settings.get("category_agree_full_at", 1.0))
        self.disagree_penalty = float(settings.get("category_disagree_penalty", 0.0))
        self.agree_min_words = int(settings.get("category_agree_min_words", 0))
        self.expand_synonyms = bool(settings.get("expand_synonyms", False))
        self.entries = list(entries)
        self.by_id = {e.id: e for e in self.entries}
        texts: list[str] = []
        self._owner: list[int] = []
        self._weight: list[float] = []  # answers count less than questions: they say more than they ask
        for i, e in enumerate(self.entries):
            for t, w in [(e.question, 1.0), *((p, 1.0) for p in e.paraphrases), (e.answer, self.answer_weight)]:
                texts.append(normalize(t))
                self._owner.append(i)
                self._weight.append(w)
        # BM25 postings over words.
        docs = [words(t) for t in texts]
        self._doc_len = [len(d) or 1 for d in docs]
        self._avg_len = sum(self._doc_len) / max(1, len(docs))
        self._postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for d, toks in enumerate(docs):
            for tok, tf in Counter(toks).items():
                self._postings[tok].append((d, tf))
        n = len(docs)
        self._idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self._postings.items()}
        # A word's BM25 contribution to a document does not depend on the query (query words count
        # once), so it is computed here: terms × docs, and a query is a sum of rows (agents' latency).
        self._word_ids = {t: i for i, t in enumerate(self._postings)}
        rows, cols, vals = [], [], []
        for t, plist in self._postings.items():
            for d, tf in plist:
                norm = tf + BM25_K1 * (1 - BM25_B + BM25_B * self._doc_len[d] / self._avg_len)
                rows.append(self._word_ids[t])
                cols.append(d)
                vals.append(self._idf[t] * tf * (BM25_K1 + 1) / norm)
        self._bm25_matrix = sp.csr_matrix((vals, (rows, cols)), shape=(len(self._word_ids), n))
        # Character n-grams catch typos, dialect and words jieba splits differently.
        self._tfidf = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        self._matrix = self._tfidf.fit_transform(texts).T.tocsr()  # terms × docs, for fast products
        # Documents are stored entry by entry, so an entry's best document is a segment maximum.
        self._starts = np.flatnonzero(np.r_[True, np.diff(self._owner) != 0])
        self._weights = np.asarray(self._weight)
        # Each entry as a whole: the normalised mean of its texts. Matching the entry's overall
        # vocabulary, not only its single best text, ranks paraphrased situations much better.
        by_doc = self._matrix.T.tocsr()  # docs × terms (`docs` above is the word lists)
        owners = np.asarray(self._owner)
        centroids = sp.vstack([sp.csr_matrix(by_doc[owners == e].mean(axis=0))
                               for e in range(len(self.entries))])
        self._centroids = sk_normalize(centroids).T.tocsr()  # terms × entries
        self._analyzer = self._tfidf.build_analyzer()
        self._vocabulary = self._tfidf.vocabulary_
        self._term_idf = self._tfidf.idf_
        self._categories = np.array([e.category for e in self.entries])
        self._sides = np.array([e.side for e in self.entries])
        self._opposites = np.array([OPPOSITE.get(e.side, "") for e in self.entries])
        sides: dict[str, set[str]] = defaultdict(set)
        for e in self.entries:
            if e.side:
                sides[e.category].add(e.side)
        self.sides_by_category = {c: frozenset(s) for c, s in sides.items()}  # the sides each topic's entries serve
        self._with_facts = [(i, dict(e.facts)) for i, e in enumerate(self.entries) if e.facts]
        self.case_facts: dict[str, bool] = {}  # what the citizen told of the decisive facts (`told`)

    def told(self, case_facts: Mapping[str, bool]) -> Index:
        """This index for a conversation that told these decisive facts (bot/kb/facts.py): its searches never
        return an entry written for the other value. A shallow copy; the matrices are shared."""
        view = copy.copy(self)
        view.case_facts = dict(case_facts)
        return view

    def _bm25(self, query_words: list[str]) -> np.ndarray:
        """BM25 of every document (zero where no query word occurs)."""
        ids = sorted({self._word_ids[t] for t in query_words if t in self._word_ids})
        return self._dot((ids, np.ones(len(ids))), self._bm25_matrix)

    def _query_vector(self, text: str) -> tuple[list[int], np.ndarray]:
        """The TF-IDF vector of one query (term ids, weights), as the fitted vectoriser would make it."""
        counts = Counter(g for g in self._analyzer(text) if g in self._vocabulary)
        cols = [self._vocabulary[g] for g in counts]
        vals = np.array([(1 + math.log(c)) * self._term_idf[col] for col, c in zip(cols, counts.values())])
        if cols:
            vals /= np.linalg.norm(vals)
        return cols, vals

    @staticmethod
    def _dot(query: tuple[list[int], np.ndarray], terms_by_x: sp.csr_matrix) -> np.ndarray:
        """query · matrix over the matrix's rows for the query's terms; scipy's general product costs
        more than the whole search for a one-row query."""
        cols, vals = query
        n = terms_by_x.shape[1]
        if not cols:
            return np.zeros(n)
        ip = terms_by_x.indptr
        starts, lengths = ip[cols], ip[np.asarray(cols) + 1] - ip[cols]
        # The positions of every row's entries in one vectorised step (no array per row).
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        at = np.arange(int(lengths.sum())) + offsets
        weights = terms_by_x.data[at] * np.repeat(vals, lengths)
        return np.bincount(terms_by_x.indices[at], weights=weights, minlength=n)

    def _best_per_entry(self, doc_scores: np.ndarray) -> np.ndarray:
        return np.maximum.reduceat(doc_scores * self._weights, self._starts)

    def search(self, query: str, category: str | None = None, k: int = 5,
               sides: frozenset[str] = frozenset(), category_confidence: float | None = None) -> list[Hit]:
        """The k best entries; `sides` (revealed by the message) prefers entries written for those
        sides and disfavours those written for the other party. `category`: the NLU's category, with
        its confidence when known (None: a category the caller is sure of, e.g. the conversation's)."""
        text = normalize(query)
        if not text:
            return []
        query_words = words(text)
        told = len(query_words)  # the citizen's own words, before any expansion
        added = expansion(text) if self.expand_synonyms else ""
        if added:
            text, query_words = f"{text} {added}", query_words + words(added)
        n = len(self.entries)
        bm25 = self._best_per_entry(self._bm25(query_words))
        # The bonus rescues long messages whose lexical match is diluted by their length; a short
        # message that matches weakly is vague ("关于那个案子我想了解一下"): guidance, not an entry.
        agree_bonus = self.agree_bonus if told >= self.agree_min_words else 0.0
        query_vector = self._query_vector(text)
        cosine = self._best_per_entry(self._dot(query_vector, self._matrix))
        whole = self._dot(query_vector, self._centroids)
        candidates = (bm25 > 0) | (cosine > 0)
        fused = np.zeros(n)
        for scores, weight in ((bm25, self.bm25_weight), (cosine, 1 - self.bm25_weight)):
            present = scores > 0
            if not present.any():
                continue
            ranks = np.empty(n)
            ranks[np.argsort(-scores, kind="stable")] = np.arange(1, n + 1)
            # Reciprocal rank keeps either list from dominating; the normalised score keeps the gap
            # between a clear winner and the runners-up.
            fused += np.where(present, weight * (scores / scores.max() + 1.0 / (self.rrf_k + ranks)), 0.0)
        if whole.max() > 0:
            fused += self.centroid_weight * whole / whole.max()
        if category:
            fused += self.category_boost * (self._categories == category)
        if sides:
            wanted = list(sides)
            side_match = (np.isin(self._sides, wanted).astype(float)
                          - np.isin(self._opposites, wanted).astype(float))
            if category:
                # A side tells which party's entry of one matter: "我想告" must not pull another
                # matter's plaintiff entry over the NLU category's own.
                side_match *= self._categories == category
            fused += self.side_boost * side_match
        for i, written_for in self._with_facts:
            if facts_mod.contradicts(written_for, self.case_facts):
                candidates[i] = False
        fused = np.where(candidates, fused, -np.inf)
        top = [int(e) for e in np.argsort(-fused, kind="stable")[:k] if candidates[e]]
        return [Hit(self.entries[e], float(fused[e]),
                    self._confidence(float(cosine[e]), float(bm25[e]))
                    + self._category_prior(self.entries[e].category, category, category_confidence,
                                           agree_bonus),
                    float(bm25[e]), float(cosine[e])) for e in top]

    @staticmethod
    def _confidence(cosine: float, bm25: float) -> float:
        # Cosine is on a fixed 0..1 scale; BM25 grows with query length, so it is squashed.
        return 0.7 * cosine + 0.3 * (1 - math.exp(-bm25 / 8))

    def _category_prior(self, entry_category: str, category: str | None, category_confidence: float | None,
                        agree_bonus: float) -> float:
        """Evidence from the classifier, which reads the whole message: on real questions an entry of
        the NLU's category is on the right matter about nine times in ten, one of another category
        about one time in three, whatever the lexical match (tests/data/realq_labels.jsonl). A weak
        NLU call counts less. No category: no evidence either way."""
        if not category:
            return 0.0
        if entry_category != category:
            return -self.disagree_penalty
        sure = 1.0 if category_confidence is None else min(1.0, category_confidence / self.agree_full_at)
        return agree_bonus * sure

    def is_confident(self, hits: list[Hit]) -> bool:
        return bool(hits) and hits[0].confidence >= self.answer_threshold
