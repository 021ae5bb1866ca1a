"""The NLU category as evidence: in the ranking (category_boost) and in the confidence (bonus when the
entry is of the NLU's category, penalty when not), and sides compared within the NLU's category only
(issue 14: real questions answered confidently, without losing precision)."""

import dataclasses
from functools import lru_cache

import pytest

from bot.kb import consult, faq, sides
from bot.kb.retrieval import Index


@lru_cache(maxsize=1)
def index() -> Index:
    return Index(faq.load())


def test_worked_example_of_the_confidence_prior() -> None:
    idx = index()
    q = "城管把我摆摊的三轮车和货都扣走了怎么办"
    plain = idx.search(q, k=1)[0]
    agree = idx.search(q, category="administrative", k=1, category_confidence=0.9)[0]
    weak = idx.search(q, category="administrative", k=1, category_confidence=0.15)[0]
    other = idx.search(q, category="consumer", k=3, category_confidence=0.9)
    assert plain.entry.id == agree.entry.id == "administrative-051"
    # Full bonus from category_agree_full_at up, half of it at half that confidence.
    assert agree.confidence == pytest.approx(plain.confidence + idx.agree_bonus)
    assert weak.confidence == pytest.approx(plain.confidence + idx.agree_bonus * 0.15 / idx.agree_full_at)
    # The same entry, when the NLU named another category, loses the penalty.
    same = next(h for h in other if h.entry.id == "administrative-051")
    assert same.confidence == pytest.approx(plain.confidence - idx.disagree_penalty)


def test_a_category_the_caller_is_sure_of_gets_the_whole_bonus() -> None:
    idx = index()
    q = "城管当场罚款又不给正规票据，这钱我该不该交"
    plain = idx.search(q, k=1)[0]
    sure = idx.search(q, category="administrative", k=1)[0]  # e.g. the conversation's topic
    assert sure.confidence == pytest.approx(plain.confidence + idx.agree_bonus)


@pytest.mark.parametrize(("text", "category", "expected"), [
    ("老公不同意离婚怎么办", "marriage_family", "marriage_family-002"),  # not the spouse-abroad entry
    ("我想离婚，男方死活不愿意，怎么办", "marriage_family", "marriage_family-002"),
    ("老公起诉离婚我不同意能不离吗", "marriage_family", "marriage_family-049"),
    ("摆地摊被城管没收了东西，去哪里告", "administrative", "administrative-051"),
])
def test_the_citizens_question_gets_its_entry(text: str, category: str, expected: str) -> None:
    hits = index().search(text, category=category, k=3, sides=sides.detect(text), category_confidence=0.6)
    assert hits[0].entry.id == expected
    assert index().is_confident(hits)


def test_a_side_only_reorders_entries_of_the_nlu_category() -> None:
    """"我想告" reveals a plaintiff; that must not pull another matter's plaintiff entry (a divorce
    suit) over the litigation entries when the NLU says litigation."""
    base = {e.id: e for e in faq.load()}
    divorce = dataclasses.replace(base["marriage_family-002"], side="plaintiff")
    suing = dataclasses.replace(base["litigation_procedure-001"], side="")
    idx = Index([divorce, suing, base["debt-001"], base["wage_arrears-001"]])
    text = "我想告一个人，起诉要满足什么条件"
    assert "plaintiff" in sides.detect(text)
    with_category = idx.search(text, category="litigation_procedure", k=2, sides=sides.detect(text))
    assert with_category[0].entry.id == "litigation_procedure-001"


def test_consult_passes_the_nlu_confidence_and_trusts_the_topic() -> None:
    idx = index()
    text = "城管罚了我两百块也不给开票据"
    weak = consult.decide(idx, text, intent="administrative", intent_confidence=0.05, context_category=None,
                          previous_id=None)
    strong = consult.decide(idx, text, intent="administrative", intent_confidence=0.9, context_category=None,
                            previous_id=None)
    assert strong.kind == consult.ANSWER and strong.entry.id == "administrative-051"
    assert weak.kind in (consult.ANSWER, consult.GUIDANCE)


@pytest.mark.parametrize("text", ["关于那个案子我想了解一下情况", "我想咨询一下离婚的事", "请问关于劳动合同的问题"])
def test_a_short_vague_message_gets_no_bonus(text: str) -> None:
    """The bonus makes up for long messages diluting the match; a short weak match is a vague message
    and gets the category's guidance instead of some entry."""
    idx = index()
    plain = idx.search(text, k=1)[0]
    with_category = idx.search(text, category=plain.entry.category, k=1, category_confidence=0.9)[0]
    assert with_category.confidence == pytest.approx(plain.confidence)
