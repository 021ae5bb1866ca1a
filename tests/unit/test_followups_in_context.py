"""The six conversation defects of issue 13 (tests/stack/conversations, once `known_defect:`), each at the
level of the pure decision (bot/kb/consult.py, bot/kb/followup.py, bot/kb/sides.py and their data), no
stack. The NLU's call is given as the stack's classifier made it (intent and confidence)."""

import re
from functools import lru_cache

from bot.kb import consult, faq, followup, sides
from bot.kb.retrieval import Index

KNIFE_AT_THE_DOOR = "我前夫拿着菜刀在门口，说不开门就砍我"


@lru_cache(maxsize=1)
def index() -> Index:
    return Index(faq.load())


def after(previous_id: str, text: str, intent: str, confidence: float, **kw) -> consult.Turn:  # type: ignore[no-untyped-def]
    previous = index().by_id[previous_id]
    return consult.decide(index(), text, intent=intent, intent_confidence=confidence,
                          context_category=previous.category, previous_id=previous_id,
                          previous_question=previous.question, **kw)


def fresh(text: str, intent: str, confidence: float, **kw) -> consult.Turn:  # type: ignore[no-untyped-def]
    return consult.decide(index(), text, intent=intent, intent_confidence=confidence, context_category=None,
                          previous_id=None, **kw)


# 1. crisis.yml: the side she told during the crisis is not asked again afterwards.

def test_a_threat_to_the_writer_shows_the_victim_and_the_one_whose_right_was_hurt() -> None:
    assert {"victim", "rights_holder"} <= sides.detect(KNIFE_AT_THE_DOOR)
    assert {"victim", "rights_holder"} <= sides.detect("他扬言要弄死我")


def test_the_side_told_earlier_in_the_conversation_is_not_asked_again() -> None:
    asked = fresh("他这样能判刑吗", "criminal", 0.78)
    assert asked.kind == consult.ASK_SIDE  # the message alone does not tell
    earlier = (KNIFE_AT_THE_DOOR, "我报警了，警察还没到，我现在怎么办", "警察来了，我安全了")
    turn = fresh("他这样能判刑吗", "criminal", 0.78, earlier=earlier)
    assert turn.kind == consult.ANSWER
    assert turn.entry.side in ("rights_holder", "victim", "")  # never the accused's answer


def test_a_side_told_earlier_that_is_not_one_of_the_pair_still_asks() -> None:
    turn = fresh("他这样能判刑吗", "criminal", 0.78, earlier=("我在超市买的奶粉过期了",))
    assert turn.kind == consult.ASK_SIDE


# 2. restart.yml: the two spouses of a divorce are not asked which side they are on.

def test_same_law_pairs_are_not_asked() -> None:
    assert not sides.asked_by_law("marriage_family", ("plaintiff", "defendant"))
    assert not sides.asked_by_law("marriage_family", ("defendant", "plaintiff"))
    assert sides.asked_by_law("criminal", ("accused", "rights_holder"))
    assert sides.asked_by_law("labor_dispute", ("worker", "employer"))


def test_a_spouse_asking_about_the_house_gets_the_property_answer() -> None:
    turn = after("traffic_accident-007", "另外问一下，我老婆要跟我离婚，房子怎么分", "marriage_family", 0.9)
    assert turn.kind == consult.ANSWER and turn.category == "marriage_family"
    assert turn.entry.side == ""  # an answer for either spouse
    assert "房" in turn.entry.question


# 3. personal_injury.yml: "这个也能要吗" about a bill is the costs it can claim, not the other side's view.

def test_money_already_spent_asked_about_is_a_cost_follow_up() -> None:
    assert followup.kind_of("孩子看病花了三百多，这个也能要吗") == "cost"
    assert followup.kind_of("我先垫了两千多，能让他出吗") == "cost"


def test_a_side_outside_the_topic_is_not_the_other_party() -> None:
    # "孩子看病" shows a patient, a side of medical disputes only: not the dog owner's side.
    assert "patient" in sides.detect("孩子看病花了三百多，这个也能要吗")
    turn = after("personal_injury-004", "孩子看病花了三百多，这个也能要吗", "nlu_fallback", 0.19)
    assert turn.kind == consult.FOLLOWUP and turn.entry.id == "personal_injury-004"
    assert "饲养人" in turn.text and "医疗费" in turn.text
    assert "对方可能主张" not in turn.text  # the other side's view, as before


