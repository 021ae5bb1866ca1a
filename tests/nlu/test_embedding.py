"""The sentence-embedding and naive Bayes members of the intent model (bot/nlu/embedding.py,
bot/nlu/linear.py)."""

from __future__ import annotations

import numpy as np
import pytest

from bot.nlu import embedding
from bot.nlu.linear import LinearIntentModel, LinearSettings

TEXTS = ["老板欠我工资", "拖欠工资不给", "工资一直拖着", "离婚孩子归谁", "离婚财产分割", "协议离婚怎么办",
         "今天天气不错", "讲个笑话", "你是谁"]
LABELS = ["wage_arrears"] * 3 + ["marriage_family"] * 3 + ["out_of_scope"] * 3


def test_paraphrases_lie_closer_than_other_matters() -> None:
    wage, wage_again, divorce = embedding.embed(["老板欠了三个月工资不给", "公司一直拖着不发薪水", "离婚后孩子归谁"])
    assert wage @ wage_again > wage @ divorce
    assert abs(float(np.linalg.norm(wage)) - 1.0) < 1e-3


def test_an_empty_text_gets_the_zero_vector_and_the_rest_keep_their_order() -> None:
    vectors = embedding.embed(["", "离婚", "  ", "工资"])
    assert vectors.shape == (4, embedding.DIMENSIONS)
    assert not vectors[0].any() and not vectors[2].any()
    assert np.allclose(vectors[1], embedding.embed(["离婚"])[0], atol=1e-5)


def _fit(naive_bayes_weight: float = 0.0, embedding_weight: float = 0.0) -> LinearIntentModel:
    model = LinearIntentModel(LinearSettings(calibration_folds=3, naive_bayes_weight=naive_bayes_weight,
                                             embedding_weight=embedding_weight))
    model.fit(TEXTS, [list(t) for t in TEXTS], LABELS)
    return model


def test_the_members_share_the_probability_by_their_weights() -> None:
    model = _fit(naive_bayes_weight=0.25, embedding_weight=0.5)
    assert [round(m.weight, 3) for m in model._members] == [0.125, 0.125, 0.25, 0.5]
    queries = ["工资被拖欠了", "想离婚"]
    parts = [m.probabilities(queries, [list(q) for q in queries]) for m in model._members]
    model.settings.pooling = "mean"  # the shipped geometric pooling is tested below
    mixed = model.probabilities(queries, [list(q) for q in queries])
    assert np.allclose(mixed, sum(m.weight * p for m, p in zip(model._members, parts)))
    assert np.allclose(mixed.sum(axis=1), 1.0)


def test_shares_above_the_whole_are_an_error() -> None:
    with pytest.raises(ValueError, match="share"):
        _fit(naive_bayes_weight=0.5, embedding_weight=0.6)


def test_the_embedding_member_knows_words_no_example_uses() -> None:
    # "薪水" and "发" appear in no wage example; the n-gram models cannot tell, the embedding can.
    query = "单位半年没发薪水了"
    alone = _fit(embedding_weight=1.0)
    assert alone.rank(query, list(query))[0][0] == "wage_arrears"


def test_a_compacted_model_with_every_member_keeps_its_probabilities() -> None:
    model = _fit(naive_bayes_weight=0.3333, embedding_weight=0.3333)
    queries = ["工资被拖欠了", "想离婚", "天气"]
    before = model.probabilities(queries, [list(q) for q in queries])
    model.compact()
    after = model.probabilities(queries, [list(q) for q in queries])
    assert np.abs(after - before).max() < 1e-5
    # The naive Bayes counts (float64, intents × n-grams) are not kept once the model is in use.
    assert model._members[2].model.feature_count_ is None


def test_the_naive_bayes_member_reads_with_the_svms_vocabulary_and_scores_as_with_its_own() -> None:
    from sklearn.naive_bayes import ComplementNB

    from bot.nlu.linear import Examples, _Member

    ref = Examples(["单位没发薪水", "想和老公分开"], [list("单位没发薪水"), list("想和老公分开")],
                   ["wage_arrears", "marriage_family"])
    model = LinearIntentModel(LinearSettings(calibration_folds=3, naive_bayes_weight=0.3, embedding_weight=0.0))
    model.fit(TEXTS, [list(t) for t in TEXTS], LABELS, reference=ref)
    svm, _, naive_bayes = model._members
    assert naive_bayes.chars is svm.chars and naive_bayes.words is svm.words
    own = _Member(model.settings, ComplementNB(alpha=model.settings.naive_bayes_alpha))
    texts, weights = TEXTS + ref.texts, np.r_[np.ones(len(TEXTS)), np.full(2, model.settings.reference_weight)]
    own.fit(texts, [list(t) for t in texts], LABELS + ref.labels, weights)
    queries = ["薪水被拖欠了", "想离婚", "天气"]
    tokens = [list(q) for q in queries]
    assert np.allclose(naive_bayes.probabilities(queries, tokens), own.probabilities(queries, tokens))
    # One vectorisation serves both members of a shared vocabulary.
    features: dict = {}
    model.probabilities(queries, tokens)
    svm.probabilities(queries, tokens, features)
    naive_bayes.probabilities(queries, tokens, features)
    assert len(features) == 1


def test_geometric_pooling_keeps_low_what_one_member_rules_out_and_sums_to_one() -> None:
    model = _fit(naive_bayes_weight=0.5)
    # Two members of equal weight: the first splits between A and B, the second is sure of A.
    parts = np.array([[[0.50, 0.50, 0.00]], [[0.90, 0.05, 0.05]]])
    for member in model._members:
        member.weight = 1.0
    model._members = model._members[:2]
    model.settings.pooling = "mean"
    assert np.allclose(model.pool(parts), [[0.70, 0.275, 0.025]])
    model.settings.pooling = "geometric"
    pooled = model.pool(parts)
    assert np.allclose(pooled.sum(axis=1), 1.0)
    # B, which the second member all but rules out, falls further behind A than under the mean.
    assert pooled[0, 1] < 0.275 and pooled[0, 0] > 0.70
    # C, ruled out by one member, stays near zero however sure the other is.
    assert pooled[0, 2] < 0.025
    model.settings.pooling = "median"
    with pytest.raises(ValueError, match="pooling"):
        model.pool(parts)
