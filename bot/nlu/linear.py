"""Calibrated linear intent models over character and word n-grams (scikit-learn, no Rasa).

Real citizens' messages are long, loosely worded and full of typos; most of what tells their topic is
a few characteristic words anywhere in the text (工资, 离婚, 取保候审, 宅基地). Linear models over
TF-IDF character 1–3-grams and jieba word 1–2-grams read such bags of evidence more robustly than DIET
did on real text (README, NLU design). The default averages a multinomial logistic regression and a
linear SVM calibrated by cross-validation: on the real sample the SVM finds the right category more
often, the logistic regression is the better judge of what is not legal, and the average beat both on
the tuning half. Its probabilities feed the graded scope decision in bot/scope.py.

The SVM also reads reference examples: the curated FAQ's questions and paraphrases (knowledge/faq,
about 3,900 citizen-style texts labelled by their file's category), at a weight below the intents'
examples. Each model has its own vocabulary, so the logistic regression stays on the intents alone:
reading the FAQ made it three times slower to train and the ensemble no better (docs/nlu.md).

Two more members, each with its own share of the mean, see things the linear n-gram models miss: a
complement naive Bayes over the same n-grams, which weighs rare characteristic words more, and a
logistic regression over multilingual-e5 sentence embeddings (bot/nlu/embedding.py), which knows
paraphrases no example uses. Both read the FAQ too. On the odd half of the real sample, never used
to tune them, the three-way mean found the right category for 77% against 72% (docs/nlu.md). The
members are pooled geometrically: a category one of them rules out does not win on the others' mean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence, TypeAlias

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC

from bot.nlu import embedding


def _identity(tokens: list[str]) -> list[str]:
    return tokens


@dataclass
class LinearSettings:
    char_ngrams: tuple[int, int] = (1, 3)
    word_ngrams: tuple[int, int] = (1, 2)
    # Inverse regularisation strength: larger fits the training examples more closely.
    # "svm": a linear SVM with probabilities calibrated by 5-fold cross-validation (sigmoid);
    # "logistic": a multinomial logistic regression; "ensemble": the mean of the two.
    kind: str = "ensemble"
    c: float = 10.0
    svm_c: float = 1.0
    max_iter: int = 3000
    calibration_folds: int = 5
    # Rare n-grams are kept: dropping those seen once trains ten times faster, but cost 3 points of
    # right category on the real sample and doubled the legal questions turned away.
    min_df: int = 1
    # Weight of a reference example (an FAQ question or paraphrase) against an intent example's 1,
    # in the SVM only. 0.3–0.5 found the right category equally often on the real sample; more
    # weight lets the FAQ's wording outvote the intents' labelling conventions.
    reference_weight: float = 0.3
    # Shares of the final probability for the naive Bayes and the embedding members (0: left out);
    # the n-gram SVM and logistic regression split the rest equally. Thirds were chosen before the
    # check half was seen; other shares did no better on the tuning half (docs/nlu.md).
    naive_bayes_weight: float = 1 / 3
    naive_bayes_alpha: float = 0.1
    embedding_weight: float = 1 / 3
    embedding_c: float = 100.0
    # How the members' probabilities are combined: "mean", their weighted mean, or "geometric", the
    # weighted mean of their logarithms renormalised (a category one member rules out stays low).
    # `pooling_floor` is added to each probability first, so that no member's near-zero is a veto;
    # at 0.001 the pooled best probabilities are spread as the mean's were, so the scope thresholds
    # keep their meaning. Geometric found the right category more often on the tuning half (docs/nlu.md).
    pooling: str = "geometric"
    pooling_floor: float = 1e-3


@dataclass
class Examples:
    """Normalised texts, their tokens and their labels, in the same order."""

    texts: list[str] = field(default_factory=list)
    tokens: list[list[str]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)


Model: TypeAlias = CalibratedClassifierCV | LogisticRegression | ComplementNB


def _linear_parts(model: Model) -> list:
    if isinstance(model, CalibratedClassifierCV):
        # scikit-learn names the fitted fold's model `base_estimator` (1.1) or `estimator` (1.2+).
        return [getattr(c, "estimator", None) or c.base_estimator for c in model.calibrated_classifiers_]
    return [model]


class _Member:
    """One linear model over TF-IDF char and word n-grams: its own vocabulary, or that of `reads_as`,
    a member fitted first on the same texts (the same vocabulary, so one copy and one vectorisation)."""

    def __init__(self, settings: LinearSettings, model: Model, weight: float = 1.0,
                 reads_as: _Member | None = None) -> None:
        self.settings = settings
        self.model = model
        self.weight = weight
        self.shared = reads_as is not None
        self.chars: TfidfVectorizer
        self.words: TfidfVectorizer
        if reads_as is not None:
            self.chars, self.words = reads_as.chars, reads_as.words
        else:
            self.chars = TfidfVectorizer(analyzer="char", ngram_range=settings.char_ngrams, sublinear_tf=True,
                                         min_df=settings.min_df)
            self.words = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=settings.min_df)

    def _word_grams(self, tokens: Sequence[str]) -> list[str]:
        lo, hi = self.settings.word_ngrams
        tokens = [t for t in tokens if t.strip()]
        return [" ".join(tokens[i:i + n]) for n in range(lo, hi + 1) for i in range(len(tokens) - n + 1)]

    def features(self, texts: Sequence[str], tokens: Sequence[Sequence[str]], fit: bool = False) -> csr_matrix:
        grams = [self._word_grams(t) for t in tokens]
        if fit:
            return hstack([self.chars.fit_transform(texts), self.words.fit_transform(grams)]).tocsr()
        features = hstack([self.chars.transform(texts), self.words.transform(grams)]).tocsr()
        # A compacted model's weights are float32: features of the same type multiply without a copy.
        return features.astype(np.float32) if getattr(self, "compacted", False) else features

    def compact(self) -> None:
        for linear in _linear_parts(self.model):
            # Column-major, so that the transposed weights scikit-learn multiplies by are contiguous.
            name = "feature_log_prob_" if isinstance(linear, ComplementNB) else "coef_"
            setattr(linear, name, np.asfortranarray(getattr(linear, name), dtype=np.float32))
            if isinstance(linear, ComplementNB):
                # The counts the log probabilities came from (intents × n-grams in float64) only
                # serve a further partial_fit, which a trained hotline model never gets.
                linear.feature_count_ = linear.feature_all_ = None
        self.compacted = True

    def fit(self, texts: Sequence[str], tokens: Sequence[Sequence[str]], labels: Sequence[str],
            weights: np.ndarray | None) -> None:
        features = self.features(texts, tokens, fit=not getattr(self, "shared", False))
        self.model.fit(features, np.asarray(labels), sample_weight=weights)

    def probabilities(self, texts: Sequence[str], tokens: Sequence[Sequence[str]],
                      features: dict[int, csr_matrix] | None = None) -> np.ndarray:
        """`features`: n-gram features already computed for these texts, by vocabulary."""
        if features is None:
            return self.model.predict_proba(self.features(texts, tokens))
        key = id(self.chars)
        if key not in features:
            features[key] = self.features(texts, tokens)
        return self.model.predict_proba(features[key])


class _EmbeddingMember:
    """A logistic regression over the texts' sentence embeddings (the tokens are not used)."""

    def __init__(self, settings: LinearSettings, weight: float) -> None:
        self.model = LogisticRegression(C=settings.embedding_c, max_iter=settings.max_iter)
        self.weight = weight

    def fit(self, texts: Sequence[str], tokens: Sequence[Sequence[str]], labels: Sequence[str],
            weights: np.ndarray | None) -> None:
        self.model.fit(embedding.embed(texts), np.asarray(labels), sample_weight=weights)

    def compact(self) -> None:
        self.model.coef_ = np.asfortranarray(self.model.coef_, dtype=np.float32)

    def probabilities(self, texts: Sequence[str], tokens: Sequence[Sequence[str]],
                      features: dict[int, csr_matrix] | None = None) -> np.ndarray:
        return self.model.predict_proba(embedding.embed(texts))