# 4. wage_arrears.yml: "他没有签合同呢" is the no-written-contract answer of the wage topic.

def test_no_written_contract_is_a_step_of_the_wage_topic() -> None:
    assert followup.step_entry("他没有签合同呢", "wage_arrears") == "wage_arrears-009"
    assert followup.step_entry("合同也没签", "labor_dispute") == "labor_dispute-001"
    turn = after("wage_arrears-011", "他没有签合同呢", "contract", 0.52)
    assert turn.kind == consult.ANSWER and turn.entry.id == "wage_arrears-009"
    assert "劳动合同" in turn.entry.answer


# 5. medical_dispute.yml: "要做鉴定吗" inside a medical dispute is its appraisal, however sure the NLU is.

def test_a_step_of_the_topic_stays_in_the_topic() -> None:
    assert followup.is_followup("要做鉴定吗", intent="notary_appraisal", intent_confidence=0.91,
                                context_category="medical_dispute", index=index())
    turn = after("medical_dispute-013", "要做鉴定吗", "notary_appraisal", 0.91)
    assert turn.kind == consult.ANSWER and turn.entry.id == "medical_dispute-007"
    cost = after("medical_dispute-007", "费用多少", "follow_up", 0.49)
    assert cost.category == "medical_dispute" and "鉴定费" in cost.text


def test_a_step_with_a_topic_of_its_own_is_a_new_question() -> None:
    # The words besides the step name another matter: the NLU's category, not the step of this topic.
    assert not followup.is_followup("离婚调解要多久", intent="marriage_family", intent_confidence=0.9,
                                    context_category="traffic_accident", index=index())
    assert not followup.is_followup("工伤鉴定怎么做", intent="work_injury", intent_confidence=0.9,
                                    context_category="medical_dispute", index=index())
    assert followup.is_followup("那要不要去做个鉴定", intent="notary_appraisal", intent_confidence=0.9,
                                context_category="medical_dispute", index=index())


def test_a_step_alone_without_a_topic_is_the_nlu_s_question() -> None:
    assert followup.step_entry("要做鉴定吗", None) is None
    turn = fresh("要做鉴定吗", "notary_appraisal", 0.91)
    assert turn.category == "notary_appraisal"


def test_a_long_message_naming_a_step_is_not_a_follow_up_of_it() -> None:
    long = "我想问一下交通事故以后对方一直不肯赔钱保险公司也推来推去到底要不要去做伤残鉴定才能起诉"
    assert followup.step_entry(long, "work_injury") is None


def test_every_step_names_an_entry_of_its_own_category() -> None:
    data = followup.load_category_followups()
    owners = {e.id: e.category for e in index().entries}
    assert data.steps and followup.step_problems(data, owners) == []
    broken = followup.CategoryFollowUps({}, {}, {"medical_dispute": (followup.Step(re.compile("鉴定"), "debt-001"),)})
    assert followup.step_problems(broken, owners) == ["followups.yml: steps of medical_dispute: debt-001 is an entry of debt"]


# 6. marriage_family.yml: a gambling husband's debts are the spouse's-debts entry, and divorce after it.

def test_a_gambling_spouse_s_debts_told_as_a_story() -> None:
    story = "结婚八年了，他一直在外面赌，欠了好多钱，现在债主找上门来，说我也要还"
    # The spouse's-debts entry of either category (both cite 民法典第一千零六十四条), whichever the NLU picks:
    # the FAQ-trained classifier reads this story as debt at about 0.43.
    for intent, confidence in (("marriage_family", 0.48), ("debt", 0.43)):
        turn = fresh(story, intent, confidence)
        assert turn.kind == consult.ANSWER and turn.entry.id in {"marriage_family-009", "debt-008"}
    then = after("marriage_family-009", "离婚了还要还吗", "marriage_family", 0.87)
    assert then.category == "marriage_family"
    assert "债务" in (then.entry.answer if then.kind == consult.ANSWER else then.text)
    assert then.entry.id != "marriage_family-088"  # not the deceased spouse's debts


# Found by the conversations added afterwards (tests/stack/conversations: legal_aid, housing_property,
# traffic_accident, neighbor_dispute, debt, marriage_family).

