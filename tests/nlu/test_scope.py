"""Scope as a graded decision (bot/scope.py), as worked examples over made-up rankings."""

import pytest

from bot.scope import Thresholds, decide, legal_cue, legal_word, substance


def test_a_confident_category_is_answered() -> None:
    d = decide([("wage_arrears", 0.7), ("labor_dispute", 0.2), ("out_of_scope", 0.1)], "老板欠了三个月工资")
    assert (d.intent, d.confidence) == ("wage_arrears", 0.7)


def test_an_unsure_category_gets_a_clarifying_question_with_the_likeliest_first() -> None:
    d = decide([("labor_dispute", 0.25), ("out_of_scope", 0.2), ("wage_arrears", 0.2), ("contract", 0.1)],
               "辞职了还能拿什么钱")
    assert d.intent == "nlu_fallback"
    assert d.choices == ["labor_dispute", "wage_arrears", "contract"]


def test_plain_chit_chat_is_turned_away() -> None:
    d = decide([("out_of_scope", 0.9), ("consumer", 0.05), ("greet", 0.05)], "今天天气不错")
    assert d.intent == "out_of_scope"


def test_a_dispute_is_never_turned_away_however_sure_the_classifier_is() -> None:
    d = decide([("out_of_scope", 0.95), ("wage_arrears", 0.04)], "厂里欠我7000多块钱工资一直拖着")
    assert d.intent == "nlu_fallback" and d.choices == ["wage_arrears"]
    d = decide([("out_of_scope", 0.4), ("wage_arrears", 0.55)], "厂里欠我7000多块钱工资一直拖着")
    assert d.intent == "wage_arrears"


def test_a_legal_word_in_passing_is_turned_away_only_when_very_sure() -> None:
    assert decide([("out_of_scope", 0.9), ("contract", 0.08)], "合同这个词用英语怎么说").intent == "out_of_scope"
    # Less sure, with a legal word: ask back rather than refuse.
    assert decide([("out_of_scope", 0.6), ("contract", 0.2)], "合同模板怎么写").intent == "nlu_fallback"


def test_out_of_scope_with_much_legal_probability_is_not_rejected() -> None:
    d = decide([("out_of_scope", 0.5), ("debt", 0.26), ("contract", 0.2)], "朋友那笔钱一直没动静")
    assert d.intent == "nlu_fallback"


def test_a_greeting_followed_by_a_question_is_the_question() -> None:
    ranking = [("greet", 0.5), ("marriage_family", 0.45), ("out_of_scope", 0.05)]
    assert decide(ranking, "你好，在吗，我想问下离婚孩子归谁").intent == "marriage_family"
    assert decide([("greet", 0.9), ("marriage_family", 0.05)], "你好，在吗").intent == "greet"
    assert decide([("thank", 0.8), ("debt", 0.1)], "谢谢律师，太感谢了").intent == "thank"


def test_an_unsure_dialogue_intent_is_read_as_a_possible_question() -> None:
    d = decide([("affirm", 0.3), ("debt", 0.25), ("contract", 0.2)], "对的他一直不还")
    assert d.intent == "nlu_fallback" and d.choices[:2] == ["debt", "contract"]
    assert decide([("request_human", 0.8), ("debt", 0.1)], "转人工").intent == "request_human"


def test_an_unsure_follow_up_stays_a_follow_up_unless_a_category_is_likelier() -> None:
    assert decide([("follow_up", 0.3), ("litigation_procedure", 0.25)], "需要带什么材料？").intent == "follow_up"
    assert decide([("follow_up", 0.3), ("debt", 0.35)], "那他不还呢").intent == "nlu_fallback"


def test_the_statistical_classifier_never_decides_a_crisis() -> None:
    d = decide([("crisis", 0.9), ("labor_dispute", 0.06)], "辞职了还能拿什么钱")
    assert d.intent != "crisis" and all(n != "crisis" for n, _ in d.ranking)


def test_thresholds_are_settings() -> None:
    ranking = [("debt", 0.25), ("contract", 0.2)]
    assert decide(ranking, "钱的事", Thresholds(answer=0.2)).intent == "debt"
    assert decide(ranking, "钱的事").intent == "nlu_fallback"


def test_cues_words_and_substance() -> None:
    assert legal_cue("他拖欠我工资") == "拖欠"
    assert legal_cue("合同这个词用英语怎么说") is None
    assert legal_word("合同这个词用英语怎么说") == "合同"
    assert substance("你好，在吗？") == 0
    assert substance("您好律师，请问一下") == 0
    assert substance("你好，我想咨询一下离婚的事") == 3  # 离婚事: short, but a legal word
    assert decide([("greet", 0.5), ("marriage_family", 0.45)], "你好，我想咨询一下离婚的事").intent == "marriage_family"


def test_a_question_naming_a_legal_word_is_answered_at_a_lower_confidence() -> None:
    # Real questions nearly always name a dispute cue or a legal word and chit-chat seldom does: on the
    # real sample's even lines this answers 72% of questions directly instead of 65%, as accurately
    # (86% right), with no more chit-chat answered (docs/nlu.md).
    ranking = [("debt", 0.33), ("contract", 0.2)]
    assert decide(ranking, "朋友借了我两万块钱一直拖着不还，我该怎么要回来").intent == "debt"
    assert decide(ranking, "这件事一直拖着没人管，我也不知道该去问谁才好").intent == "nlu_fallback"  # no legal word
    assert decide(ranking, "那他不还呢").intent == "nlu_fallback"  # short: a follow-up, read in context
    assert decide(ranking, "朋友借了我两万块钱一直拖着不还，我该怎么要回来",
                  Thresholds(answer_legal=0.4)).intent == "nlu_fallback"


