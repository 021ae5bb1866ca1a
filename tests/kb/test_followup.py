"""Follow-ups in context (issue 13 part 5, issue 14 part 3): answered within the topic and side, from the
entry's follow-ups, the category's, the next best entry of the topic, or an honest "这要看…"."""

from functools import lru_cache

import pytest

from bot import taxonomy
from bot.kb import consult, faq, followup
from bot.kb.retrieval import Index


@lru_cache(maxsize=1)
def index() -> Index:
    return Index(faq.load())


def after(previous_id: str, text: str, intent: str = "follow_up", confidence: float = 0.9) -> consult.Turn:
    previous = index().by_id[previous_id]
    return consult.decide(index(), text, intent=intent, intent_confidence=confidence,
                          context_category=previous.category, previous_id=previous_id,
                          previous_question=previous.question)


@pytest.mark.parametrize(("text", "kind"), [
    ("那要多久？", "deadline"), ("过了一年还能告吗", "deadline"), ("需要带什么材料", "documents"),
    ("要准备哪些证据", "documents"), ("要花多少钱", "cost"), ("医药费谁出啊", "cost"), ("去哪里办", "where"),
    ("找哪个部门", "where"), ("要去哪里办手续", "where"), ("对方不给怎么办", "refusal"), ("老板不承认怎么办", "refusal"),
])
def test_the_kind_of_follow_up(text: str, kind: str) -> None:
    assert followup.kind_of(text) == kind


@pytest.mark.parametrize(("previous", "text", "must_contain"), [
    ("traffic_accident-002", "那要多久？", "三日内"),
    ("traffic_accident-002", "需要带什么材料", "事故认定书"),
    ("traffic_accident-007", "医药费谁出啊", "救助基金"),
    ("debt-001", "对方不给怎么办", "强制执行"),
    ("wage_arrears-001", "去哪里申请", "仲裁委员会"),
    ("work_injury-004", "那要多久", "1年"),
    ("litigation_procedure-001", "我是被告呢", "答辩"),
])
def test_a_follow_up_is_answered_within_the_topic(previous: str, text: str, must_contain: str) -> None:
    turn = after(previous, text)
    prev = index().by_id[previous]
    assert turn.category == prev.category
    answer_text = turn.entry.answer if turn.kind == consult.ANSWER else turn.text
    assert must_contain in answer_text
    assert answer_text != prev.answer  # never the previous answer word for word


def test_an_entrys_own_follow_up_comes_before_the_categorys() -> None:
    turn = after("criminal-901", "去哪里自首")
    assert turn.kind == consult.FOLLOWUP and turn.entry.id == "criminal-901"
    assert turn.text == index().by_id["criminal-901"].followup("where").text


def test_a_new_question_inside_the_topic_gets_the_next_entry() -> None:
    turn = after("criminal-003", "自首能从轻吗", intent="criminal")
    assert turn.kind == consult.ANSWER and turn.entry.id == "criminal-901"


def test_the_other_side_gets_its_own_entry() -> None:
    turn = after("traffic_accident-007", "我是司机呢")
    assert turn.kind == consult.ANSWER and turn.entry.side == "driver"


def test_a_confident_question_of_another_category_leaves_the_topic() -> None:
    turn = after("traffic_accident-002", "工资不给怎么办", intent="wage_arrears", confidence=0.95)
    assert turn.category == "wage_arrears" and turn.kind == consult.ANSWER


def test_repeating_the_previous_entry_is_avoided() -> None:
    prev = index().by_id["labor_dispute-002"]
    turn = consult.decide(index(), "被违法辞退了还有什么要注意的吗", intent="labor_dispute", intent_confidence=0.9,
                          context_category="labor_dispute", previous_id=prev.id, previous_question="公司把我辞退了")
    assert turn.entry is None or turn.kind != consult.ANSWER or turn.entry.id != prev.id


def test_nothing_fits_gives_an_honest_it_depends() -> None:
    turn = after("notary_appraisal-001", "那我该怎么说服他们呢")
    assert turn.kind in (consult.DEPENDS, consult.ANSWER, consult.FOLLOWUP)
    if turn.kind == consult.DEPENDS:
        assert turn.text.startswith("这要看")


def test_without_a_topic_ask_for_it_once_and_never_right_after() -> None:
    first = consult.decide(index(), "那要多久", intent="follow_up", context_category=None, previous_id=None)
    assert first.kind == consult.ASK_TOPIC
    again = consult.decide(index(), "就是那个事啊多久", intent="follow_up", context_category=None, previous_id=None,
                           asked_topic_last=True)
    assert again.kind != consult.ASK_TOPIC