def test_refusals_and_costs_in_everyday_words() -> None:
    assert followup.kind_of("他不肯赔怎么办") == "refusal"
    assert followup.kind_of("他说没钱怎么办") == "refusal"
    assert followup.kind_of("他一直拖着不给呢") == "refusal"
    assert followup.kind_of("要收钱吗") == "cost"
    assert followup.kind_of("误工费能要吗") is None  # a claim item: the entry about it, not the cost line


def test_a_worker_whose_wages_are_held_back_is_not_asked_the_side() -> None:
    assert "worker" in sides.detect("公司拖了我两个月工资没发")
    turn = fresh("公司拖了我两个月工资没发", "wage_arrears", 0.68)
    assert turn.kind == consult.ANSWER and turn.entry.side == "worker"


def test_a_revealed_side_never_gets_the_other_party_s_entry() -> None:
    turn = fresh("我被车撞了，对方全责，怎么赔", "traffic_accident", 0.88)
    assert turn.kind == consult.ANSWER and turn.entry.side != "driver"
    corrected = after(turn.entry.id, "不是，我说反了，是我开车撞了人家", "traffic_accident", 0.82)
    assert corrected.kind == consult.ANSWER and corrected.entry.side == "driver"


def test_a_parent_who_does_not_pay_child_support_gets_enforcement() -> None:
    turn = after("marriage_family-078", "他一直拖着不给呢", "nlu_fallback", 0.31)
    assert turn.kind == consult.FOLLOWUP and "强制执行" in turn.text


def test_a_correction_gets_the_next_kind_it_asks_not_the_same_follow_up_again() -> None:
    assert followup.kinds_of("不是，我是说医药费他不肯出") == ["refusal", "cost"]
    refusal = after("work_injury-002", "那他不给我报怎么办", "nlu_fallback", 0.27)
    assert refusal.kind == consult.FOLLOWUP
    turn = after("work_injury-002", "不是，我是说医药费他不肯出", "nlu_fallback", 0.2, last_reply=refusal.text)
    assert turn.kind == consult.FOLLOWUP and turn.text != refusal.text
    assert "工伤保险基金" in turn.text


def test_taken_away_by_the_police_is_the_accused_side_and_taken_by_someone_is_not() -> None:
    assert "accused" in sides.detect("我弟被派出所带走了，说是打架")
    assert "accused" not in sides.detect("我女儿被人带走了")
    turn = fresh("我弟被派出所带走了，说是打架", "criminal", 0.66)
    assert turn.kind == consult.ANSWER and turn.entry.side == "accused"


# 24. criminal.yml: "家里人要准备什么" after a detention was out_of_scope (0.63) and turned away by the rule.

def test_a_follow_up_the_nlu_turned_away_is_rescued_within_the_topic() -> None:
    assert followup.rescued_from_scope("家里人要准备什么", "criminal", index())
    assert followup.rescued_from_scope("那要多久？", "wage_arrears", index())
    assert followup.rescued_from_scope("要做鉴定吗", "medical_dispute", index())  # a step of the topic
    # ... and answered there: the criminal documents follow-up, not the previous answer again.
    turn = after("criminal-003", "家里人要准备什么", "out_of_scope", 0.63)
    assert turn.kind == consult.FOLLOWUP and "身份证" in turn.text and "亲属关系" in turn.text


def test_chit_chat_mid_conversation_is_still_turned_away() -> None:
    for chat in ("哈哈好的", "今天天气不错", "你吃饭了吗", "你是机器人吗", "好的谢谢", "哈哈你什么时候来",
                 "今天天气不错，晚上去哪里吃饭", "嗯"):
        assert not followup.rescued_from_scope(chat, "criminal", index()), chat


def test_nothing_is_rescued_without_a_legal_topic() -> None:
    assert not followup.rescued_from_scope("家里人要准备什么", None, index())
    assert not followup.rescued_from_scope("家里人要准备什么", "out_of_scope", index())
    assert not followup.rescued_from_scope("", "criminal", index())


# 25. inheritance: "那我还能争吗" after a will that leaves everything to a brother got the bequest entry.

def test_can_i_still_contest_the_will_gets_when_a_will_is_void_or_must_leave_a_share() -> None:
    assert followup.kind_of("那我还能争吗") == "contest"
    assert followup.kind_of("遗嘱能推翻吗") == "contest"
    assert followup.kind_of("那要多久") == "deadline"  # the earlier kinds still come first
    for intent, confidence in (("follow_up", 0.7), ("inheritance", 0.6), ("nlu_fallback", 0.3)):
        turn = after("inheritance-017", "那我还能争吗", intent, confidence)
        assert turn.kind == consult.FOLLOWUP and turn.entry.id == "inheritance-017", intent
        assert "无效" in turn.text and "见证人" in turn.text
        assert {c.article for c in turn.citations} >= {"第一千一百四十三条", "第一千一百四十一条"}


