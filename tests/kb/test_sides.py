"""Whose side a message reveals, and retrieval preferring that side (knowledge/retrieval/sides.yml)."""

import dataclasses
from functools import lru_cache

import pytest

from bot.kb import consult, faq, sides
from bot.kb.retrieval import Index


@pytest.mark.parametrize(("text", "side"), [
    ("我被告了", "defendant"),
    ("收到法院传票了怎么办", "defendant"),
    ("我撞了人", "driver"),
    ("我开车撞了一个老人跑了", "driver"),
    ("对方告我侵权", "accused"),
    ("对方告我侵权", "defendant"),
    ("公司要辞退我", "worker"),
    ("老板欠我工资三个月了", "worker"),
    ("员工旷工我想辞退他", "employer"),
    ("员工被我开除了，他要我赔钱", "employer"),
    ("我辞退了一个员工，他要去仲裁", "employer"),
    ("我被老板开除了", "worker"),
    ("我被开除了", "worker"),
    ("我被车撞了司机跑了", "victim"),
    ("朋友借我两万一直不还", "creditor"),
    ("我网贷逾期了还不上", "debtor"),
    ("房东不退押金", "tenant"),
    ("租客欠房租不搬走", "landlord"),
    ("顾客吃坏肚子找我要十倍赔偿", "seller"),
    ("我在网上买到了假货", "buyer"),
    ("我妈在医院做手术后去世了", "patient"),
    ("我老公被刑拘了", "accused"),
    ("我的商标被别人用了", "rights_holder"),
    ("我想离婚，男方不愿意怎么办", "plaintiff"),
    ("他就是不和我离婚", "plaintiff"),
    # How citizens tell their side in a story (tests/data/faq_common.jsonl).
    ("老板拖了三个月工资没发", "worker"),
    ("被主管无缘无故开除了", "worker"),
    ("我骑电动车被一辆小车撞了", "victim"),
    ("我爸被车撞死了", "victim"),
    ("昨天晚上在烧烤摊被人打了", "victim"),
    ("出了车祸对方全责", "victim"),
    ("我弟弟昨天被派出所的人带走了", "accused"),
    ("交了五千就被拉黑了", "rights_holder"),
    ("借给邻居两万块钱", "creditor"),
    ("同学找我借了一万", "creditor"),
    ("超市买的东西过期了", "buyer"),
    ("房东突然要收回房子", "tenant"),
    # The side the hotline hears less, told in a story (the eighth session's fresh conversations).
    ("我开了个小美甲店，有个店员做了三个月，现在找我要最后一个月的工资", "employer"),
    ("我喺东莞开咗间小五金加工厂，有个工人压伤咗右手。我冇帮佢买工伤保险", "employer"),
    ("我欠了一个朋友三万块，现在拿不出来", "debtor"),
    ("我开车在路口右转的时候刮倒了一个骑三轮车的老人", "driver"),
    ("交警说我负主要责任", "driver"),
    ("我的电动车上个月被偷了，前几天派出所打电话说小偷抓到了", "rights_holder"),
    ("家里被盗了，丢了金项链", "rights_holder"),
])
def test_the_side_a_message_reveals(text: str, side: str) -> None:
    assert side in sides.detect(text)


@pytest.mark.parametrize("text", ["离婚财产怎么分", "工伤认定要多久", "帮忙算一下辞退赔偿", ""])
def test_no_side_when_the_message_does_not_tell(text: str) -> None:
    assert sides.detect(text) == frozenset()


def test_the_borrower_is_not_the_lender() -> None:
    assert "creditor" not in sides.detect("他借给了我一万")
    assert "creditor" not in sides.detect("朋友借给我的钱还不上")


def test_employer_and_worker_cues_do_not_cross() -> None:
    assert "employer" not in sides.detect("公司要辞退我")
    assert "worker" not in sides.detect("员工旷工我想辞退他")
    assert "worker" not in sides.detect("员工被我开除了，他要我赔钱")
    assert "employer" not in sides.detect("我被公司开除了")
    assert "victim" not in sides.detect("我撞了人")


@lru_cache(maxsize=1)
def index() -> Index:
    return Index(faq.load())


@pytest.mark.parametrize(("text", "expected"), [
    ("我撞了人跑了怎么办", "traffic_accident-901"),  # the driver's entry, not the victim's
    ("对方告我侵权", "other_legal-901"),  # the accused's entry, not the trademark owner's playbook
    ("员工旷工我想辞退他", "labor_dispute-901"),
    ("贷款公司起诉我会不会坐牢", "debt-901"),  # not drunk-driving law
])
def test_retrieval_prefers_the_revealed_side(text: str, expected: str) -> None:
    hits = index().search(text, k=3, sides=sides.detect(text))
    assert hits[0].entry.id == expected


