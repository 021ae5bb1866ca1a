"""Explicit requests to apply for legal aid or to ask an application's status (bot/legal_aid/requests.py),
read as the NLU reads them: after the normaliser."""

from __future__ import annotations

import pytest

from bot.legal_aid import requests
from bot.legal_aid.requests import APPLY, DECLINE, STATUS, detect, matter_category, matter_text
from bot.normalize import normalize


def kind(text: str) -> str | None:
    found = detect(normalize(text))
    return found.kind if found else None


@pytest.mark.parametrize("text", [
    "我想申请法律援助，我是农民工，老板欠了我两万工资不给",
    "能帮我申请个法律援助吗，我被公司辞退了",
    "我要申请援助律师，离婚官司",
    "我想找法律援助律师打官司",
    "我想申请法律援助",
    "那我申请法律援助",
    "申请法律援助",
    "那就申请法援吧",
    "申请法律援助，老板欠我工资",
    "老板欠了三个月工资，一共两万多，我是农民工，想申请法律援助",
    "我想帮我爸申请法律援助，他被抓了",
    "你们能帮我申请法律援助吗",
    "我现在就想申请法律援助",
    "我要法律援助",
    "我要一个援助律师",
    "家庭条件不好，我想申请法律援助",  # the citizen's means, not a question about the conditions
    "我想申请法律援助，老板欠我工资怎么办",  # a question about the matter: the form starts, the answer is offered
    "我被车撞了，想申请法律援助",
    # Traditional, Cantonese, typos
    "我想申請法律援助",
    "我想申請法援呀",
    "唔該幫我申請法援",
    "我想搵法援律師",
    "我想申请法律猿助",
    "帮我申请个法律缓助",
])
def test_a_request_to_apply(text: str) -> None:
    assert kind(text) == APPLY


@pytest.mark.parametrize("text", [
    "我之前申请的法律援助怎么样了",
    "法援申请到哪一步了",
    "我上个月交的法律援助申请有结果没",
    "查一下我的援助申请",
    "我想查询法律援助申请进度",
    "我的法律援助批下来没有",
    "我申请的法援有消息了吗",
    "法律援助申請進度點樣",
])
def test_a_status_query(text: str) -> None:
    assert kind(text) == STATUS


@pytest.mark.parametrize("text", [
    # Questions about legal aid: the FAQ or the eligibility screening answers them.
    "怎么申请法律援助",
    "法律援助需要什么材料",
    "我符合法律援助条件吗",
    "法律援助收费吗",
    "我能申请法律援助吗",
    "我可以申请法律援助吗",
    "农民工讨薪可以申请法律援助吗",
    "我需要申请法律援助吗",
    "我要不要申请法律援助",
    "去哪里申请法律援助",
    "申请法律援助吗",
    "如果我想申请法律援助要什么条件",
    "什么是法律援助",
    "我想了解一下法律援助",
    "我想问一下申请法律援助的事",
    "我想找免费律师咨询一下",
    # Mentioned in passing, advice from others, not wanted, done already.
    "老板欠我工资，听说可以找法律援助，先问下工资怎么要回来",
    "律师说可以帮我申请法律援助",
    "我不想申请法律援助，我想自己请律师，大概要多少钱",
    "我申请了法律援助，现在对方又起诉我了怎么办",
    "我申请法律援助的时候对方知道吗",
    "法律援助申请被拒了怎么办",
    # About status in general, not one application.
    "申请法律援助要多久能批下来",
    "法律援助审批流程是怎样的",
    "法律援助有结果吗",
    # Other applications.
    "我想申请劳动仲裁",
    "我想申请强制执行",
])
def test_no_request(text: str) -> None:
    assert kind(text) is None


@pytest.mark.parametrize("text", ["我不想申请法律援助", "不用找法援了", "我暂时不申请法律援助了。", "那我还是不申請法律援助了"])
def test_a_message_that_only_declines_legal_aid(text: str) -> None:
    found = detect(normalize(text))
    assert found is not None and found.kind == DECLINE and found.intent == "deny"


def test_full_stops_are_clause_breaks() -> None:
    text = normalize("我想申请法律援助。老板欠了我两万工资不给。")
    assert matter_text(text, detect(text)) == "老板欠了我两万工资不给"


def test_the_matter_told_with_the_request_is_kept() -> None:
    text = normalize("我想申请法律援助，我是农民工，老板欠了我两万工资不给")
    found = detect(text)
    assert found is not None and found.phrase == "我想申请法律援助"
    assert matter_text(text, found) == "我是农民工,老板欠了我两万工资不给"
    assert matter_text(normalize("能帮我申请个法律援助吗，我被公司辞退了")) == "我被公司辞退了"
    assert matter_text(normalize("我想申请法律援助")) == ""


def test_the_matters_category_comes_from_the_classifiers_ranking() -> None:
    # Legal aid's own share (the request's words) is set aside: 0.36 of the 0.71 left is the matter.
    ranking = [("labor_dispute", 0.36), ("legal_aid", 0.23), ("apply_legal_aid", 0.06), ("other_legal", 0.02)]
    assert matter_category(ranking) == "labor_dispute"
    assert matter_category([("apply_legal_aid", 0.92), ("legal_aid", 0.05), ("domestic_violence", 0.004)]) is None
    assert matter_category([("wage_arrears", 0.2), ("debt", 0.18), ("out_of_scope", 0.5)]) is None


def test_the_rules_can_come_from_another_file(tmp_path) -> None:
    import yaml

    data = yaml.safe_load(requests.REQUESTS_FILE.read_text(encoding="utf-8"))
    data["apply"].append("测试申请短语")
    path = tmp_path / "requests.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert detect("测试申请短语") is None
    assert detect("测试申请短语", requests.load_rules(path)).kind == APPLY
