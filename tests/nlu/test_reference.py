"""The FAQ's questions as reference examples for the intent model's SVM (bot/nlu/reference.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import taxonomy
from bot.nlu.linear import Examples, LinearIntentModel, LinearSettings
from bot.nlu.reference import faq_examples, faq_fingerprint


def test_every_faq_question_and_paraphrase_is_a_labelled_example() -> None:
    ref = faq_examples()
    assert len(ref.texts) == len(ref.tokens) == len(ref.labels) > 3000
    assert set(ref.labels) == set(taxonomy.CATEGORIES)
    assert all(tokens and "".join(tokens) == text for text, tokens in zip(ref.texts, ref.tokens))


def test_the_fingerprint_follows_the_faq_files(tmp_path: Path) -> None:
    (tmp_path / "debt.yml").write_text("category: debt\nentries: []\n", encoding="utf-8")
    before = faq_fingerprint(tmp_path)
    (tmp_path / "debt.yml").write_text("category: debt\nentries: [] # edited\n", encoding="utf-8")
    assert faq_fingerprint(tmp_path) != before


TEXTS = ["老板欠我工资", "拖欠工资不给", "工资一直拖着", "离婚孩子归谁", "离婚财产分割", "协议离婚怎么办",
         "今天天气不错", "讲个笑话", "你是谁"]
LABELS = ["wage_arrears"] * 3 + ["marriage_family"] * 3 + ["out_of_scope"] * 3


def _fit(reference: Examples | None, kind: str = "svm") -> LinearIntentModel:
    # The n-gram pair alone: the naive Bayes and embedding members are tested in test_embedding.py.
    model = LinearIntentModel(LinearSettings(kind=kind, calibration_folds=3, naive_bayes_weight=0, embedding_weight=0))
    model.fit(TEXTS, [list(t) for t in TEXTS], LABELS, reference=reference)
    return model


def test_the_svm_learns_wording_only_the_reference_has() -> None:
    words = ["包工头跑路", "包工头跑路了找谁", "包工头跑路钱没结", "抚养权归属", "抚养权怎么判", "抚养权变更"]
    ref = Examples(words, [list(w) for w in words], ["wage_arrears"] * 3 + ["marriage_family"] * 3)
    query = "包工头跑路"
    without = dict(_fit(None).rank(query, list(query)))
    with_ref = dict(_fit(ref).rank(query, list(query)))
    assert with_ref["wage_arrears"] > without["wage_arrears"]
    assert max(with_ref, key=with_ref.get) == "wage_arrears"
    # The logistic regression keeps the intents' vocabulary: the reference is the SVM's alone.
    ensemble = _fit(ref, kind="ensemble")
    logistic = ensemble._members[-1]
    assert "跑" not in logistic.chars.vocabulary_ and "跑" in ensemble._members[0].chars.vocabulary_


def test_a_reference_label_the_intents_lack_is_an_error() -> None:
    ref = Examples(["合同违约"], [list("合同违约")], ["contract"])
    with pytest.raises(ValueError, match="contract"):
        _fit(ref)