def test_a_message_that_names_its_topic_is_not_asked_for_one() -> None:
    turn = consult.decide(index(), "交通事故怎么处理", intent="follow_up", context_category=None, previous_id=None)
    assert turn.kind == consult.ANSWER and turn.category == "traffic_accident"


def test_every_category_has_cited_follow_ups_and_an_honest_fallback() -> None:
    data = followup.load_category_followups()
    assert followup.category_followup_problems(data, tuple(taxonomy.CATEGORIES)) == []
    cited = sum(1 for kinds in data.followups.values() for f in kinds.values() if f.citations)
    assert cited >= 60
    for category in taxonomy.CATEGORIES:
        assert data.depends[category].startswith("这要看")


def test_an_action_the_answer_just_given_names_is_answered_from_that_answer() -> None:
    # "可以报警吗" after the noise answer: its own step about calling 110, not the barking-dog entry.
    turn = after("neighbor_dispute-005", "可以报警吗")
    assert turn.kind == consult.FOLLOWUP and turn.category == "neighbor_dispute"
    assert "110" in turn.text and "饲养" not in turn.text
    assert turn.text != index().by_id["neighbor_dispute-005"].answer
    turn = after("neighbor_dispute-005", "能起诉他吗")
    assert "起诉" in turn.text and "110" not in turn.text
    # A message naming no action gets no part of the answer.
    assert followup.same_entry_part("好的谢谢", index().by_id["neighbor_dispute-005"]) is None


def test_an_entry_answered_earlier_in_the_conversation_is_not_the_next_best_again() -> None:
    previous = index().by_id["neighbor_dispute-012"]
    turn = consult.decide(index(), "那楼上天天跺脚呢", intent="follow_up", intent_confidence=0.9,
                          context_category="neighbor_dispute", previous_id=previous.id,
                          previous_question=previous.question, given=("neighbor_dispute-005", previous.id))
    assert turn.entry is None or turn.entry.id not in ("neighbor_dispute-005", "neighbor_dispute-012") \
        or turn.kind != consult.ANSWER


@pytest.mark.parametrize("text", ["那怎么办", "怎么办好", "我该怎么办呢", "咋整"])
def test_what_now_alone_is_a_follow_up(text: str) -> None:
    assert followup.asks_what_now(text) and followup.looks_like_followup(text)
    assert followup.rescued_from_scope(text, "wage_arrears", index())


def test_who_pays_first_is_a_cost_question() -> None:
    assert followup.kind_of("医药费谁先垫付") == "cost"
    assert not followup.asks_what_now("孩子不听话怎么办")


def test_asking_whether_one_may_refuse_is_not_the_other_side_refusing() -> None:
    assert followup.kind_of("对方不签字怎么办") == "refusal"
    assert followup.kind_of("可以不签字吗") != "refusal"
    assert followup.kind_of("我能不同意吗") != "refusal"


def test_what_now_alone_gets_the_honest_it_depends_not_a_guessed_entry() -> None:
    turn = after("neighbor_dispute-005", "那怎么办")
    assert turn.kind in (consult.DEPENDS, consult.SUGGEST) and turn.category == "neighbor_dispute"


def test_a_remark_on_the_other_party_stays_in_the_topic() -> None:
    assert followup.rescued_from_scope("他收入比我高呢", "marriage_family", index())
    assert followup.rescued_from_scope("孩子才三岁呢", "marriage_family", index())
    assert not followup.rescued_from_scope("你吃饭了吗", "marriage_family", index())
    assert not followup.rescued_from_scope("他收入比我高呢", None, index())


def test_an_action_named_right_after_an_answer_that_names_it_stays_in_the_topic() -> None:
    # "能报警不": the NLU may be sure 报警 is a criminal matter; the noise answer says when to call 110.
    turn = after("neighbor_dispute-005", "能报警不", intent="criminal", confidence=0.95)
    assert turn.category == "neighbor_dispute" and "110" in turn.text
    assert followup.asks_what_now("这么怎么办好")  # "咁點算好" after normalisation


@pytest.mark.parametrize(("text", "found"), [
    ("可以报警吗", True), ("能起诉他不", True), ("报警了有用吗", True), ("那可以去报警吗？", True),
    ("他们说要起诉我会坐牢吗", False), ("我报警了他会被抓吗", False),
])
def test_only_a_question_about_the_action_itself_is_answered_from_the_answer(text: str, found: bool) -> None:
    noise = index().by_id["neighbor_dispute-005"]
    assert (followup.same_entry_part(text, noise) is not None) is found


