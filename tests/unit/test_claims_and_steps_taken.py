"""Follow-ups of the third fresh conversation set's kinds (issue 13): what the other party says, a step the
citizen already took, the cost of a step, and the at-fault driver. Decided without the stack; the NLU's call
is given as the stack's classifier made it."""

from functools import lru_cache

import pytest

from bot.kb import consult, faq, followup, sides
from bot.kb.retrieval import Index


@lru_cache(maxsize=1)
def index() -> Index:
    return Index(faq.load())


def after(previous_id: str, text: str, intent: str, confidence: float) -> consult.Turn:
    previous = index().by_id[previous_id]
    return consult.decide(index(), text, intent=intent, intent_confidence=confidence,
                          context_category=previous.category, previous_id=previous_id,
                          previous_question=previous.question)


@pytest.mark.parametrize("text", [
    "厂里说工资里已经包含加班费了", "开发商说是疫情原因不算违约", "狗主人说是我先去逗狗的", "他说他名下没有财产",
    "他说他失业了没钱", "物业说不交就要起诉我们", "佢话最近生意唔好，叫我等多个月先", "现在他说不认识我",
])
def test_what_the_other_party_says_is_a_claim(text: str) -> None:
    assert followup.tells_claim(text)


@pytest.mark.parametrize("text", ["我说了好几次", "听说可以告", "你说的不对", "据说要三年", "怎么说呢", "再说吧",
                                  "我老公说要离婚"])
def test_the_writer_hearsay_or_chat_is_no_claim(text: str) -> None:
    assert not followup.tells_claim(text)


def test_a_claim_stays_in_the_topic_however_sure_the_nlu_is_of_another_matter() -> None:
    # 没钱 alone reads as a debt; after child support it is the ex-husband's excuse.
    turn = after("marriage_family-056", "他说他失业了没钱", "debt", 0.9)
    assert turn.category == "marriage_family"


def test_a_claim_is_not_turned_away_in_a_topic() -> None:
    assert followup.rescued_from_scope("佢话最近生意唔好，叫我等多个月先", "wage_arrears", index())
    assert not followup.rescued_from_scope("佢话最近生意唔好，叫我等多个月先", None, index())


@pytest.mark.parametrize("text", ["报警警察来了也就说两句", "村委会调解了两次没用", "已经跟他沟通过了",
                                  "找物业来看过确认是楼上的防水层坏了", "投诉了也没人管"])
def test_a_step_already_taken(text: str) -> None:
    assert followup.tells_tried(text)


@pytest.mark.parametrize("text", ["我们没有报警", "可以报警吗", "起诉要多久", "调解有用吗"])
def test_no_step_taken(text: str) -> None:
    assert not followup.tells_tried(text)


def test_a_step_already_taken_gets_the_steps_after_it_not_the_step_again() -> None:
    turn = after("neighbor_dispute-005", "报警警察来了也就说两句", "criminal", 0.5)
    assert turn.category == "neighbor_dispute" and turn.kind == consult.FOLLOWUP
    assert "起诉" in turn.text and "110" not in turn.text
    turn = after("land_rural-005", "村委会调解了两次没用", "land_rural", 0.6)
    assert "仲裁" in turn.text and "村委会" not in turn.text


def test_no_steps_after_the_last_one() -> None:
    previous = index().by_id["neighbor_dispute-005"]
    assert followup.steps_after_tried("起诉了也没用", previous) is None


@pytest.mark.parametrize("text", ["执行要交钱吗", "申请要缴费吗", "要不要钱"])
def test_paying_for_a_step_is_a_cost_question(text: str) -> None:
    assert followup.kind_of(text) == "cost"


@pytest.mark.parametrize("text", ["我追尾了别人", "交警定我全责", "开车跟别人追尾了，我全责，对方要我赔他两万的误工费"])
def test_the_at_fault_driver_is_the_driver(text: str) -> None:
    assert "driver" in sides.detect(text)


def test_being_rear_ended_is_not_the_driver() -> None:
    assert "driver" not in sides.detect("我被人追尾了")


def test_the_at_fault_driver_gets_the_drivers_entry() -> None:
    hit = index().search("开车跟别人追尾了，我全责，对方要我赔他两万的误工费和车辆贬值费", k=1,
                         sides=frozenset({"driver"}))[0]
    assert hit.entry.id == "traffic_accident-028"


def test_an_excuse_with_a_refusals_words_gets_the_excuse_entry() -> None:
    # 没钱给 is a refusal's word; told as what the other party says it is the excuse (marriage_family-091).
    turn = after("marriage_family-078", "他说他没工作没钱给", "marriage_family", 0.5)
    assert turn.kind == consult.ANSWER and turn.entry.id == "marriage_family-091"


def test_a_claim_is_searched_for_what_is_claimed_not_for_who_claims_it() -> None:
    # "开发商说" alone finds the entry quoting a developer's pandemic excuse; the land-fee excuse is the
    # certificate's (housing_property-010).
    assert followup.what_is_claimed("开发商说是他们土地出让金没交清，所以办不下来").endswith("土地出让金没交清,所以办不下来")
    turn = after("housing_property-009", "开发商说是他们土地出让金没交清，所以办不下来", "housing_property", 0.5)
    assert turn.entry is not None and turn.entry.id == "housing_property-010"