def test_a_category_without_a_contest_answer_falls_back_as_before() -> None:
    assert "contest" not in followup.load_category_followups().followups["wage_arrears"]
    turn = after("wage_arrears-001", "那我还能争吗", "follow_up", 0.7)
    assert turn.kind in (consult.ANSWER, consult.DEPENDS) and turn.entry is not None


def test_a_neighbour_who_will_not_repair_is_the_refusal_of_the_topic() -> None:
    assert followup.kind_of("他不肯修怎么办") == "refusal"
    assert followup.kind_of("物业不愿意处理") == "refusal"
    for intent, confidence in (("housing_property", 0.45), ("nlu_fallback", 0.2)):
        turn = after("neighbor_dispute-016", "他不肯修怎么办", intent, confidence)
        assert turn.category == "neighbor_dispute"
        assert turn.kind in (consult.FOLLOWUP, consult.ANSWER)


# Found by the seventh session's conversations (own phrasings; /work notes, not committed).

def test_a_detail_the_nlu_reads_as_the_topic_is_not_asked_which_matter_again() -> None:
    turn = after("inheritance-006", "他没有留下什么财产", "inheritance", 0.36)
    assert turn.kind == consult.FOLLOWUP and turn.entry.id == "inheritance-006"
    assert "实际价值为限" in turn.text


def test_the_question_the_answer_just_given_answers_gets_its_rule_not_the_next_entry() -> None:
    turn = after("inheritance-006", "我们做子女的必须还吗", "inheritance", 0.3)
    assert turn.kind == consult.FOLLOWUP and "实际价值为限" in turn.text
    # A question of its own in the topic still gets its entry.
    assert after("criminal-003", "自首能从轻吗", "criminal", 0.8).entry.id == "criminal-901"


def test_a_detail_the_nlu_and_retrieval_place_differently_stays_in_the_topic() -> None:
    turn = after("domestic_violence-001", "现在我回娘家住了，暂时安全", "criminal", 0.11)
    assert turn.category == "domestic_violence"


def test_no_written_contract_after_unpaid_wages_is_the_wage_step_not_a_broker_s_contract() -> None:
    turn = after("wage_arrears-010", "没签合同，就是老乡介绍过去的", "contract", 0.58)
    assert turn.category == "wage_arrears" and turn.entry.id == "wage_arrears-009"
    # A sure NLU still leaves the topic when the rest names a matter of its own.
    assert not followup.is_followup("离婚调解要多久", intent="marriage_family", intent_confidence=0.9,
                                    context_category="traffic_accident", index=index())


def test_relief_for_the_bills_after_a_hit_and_run_is_the_topic_s_not_out_of_scope() -> None:
    assert followup.rescued_from_scope("有没有什么救助", "traffic_accident", index())
    turn = after("traffic_accident-007", "有没有什么救助", "out_of_scope", 0.7)
    assert turn.entry.id == "traffic_accident-002"


def test_a_detail_gets_the_sentences_with_its_rarest_words() -> None:
    for text in ("合同上写的是订金", "订金跟定金有什么区别"):
        turn = after("contract-001", text, "contract", 0.5)
        assert turn.kind == consult.FOLLOWUP and "不适用定金罚则" in turn.text, text


def test_settling_with_the_victim_after_a_detention_is_the_settlement_entry() -> None:
    turn = after("criminal-005", "我们想跟对方和解，可以吗", "criminal", 0.5)
    assert turn.kind == consult.ANSWER and turn.entry.id in {"criminal-020", "criminal-021"}


def test_everyday_follow_ups_found_by_the_second_fresh_round() -> None:
    idx = index()
    assert followup.kinds_of("修要一万多，他们只愿意出两千怎么办") == ["refusal"]
    assert followup.continues_topic("要怎么维权", "land_rural", idx)
    assert followup.step_entry("要什么条件才能申请", "legal_aid") == "legal_aid-001"
    assert sides.detect("我妈在县医院做胆囊手术，结果伤到了胆管") == frozenset({"patient"})