def test_a_debtor_asking_whether_he_may_refuse_is_not_the_other_side_refusing() -> None:
    assert followup.kind_of("利息太高了可以不还吗") != "refusal"
    assert followup.kind_of("对方可以不给钱吗") == "refusal"  # the other side's refusal asked about


@pytest.mark.parametrize("text", ["他凭什么扣", "房东凭什么扣我押金", "我有入住时的照片", "我手里有借条"])
def test_why_the_other_side_does_it_and_the_evidence_one_has_stay_in_the_topic(text: str) -> None:
    assert followup.rescued_from_scope(text, "housing_property", index())


def test_detail_after_a_clarifying_question_is_read_within_the_categories_offered() -> None:
    earlier = ["孩子打疫苗后发烧抽搐住院了"]
    together = followup.read_together(earlier, "这个找谁赔", index(), categories=("medical_dispute",))
    if together is not None:
        hit = index().search(together, k=5)
        assert any(h.entry.category == "medical_dispute" for h in hit)
    assert followup.read_together(earlier, "这个找谁赔", index(), categories=("notary_appraisal",)) is None


def test_a_remark_gets_the_honest_answer_not_a_guessed_entry() -> None:
    turn = after("housing_property-001", "他凭什么扣")
    assert turn.kind in (consult.DEPENDS, consult.SUGGEST, consult.FOLLOWUP)


# A detail or remark told after an answer stays in the topic (issue 13 item 5; docs/conversations.md #34–41).
# The NLU's call is given as the classifier made it.

def told(previous_id: str, question: str, text: str, intent: str, confidence: float,
         given: tuple[str, ...] = ()) -> consult.Turn:
    """`text` after the answer `previous_id` to the citizen's `question`."""
    previous = index().by_id[previous_id]
    return consult.decide(index(), text, intent=intent, intent_confidence=confidence,
                          context_category=previous.category, previous_id=previous_id, previous_question=question,
                          given=given or (previous_id,))


@pytest.mark.parametrize("text", ["对方轻伤", "说是要修路", "花了三千多医药费", "没有合同", "他说我把墙弄脏了",
                                  "物业也不管", "我还有个姐姐已经出嫁了"])
def test_a_short_statement_of_the_matter_is_a_detail(text: str) -> None:
    assert followup.tells_detail(text)


@pytest.mark.parametrize("text", ["还有个事，我老公打我", "另外问一下离婚的事", "哈哈好的", "你是机器人吗",
                                  "我在工地上班从架子上摔下来了，老板不给报工伤还把我开除了"])
def test_chat_a_new_matter_or_a_long_story_is_not_a_detail(text: str) -> None:
    assert not followup.tells_detail(text)


def test_the_other_partys_injury_after_a_detention_is_how_injuries_are_sentenced() -> None:
    # Was a clarifying question across 人身损害赔偿 / 合同纠纷 / 刑事案件 (the NLU: nlu_fallback 0.25).
    assert followup.continues_topic("对方轻伤", "criminal", index())
    turn = told("criminal-003", "我儿子因为打架被派出所抓了", "对方轻伤", "nlu_fallback", 0.25)
    assert turn.kind == consult.ANSWER and turn.entry.id == "criminal-013"


def test_the_reason_for_taking_a_homestead_back_gets_the_rule_of_the_answer_given() -> None:
    assert followup.continues_topic("说是要修路", "land_rural", index())
    turn = told("land_rural-009", "村里要把我家宅基地收回去", "说是要修路", "nlu_fallback", 0.15)
    assert turn.kind == consult.FOLLOWUP and turn.category == "land_rural"
    assert "公共设施" in turn.text and "补偿" in turn.text


def test_medical_costs_told_as_a_fact_are_a_cost_follow_up() -> None:
    assert followup.kind_of("花了三千多医药费") == "cost"
    assert followup.kind_of("看病已经花了三千多") == "cost"
    turn = told("personal_injury-011", "孩子在学校被同学打伤了，学校说不关他们的事", "花了三千多医药费",
                "nlu_fallback", 0.40)
    assert turn.kind == consult.FOLLOWUP and "医疗费" in turn.text and "票据" in turn.text


def test_no_contract_after_a_work_injury_is_how_to_prove_the_work_not_the_contract_category() -> None:
    # The NLU: contract 0.75; "没有合同" names the work-injury step without 签.
    assert followup.step_entry("没有合同", "work_injury") == "work_injury-004"
    turn = told("work_injury-004", "在工地干活从架子上摔下来了，老板不给报工伤", "没有合同", "contract", 0.75)
    assert turn.category == "work_injury" and "事实劳动关系" in turn.text and "工牌" in turn.text