def test_a_weak_other_category_in_a_topic_is_read_as_a_detail_of_the_topic() -> None:
    # The classifier's 0.25 for administrative, confirmed by retrieval, is no reason to leave the accident.
    turn = after("traffic_accident-011", "现在伤者已经去法院起诉了，把我也列成了被告", "administrative", 0.25)
    assert turn.category == "traffic_accident"


def test_the_side_of_the_answer_just_given_is_not_asked_again() -> None:
    previous = index().by_id["traffic_accident-005"]
    assert previous.side == "victim"
    turn = after("traffic_accident-005", "我是做自媒体的，没有固定工资，误工费怎么算", "traffic_accident", 0.6)
    assert turn.kind != consult.ASK_SIDE


def test_a_step_taken_that_the_nlu_could_not_place_continues_the_topic() -> None:
    assert followup.continues_topic("我跟平台举报了，平台一直不删", "other_legal", index())
    assert followup.tells_claim("他有驾照的，但是后来交警说他那天喝了酒，这个我真不知道")


@pytest.mark.parametrize("text, kinds", [
    ("去仲裁要钱吗，有没有时间限制", ["deadline", "cost"]),
    ("劳动局喺边度投诉，使唔使俾钱㗎", ["where", "cost"]),
    ("去哪里能调解，要不要钱", ["where", "cost"]),
])
def test_a_question_of_two_kinds_is_read_as_both(text: str, kinds: list[str]) -> None:
    assert followup.kinds_of(text) == kinds


def test_a_question_of_two_kinds_gets_both_answers() -> None:
    turn = after("wage_arrears-001", "去仲裁要钱吗，有没有时间限制", "follow_up", 0.6)
    assert turn.kind == consult.FOLLOWUP
    assert "一年" in turn.text and "不收费" in turn.text


@pytest.mark.parametrize("text", ["接下来会有什么流程", "下一步怎么走", "程序是什么"])
def test_what_happens_next_is_asked(text: str) -> None:
    assert followup.asks_process(text)


def test_what_happens_next_gets_the_steps_of_the_answer_just_given_even_when_turned_away() -> None:
    assert followup.rescued_from_scope("接下来会有什么流程", "criminal", index())
    turn = after("criminal-003", "接下来会有什么流程", "out_of_scope", 0.6)
    assert turn.kind == consult.FOLLOWUP and turn.text.startswith("就您这种情况，可以这样做")
    assert not followup.asks_process("离婚的流程是什么")  # a question of its own


def test_a_question_the_nlu_could_not_place_is_read_in_the_topic_when_the_topic_is_likely() -> None:
    likeliest = ["personal_injury", "traffic_accident", "criminal"]
    assert followup.asks_in_topic("十万是不是太多了，这个到底怎么算", "personal_injury", likeliest)
    assert not followup.asks_in_topic("十万是不是太多了，这个到底怎么算", "debt", likeliest)  # topic not likely
    assert not followup.asks_in_topic("你今天吃饭了吗，好无聊啊啊", "personal_injury", likeliest)  # chat
    assert not followup.asks_in_topic("他一直不还钱", "personal_injury", likeliest)  # asks nothing
    assert not followup.asks_in_topic("上诉费多少", "personal_injury", likeliest)  # too short to be sure
    # A question asked A-not-A ("会不会", "是不是", "有没有"), with no other question word.
    assert followup.asks_in_topic("孩子今年九岁了，法院会不会问孩子自己的意见", "marriage_family",
                                  ["criminal", "marriage_family", "litigation_procedure"])


def test_a_question_read_in_the_topic_offers_the_topics_questions_rather_than_guessing_an_entry() -> None:
    previous = index().by_id["personal_injury-020"]
    turn = consult.decide(index(), "十万是不是太多了，这个到底怎么算", intent="nlu_fallback", intent_confidence=0.2,
                          context_category=previous.category, previous_id=previous.id,
                          previous_question=previous.question, in_topic=True)
    assert turn.kind == consult.SUGGEST and turn.category == "personal_injury"
    assert any("怎么算" in b["title"] for b in turn.buttons)


def test_the_fee_of_a_step_is_a_cost_question_and_a_loss_to_claim_is_not() -> None:
    assert followup.kind_of("上诉费多少，是不是按房子的价钱算") == "cost"
    assert followup.kind_of("伤残鉴定费谁出") == "cost"
    assert followup.kind_of("误工费怎么算") is None


def test_the_writer_not_paying_is_no_refusal_by_the_other_side() -> None:
    assert followup.kinds_of("他说我再不还就去告我，还说要让我去坐牢") == []
    assert followup.kinds_of("他不还钱怎么办") == ["refusal"]
    turn = after("debt-010", "他说我在不还就去告我，还说要让我去坐劳", "debt", 0.5)
    assert turn.entry is not None and turn.entry.id == "debt-901"  # a private debt is no crime by itself
