"""Decisive facts (knowledge/retrieval/facts.yml): an entry written for one case is never the answer for a
citizen who told the other ("已经领证了" is not the unregistered couple's 彩礼; a seven-year-old is not the
rule for children over eight)."""

from functools import lru_cache

import pytest

from bot.kb import consult, facts, faq
from bot.kb.retrieval import Index


@lru_cache(maxsize=1)
def index() -> Index:
    return Index(faq.load())


@pytest.mark.parametrize(("text", "fact", "value"), [
    ("他们是领了证的，结婚以后一直住在一起", "marriage_registered", True),
    ("我们早就扯了结婚证", "marriage_registered", True),
    ("我女儿结婚一年半，现在闹离婚", "marriage_registered", True),
    ("没领结婚证但办了酒席", "marriage_registered", False),
    ("我们还没有领证", "marriage_registered", False),
    ("只是摆了酒，没去登记", "marriage_registered", False),
    ("我女儿七岁，从上铺摔下来了", "child_under_8", True),
    ("孩子5岁在幼儿园被咬了", "child_under_8", True),
    ("儿子十岁在学校被同学推倒", "child_under_8", False),
    ("孩子17岁读高二", "child_under_8", False),
    ("女儿上初中了", "child_under_8", False),
    ("孩子才8个月，还在吃奶", "child_under_2", True),
    ("儿子五岁了，在上幼儿园", "child_under_2", False),
    ("单位给我交了工伤保险的", "injury_insured", True),
    ("公司压根没给我交社保", "injury_insured", False),
    ("我们没给他买工伤保险", "injury_insured", False),
    ("我跟公司签了劳动合同的，现在工资拖了三个月", "labour_contract_signed", True),
    ("入职半年公司一直不跟我签合同", "labour_contract_signed", False),
])
def test_the_fact_a_message_tells(text: str, fact: str, value: bool) -> None:
    assert facts.detect(text).get(fact) is value


@pytest.mark.parametrize("text", [
    "我妈67岁了，在小区摔倒",  # an adult's age says nothing of a child
    "我今年二十七岁",
    "大的10岁，小的6岁，都在学校受了伤",  # two children: nothing certain
    "离婚后彩礼能退吗",
])
def test_no_child_age_when_the_message_does_not_tell_it(text: str) -> None:
    assert "child_under_8" not in facts.detect(text)


def test_the_latest_message_that_tells_a_fact_wins() -> None:
    assert facts.told(["还没领证", "后来我们去领了证"]) == {"marriage_registered": True}
    assert facts.told(["孩子七岁", "住院了"])["child_under_8"] is True


def test_every_entry_fact_is_a_known_fact() -> None:
    known = facts.load()
    tagged = [(e.id, name) for e in faq.load() for name, _ in e.facts]
    assert tagged and all(name in known for _, name in tagged)


def after(first: str, previous_id: str, text: str, confidence: float = 0.5) -> consult.Turn:
    """The turn after the answer `previous_id` to the citizen's first message `first`, in that entry's topic."""
    category = index().by_id[previous_id].category
    return consult.decide(index(), text, intent=category, intent_confidence=confidence, context_category=category,
                          previous_id=previous_id, previous_question=first, earlier=(first,))


def test_retrieval_never_returns_the_entry_for_the_other_case() -> None:
    told = index().told({"marriage_registered": True})
    hits = told.search("没领结婚证但已经办了酒席住在一起，分手后彩礼能退吗", k=10)
    assert all(dict(h.entry.facts).get("marriage_registered") is not False for h in hits)
    assert "marriage_family-017" in {h.entry.id for h in index().search("没领结婚证但已经办了酒席住在一起，分手后彩礼能退吗", k=3)}


def test_a_registered_couple_told_after_the_answer_gets_the_registered_rule() -> None:
    # The bride's family, after the registered couple's answer: "they did register" must not bring the
    # unregistered couple's rule (涉彩礼规定 第六条).
    first = "我女儿结婚一年半，现在两个人闹离婚，男方家里要我们把二十八万的彩礼全部退回去"
    turn = after(first, "marriage_family-016", "他们是领了证的，结婚以后一直住在一起，就是还没有孩子", 0.6)
    assert turn.entry is None or dict(turn.entry.facts).get("marriage_registered") is not False
    assert "未办理结婚登记但已共同生活" not in (turn.text or "")
    # Told in a few words, the fact confirms the answer just given: its rule again, not how to register.
    again = after(first, "marriage_family-016", "他们是领了结婚证的，一直住在一起")
    assert again.entry is not None and again.entry.id == "marriage_family-016" and "一般不予支持" in again.text


def test_a_registered_fact_told_after_the_unregistered_answer_switches_to_the_registered_rule() -> None:
    first = "没领证办了酒席住在一起，现在分手了彩礼能退吗"
    turn = after(first, "marriage_family-017", "不对，我们其实去年领了结婚证的")
    assert turn.entry is not None and turn.entry.id in {"marriage_family-016", "marriage_family-007"}


def test_a_seven_year_old_gets_the_rule_for_children_under_eight() -> None:
    text = "我女儿七岁，中午在学校旁边的午托班吃饭午休，前天午睡的时候从上铺摔下来，手臂骨折了"
    turn = consult.decide(index(), text, intent="personal_injury", intent_confidence=0.6, context_category=None,
                          previous_id=None)
    assert turn.entry is not None and turn.entry.id != "personal_injury-011"
    later = after(text, turn.entry.id, "另外问一下，学校给孩子买了学平险，这个能不能也去报", 0.4)
    assert later.entry is None or later.entry.id != "personal_injury-011"


def test_an_insured_worker_is_not_given_the_uninsured_employer_rule() -> None:
    # Found by the eighth session's fresh conversations: "我是交了工伤保险的" got the rule for an employer
    # who did not insure (工伤保险条例 第六十二条).
    first = "我去年在车间被机器压断了两根手指，已经认定工伤了，评了十级"
    turn = after(first, "work_injury-005", "我们公司是交了工伤保险的，老板现在想给三万块两清")
    assert turn.entry is None or dict(turn.entry.facts).get("injury_insured") is not False


def test_a_worker_with_a_signed_contract_is_not_given_the_no_contract_answers() -> None:
    hits = index().told({"labour_contract_signed": True}).search("我跟公司签了劳动合同的，现在工资拖了三个月怎么证明", k=10)
    assert not {"labor_dispute-001", "wage_arrears-009"} & {h.entry.id for h in hits}