class LinearIntentModel:
    """fit(texts, tokens, labels[, reference]) once; rank(text, tokens) → [(intent, probability)], best first."""

    def __init__(self, settings: LinearSettings | None = None) -> None:
        self.settings = settings or LinearSettings()
        self._members: list[_Member | _EmbeddingMember] = []
        self.labels: list[str] = []

    @property
    def _models(self) -> list[Model]:
        return [m.model for m in self._members]

    def fit(self, texts: Sequence[str], tokens: Sequence[Sequence[str]], labels: Sequence[str],
            reference: Examples | None = None) -> None:
        """`reference`: examples the SVM, naive Bayes and embedding members read too, at
        `reference_weight` (labels among `labels`)."""
        s = self.settings
        y = np.asarray(labels)
        # Calibration needs every intent in every fold: as many folds as the rarest intent allows.
        folds = min(s.calibration_folds, int(np.unique(y, return_counts=True)[1].min()))
        extra = reference if reference is not None and reference.texts and s.reference_weight > 0 else None
        if extra is not None:
            unknown = set(extra.labels) - set(labels)
            if unknown:
                raise ValueError(f"reference labels the intents do not have: {sorted(unknown)}")

        def with_reference(member: _Member | _EmbeddingMember) -> None:
            if extra is None:
                member.fit(texts, tokens, labels, None)
                return
            weights = np.r_[np.ones(len(texts)), np.full(len(extra.texts), s.reference_weight)]
            member.fit(list(texts) + list(extra.texts), list(tokens) + list(extra.tokens),
                       list(labels) + list(extra.labels), weights)

        self._members = []
        svm_member: _Member | None = None
        ngram_share = 1.0 - s.naive_bayes_weight - s.embedding_weight
        if ngram_share < -1e-9 or min(s.naive_bayes_weight, s.embedding_weight) < 0:
            raise ValueError("the naive Bayes and embedding shares must be 0–1 and add up to at most 1")
        ngram_share = max(ngram_share, 0.0)
        wanted = [k for k in ("svm", "logistic") if s.kind in (k, "ensemble")]
        if "svm" in wanted and folds >= 2:
            # A fixed random_state: the SVM's solver shuffles, and a retrain must give the same model.
            svm = LinearSVC(C=s.svm_c, max_iter=s.max_iter, random_state=0)
            member = _Member(s, CalibratedClassifierCV(svm, cv=folds, method="sigmoid"),
                             ngram_share / len(wanted))
            with_reference(member)
            self._members.append(member)
            svm_member = member
        if "logistic" in wanted or not self._members:
            member = _Member(s, LogisticRegression(C=s.c, max_iter=s.max_iter), ngram_share / len(wanted))
            member.fit(texts, tokens, labels, None)
            self._members.append(member)
        if s.naive_bayes_weight > 0:
            # The SVM's vocabulary was fitted on the same texts (intents and reference): reuse it.
            member = _Member(s, ComplementNB(alpha=s.naive_bayes_alpha), s.naive_bayes_weight, reads_as=svm_member)
            with_reference(member)
            self._members.append(member)
        if s.embedding_weight > 0:
            embedded = _EmbeddingMember(s, s.embedding_weight)
            with_reference(embedded)
            self._members.append(embedded)
        self.labels = [str(c) for c in self._models[0].classes_]
        # Every model saw the same labels, so their classes_ are in the same (sorted) order.
        assert all([str(c) for c in m.classes_] == self.labels for m in self._models)

    def compact(self) -> None:
        """Keeps the linear weights in float32: a loaded model (eight weight matrices of intents ×
        n-grams or embedding dimensions) takes half the memory. They are stored column-major and the features are made
        float32 too: otherwise every message made scipy copy each weight matrix to a contiguous
        float64 one before the product, which cost more than the product (about 60 ms a message
        with the FAQ's vocabulary, 19 ms before it; about 5 ms without the copies). Probabilities
        move by less than 1e-6."""
        for member in self._members:
            member.compact()

    def warm_up(self) -> None:
        """Loads what the members need to answer (the embedding engine) before the first message."""
        if any(isinstance(m, _EmbeddingMember) for m in self._members):
            embedding.embed(["warm-up"])

    def member_probabilities(self, texts: Sequence[str], tokens: Sequence[Sequence[str]]) -> np.ndarray:
        """(members, texts, intents): each member's own probabilities."""
        features: dict[int, csr_matrix] = {}
        return np.stack([m.probabilities(texts, tokens, features) for m in self._members])

    def pool(self, parts: np.ndarray) -> np.ndarray:
        """The members' probabilities (as `member_probabilities` gives them) combined by the settings' pooling."""
        weights = np.array([getattr(m, "weight", 1.0) for m in self._members])  # models pickled before the shares
        weights = weights / weights.sum()
        pooling = getattr(self.settings, "pooling", "mean")
        if pooling == "mean":
            return np.tensordot(weights, parts, axes=1)
        if pooling != "geometric":
            raise ValueError(f"unknown pooling: {pooling!r}")
        logs = np.tensordot(weights, np.log(parts + self.settings.pooling_floor), axes=1)
        pooled = np.exp(logs - logs.max(axis=-1, keepdims=True))
        return pooled / pooled.sum(axis=-1, keepdims=True)

    def probabilities(self, texts: Sequence[str], tokens: Sequence[Sequence[str]]) -> np.ndarray:
        return self.pool(self.member_probabilities(texts, tokens))

    def rank(self, text: str, tokens: Sequence[str]) -> list[tuple[str, float]]:
        probs = self.probabilities([text], [tokens])[0]
        order = np.argsort(-probs)
        return [(self.labels[i], float(probs[i])) for i in order]