def test_the_first_answer_to_an_unreported_fall_at_work_is_a_work_injury_entry() -> None:
    turn = consult.decide(index(), "在工地干活从架子上摔下来了，老板不给报工伤", intent="work_injury",
                          intent_confidence=0.86, context_category=None, previous_id=None)
    assert turn.entry is not None and turn.entry.category == "work_injury"


def test_a_married_sister_told_then_asked_about_gets_the_equal_rights_of_daughters() -> None:
    turn = told("inheritance-001", "我爸去世了没留遗嘱，房子怎么分", "我还有个姐姐已经出嫁了", "continue_consult", 0.51)
    # The sentence of the answer just given that the detail concerns.
    assert turn.kind == consult.FOLLOWUP and "出嫁的女儿同样有继承权" in turn.text
    assert turn.remember.endswith(" 我还有个姐姐已经出嫁了")  # kept for the question that points back at her
    # "她" is the sister: read with that detail first, not as a question of its own (was 转继承).
    again = consult.decide(index(), "她也能分吗", intent="nlu_fallback", intent_confidence=0.37,
                           context_category="inheritance", previous_id="inheritance-001",
                           previous_question=turn.remember, last_reply=turn.text, given=("inheritance-001",))
    assert again.kind == consult.ANSWER and again.entry.id == "inheritance-012"


def test_what_the_landlord_claims_gets_normal_wear_not_another_category() -> None:
    assert followup.continues_topic("他说我把墙弄脏了", "housing_property", index())
    turn = told("housing_property-001", "房东不退押金怎么办", "他说我把墙弄脏了", "nlu_fallback", 0.14)
    assert turn.category == "housing_property" and "正常使用" in turn.text


def test_resigning_for_compensation_after_unpaid_overtime_is_economic_compensation() -> None:
    turn = told("labor_dispute-001", "公司天天加班到十点，没有加班费 我没签合同", "现在辞职能拿补偿吗", "labor_dispute",
                0.65, given=("labor_dispute-004", "labor_dispute-001"))
    assert turn.kind == consult.ANSWER and turn.entry.id == "labor_dispute-003"


def test_the_property_company_doing_nothing_after_a_leak_stays_with_the_leak() -> None:
    turn = told("neighbor_dispute-004", "楼上漏水把我家天花板泡坏了，他不管", "物业也不管", "housing_property", 0.77)
    assert turn.category == "neighbor_dispute" and "物业费" not in turn.text
    court = told("neighbor_dispute-004", "楼上漏水把我家天花板泡坏了，他不管", "我能直接找法院吗", "nlu_fallback", 0.32)
    assert court.category == "neighbor_dispute" and "法院起诉" in court.text


def test_a_short_message_naming_another_matter_leaves_the_topic() -> None:
    assert told("inheritance-001", "我爸去世了没留遗嘱，房子怎么分", "还有个事，我老公打我", "domestic_violence",
                0.62).category == "domestic_violence"
    assert told("traffic_accident-007", "被车撞了怎么赔", "公司不发工资", "wage_arrears",
                0.50).category == "wage_arrears"


def test_a_part_said_last_turn_is_not_said_again_for_an_action_asked_about() -> None:
    rule = followup.rule_of(index().by_id["land_rural-009"])
    assert rule and "公共设施" in rule
    turn = consult.decide(index(), "补偿怎么算", intent="labor_dispute", intent_confidence=0.42,
                          context_category="land_rural", previous_id="land_rural-009",
                          previous_question="村委会说要收回我家的宅基地 说要建学校", last_reply=rule)
    assert turn.category == "land_rural" and "公共设施" not in turn.text


def test_continue_or_affirm_that_tells_a_detail_of_the_topic() -> None:
    assert followup.says_more_than_continue("我还有个姐姐已经出嫁了", "inheritance", index())
    for bare in ("还有个问题", "好的", "我还想问个事", "嗯嗯"):
        assert not followup.says_more_than_continue(bare, "inheritance", index())
    assert not followup.says_more_than_continue("我还有个姐姐已经出嫁了", None, index())


def test_a_short_question_of_the_matter_just_answered_is_read_with_it() -> None:
    # consult._points_back: a short message of the same matter whose question, read with the one before it,
    # finds the answer just given is a follow-up of that answer; a long one or a new matter is not.
    theft = index().by_id["criminal-055"]
    first = "我的电动车上个月被偷了，前几天派出所打电话说小偷抓到了，可是车已经被他卖掉了"
    assert consult._points_back(index(), "那我的车钱能要回来吗", theft, first)
    assert not consult._points_back(index(), "另外问一下，我老公被刑事拘留了，家属能做什么", theft, first)
    assert not consult._points_back(index(), "那我的车钱能要回来吗" * 5, theft, first)
