"""Entries the eighth session's fresh conversations found missing or wrong: the employer's side of a wage claim
and of an uninsured injury, the appeal fee, many claimants with one claim, a theft victim's losses (not a
刑事附带民事诉讼), and what happens when one spouse backs out during the 冷静期."""

import pytest

from bot import knowledge_base
from bot.kb import consult, followup, sides

# Phrasings written for these tests, not the entries' paraphrases.
QUESTIONS = [
    ("员工说我欠他两个月工资，要去劳动监察告我，我这边要准备什么", "wage_arrears-026"),
    ("我厂里一个工人干活受伤了，我没给他买工伤保险，现在要我赔多少", "work_injury-026"),
    ("想对一审判决上诉，二审的上诉费按什么交", "litigation_procedure-037"),
    ("我们小区几十户业主都要告开发商，能不能推几个代表去打官司", "litigation_procedure-038"),
    ("小偷被抓了，我被偷的电动车能拿回来吗", "criminal-055"),
]


@pytest.mark.parametrize(("question", "entry"), QUESTIONS)
def test_the_question_reaches_its_entry(question: str, entry: str) -> None:
    index = knowledge_base.shared().index
    hits = index.search(question, k=3, sides=sides.detect(question))
    assert hits and hits[0].entry.id == entry and index.is_confident(hits[:1])


def test_the_employer_entries_are_written_for_the_employer() -> None:
    by_id = knowledge_base.shared().index.by_id
    assert by_id["wage_arrears-026"].side == by_id["work_injury-026"].side == "employer"


def test_a_worker_left_uninsured_is_the_worker() -> None:
    assert "worker" in sides.detect("公司压根没给我上工伤险，我在厂里被砸伤了")
    turn = consult.decide(knowledge_base.shared().index, "公司压根没给我上工伤险，我在厂里被砸伤了", intent="work_injury",
                          intent_confidence=0.7, context_category=None, previous_id=None)
    assert turn.entry is not None and turn.entry.side != "employer"


def test_theft_losses_are_recovered_by_the_state_not_by_a_civil_claim_in_the_trial() -> None:
    by_id = knowledge_base.shared().index.by_id
    civil_claim = by_id["criminal-008"]
    assert not any("小偷" in p or "偷" in p for p in civil_claim.paraphrases)
    assert "不走附带民事诉讼" in civil_claim.answer and "追缴" in civil_claim.answer
    assert any(c.law == "中华人民共和国刑法" and c.article == "第六十四条" for c in by_id["criminal-055"].citations)


def test_a_spouse_backing_out_during_the_cooling_off_period() -> None:
    index = knowledge_base.shared().index
    previous = index.by_id["marriage_family-001"]
    reply = followup.resolve(index, "冷静期里他反悔了不肯去领证怎么办", previous, "marriage_family",
                             previous.question)
    assert reply.entry is previous and "起诉离婚" in reply.text
    assert "视为撤回" in (previous.followup("refusal").text if previous.followup("refusal") else "")