def _two_sided_index(category: str, sides_of: list[tuple[str, str, str, tuple[str, ...]]], others: list[str]) -> Index:
    """Two entries of `category` that answer the same question for the two sides (`<category>-801`, `-802`),
    each made from a shipped entry (source id, side, question, paraphrases), and a few unrelated entries."""
    base = {e.id: e for e in faq.load()}
    pair = [dataclasses.replace(base[source], id=f"{category}-80{n}", side=side, question=question, paraphrases=paraphrases)
            for n, (source, side, question, paraphrases) in enumerate(sides_of, 1)]
    return Index(pair + [base[o] for o in others])


def _pair_index() -> Index:
    return _two_sided_index("labor_dispute", [
        ("labor_dispute-002", "worker", "辞退了要赔偿吗？", ("辞退要赔钱吗", "辞退赔偿", "解除合同赔偿", "开除赔偿")),
        ("labor_dispute-901", "employer", "辞退要赔偿吗？", ("辞退要不要赔钱", "辞退赔偿", "解除合同赔偿", "开除赔偿")),
    ], ["wage_arrears-001", "debt-001"])


def _lending_pair_index() -> Index:
    lending = ("借钱的事", "借款纠纷", "借钱纠纷", "钱的纠纷")
    return _two_sided_index("debt", [("debt-001", "creditor", "借钱的事怎么办？", lending),
                                     ("debt-001", "debtor", "借钱的事咋办？", lending)],
                            ["wage_arrears-001", "labor_dispute-002"])


def test_the_bot_asks_the_side_when_answers_differ_and_the_message_does_not_tell() -> None:
    idx = _lending_pair_index()
    turn = consult.decide(idx, "借钱的事", intent="debt", context_category=None, previous_id=None)
    assert turn.kind == consult.ASK_SIDE
    assert {b["title"] for b in turn.buttons} == {"我是借出钱的一方", "我是欠钱的一方"}
    # Each button carries the question back with the side, so the next turn reveals it.
    payload = next(b["payload"] for b in turn.buttons if b["title"] == "我是欠钱的一方")
    assert payload == "我是欠钱的一方，借钱的事"
    again = consult.decide(idx, payload, intent="debt", context_category=None, previous_id=None)
    assert again.kind == consult.ANSWER and again.entry.id == "debt-802"


def test_the_worker_is_assumed_and_the_employer_is_one_button_away() -> None:
    idx = _pair_index()
    turn = consult.decide(idx, "辞退赔偿", intent="labor_dispute", context_category=None, previous_id=None)
    assert turn.kind == consult.ANSWER and turn.entry.id == "labor_dispute-801"
    assert [b["title"] for b in turn.buttons] == ["我是用人单位"]
    assert turn.buttons[0]["payload"] == "我是用人单位，辞退赔偿"
    again = consult.decide(idx, turn.buttons[0]["payload"], intent="labor_dispute", context_category=None,
                           previous_id=None)
    assert again.kind == consult.ANSWER and again.entry.id == "labor_dispute-802"
    assert not again.buttons


def test_only_the_worker_and_the_patient_are_assumed() -> None:
    assert sides.assumed(("worker", "employer")) == "worker"
    assert sides.assumed(("hospital", "patient")) == "patient"
    assert sides.assumed(("creditor", "debtor")) is None
    assert sides.assumed(("victim", "driver")) is None


def test_no_side_question_when_the_message_tells() -> None:
    turn = consult.decide(_pair_index(), "公司辞退我要赔偿吗", intent="labor_dispute", context_category=None,
                          previous_id=None)
    assert turn.kind == consult.ANSWER and turn.entry.side == "worker"


def test_every_side_buttons_payload_reveals_its_side() -> None:
    # "我是驾驶人", "我是欠钱的一方"…: pressing the button must not bring the same question back.
    cues = sides.load()
    for side, label in cues.labels.items():
        payload = sides.side_question((side, faq.OPPOSITE[side]), "借钱的事", cues)[0]["payload"]
        assert side in sides.detect(payload), label


def test_an_employer_whose_worker_needs_surgery_is_no_patient() -> None:
    assert "patient" not in sides.detect("我开了间厂，有个工人压伤了手，要做手术，我没给他买工伤保险")