def test_a_short_follow_up_question_is_never_turned_away() -> None:
    # "要多长时间" after an answer: the classifier once put it out of scope with 0.46.
    # "點算好" (Cantonese) is normalised to "怎么办好": "what do I do now" after an answer.
    for text in ["要多长时间", "需要多长时间", "要带什么材料", "怎么办好", "那怎么办"]:
        d = decide([("out_of_scope", 0.6), ("follow_up", 0.2), ("marriage_family", 0.05)], text)
        assert d.intent == "follow_up", text
    assert decide([("out_of_scope", 0.9), ("none", 0.05)], "今天天气怎么样").intent == "out_of_scope"
    assert decide([("out_of_scope", 0.8), ("none", 0.05)], "法考培训班哪家好").intent == "out_of_scope"


def test_matters_of_law_without_a_dispute_verb_are_not_turned_away() -> None:
    # Leave, fraud, injury grades, minors, consumer faults: the real questions turned away on 2026-12-02
    # named such matters without any dispute verb. Asked back rather than refused.
    for text in ("公司的婚假应该放几天", "这个理财平台是不是传销", "肋骨断了两根算轻伤吗",
                 "网上买的鞋子是假货", "被催收的爆了通讯录"):
        assert decide([("out_of_scope", 0.6), ("labor_dispute", 0.2)], text).intent != "out_of_scope", text
    assert legal_cue("网贷逾期被爆了通讯录") is not None
    # Everyday talk that mentions none of them is still turned away.
    assert decide([("out_of_scope", 0.6), ("labor_dispute", 0.2)], "今天晚上吃什么好呢").intent == "out_of_scope"


@pytest.mark.parametrize("text, ranking, act", [
    ("好的,明白了", [("debt", 0.2), ("affirm", 0.1)], "thank"),
    ("好的", [("debt", 0.2), ("greet", 0.1)], "affirm"),
    ("好,谢谢", [("wage_arrears", 0.3), ("thank", 0.2)], "thank"),
    ("谢谢,我先去找他谈谈", [("thank", 0.5), ("debt", 0.2)], "thank"),
    # An acknowledgement and what the citizen will do next closes the answer, whatever words the plan has.
    ("好的,那我先把工人的名单和工资表整理出来", [("wage_arrears", 0.21), ("debt", 0.1)], "thank"),
    ("好,我明天先去派出所问问", [("administrative", 0.32), ("criminal", 0.2)], "thank"),
    ("明白了,我先去把病历复印出来", [("medical_dispute", 0.57), ("consumer", 0.1)], "thank"),
    # Several acknowledgements before the plan.
    ("好的明白了,那我们先去劳动监察那边登记一下", [("wage_arrears", 0.5), ("labor_dispute", 0.2)], "thank"),
])
def test_an_acknowledgement_or_thanks_with_a_plan_is_no_question(text: str, ranking, act: str) -> None:
    assert decide(ranking, text).intent == act


@pytest.mark.parametrize("text, ranking", [
    ("谢谢,那他不给怎么办", [("thank", 0.5), ("debt", 0.2)]),
    ("谢谢,我老板还欠我工资", [("thank", 0.5), ("wage_arrears", 0.3)]),
    ("不好", [("affirm", 0.3), ("debt", 0.1)]),
    ("好的,我去仲裁,仲裁要带什么", [("labor_dispute", 0.5), ("affirm", 0.1)]),
    ("好,我再问一下,工伤认定要多久", [("work_injury", 0.5), ("affirm", 0.1)]),
])
def test_a_question_or_a_no_after_the_courtesies_is_not_an_acknowledgement(text: str, ranking) -> None:
    assert decide(ranking, text).intent not in ("thank", "affirm")


def test_a_long_unsure_message_is_answered_when_the_retrieval_finds_its_best_category() -> None:
    text = "我把车借给朋友开,他把一个骑电动车的人撞伤了,现在伤者家属来找我要钱,说车是我的"
    ranking = [("traffic_accident", 0.25), ("debt", 0.2), ("personal_injury", 0.15)]
    assert decide(ranking, text).intent == "nlu_fallback"  # without the retrieval: asked back
    assert decide(ranking, text, confirms=lambda t, c: c == "traffic_accident").intent == "traffic_accident"
    assert decide(ranking, text, confirms=lambda t, c: c == "debt").intent == "nlu_fallback"
    short = "车借给朋友撞了人"
    assert decide(ranking, short, confirms=lambda t, c: True).intent == "nlu_fallback"


@pytest.mark.parametrize("text, ranking, intent", [
    # A weak thanks or farewell with no courtesy in its words is a vague message, not a closing.
    ("就是那个事", [("thank", 0.15), ("goodbye", 0.12), ("debt", 0.1)], "nlu_fallback"),
    # A courtesy in its words keeps it a closing, however weak the classifier.
    ("谢谢了", [("thank", 0.15), ("debt", 0.1)], "thank"),
    ("在吗", [("greet", 0.2), ("debt", 0.1)], "greet"),
])
def test_a_weak_courtesy_needs_a_courtesy_word(text: str, ranking, intent: str) -> None:
    assert decide(ranking, text).intent == intent


def test_a_huge_run_of_acknowledgements_is_no_closing_and_ends() -> None:
    from bot.scope import load_cues

    # A nested repetition ("(嗯+)+") would backtrack for ever on this; the pattern repeats single words.
    assert not load_cues().closing_plans.search("嗯" * 20000 + "x")
