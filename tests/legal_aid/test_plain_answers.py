"""How the form reads plain citizen answers: a table of replies and the reading each must get.

Yes/no with negation and scope, statuses that a negation denies, ages instead of categories, button
titles matched exactly before any keyword, Chinese numerals in phone numbers. Written for this test;
no real citizen text is copied here.
"""

from datetime import date

import pytest

from cryptography.fernet import Fernet

from bot.legal_aid import intake as I

TODAY = date(2026, 12, 1)
CIPHER = Fernet(Fernet.generate_key())
REASK, CANCEL, IDENTITY = "re-ask", "cancel", "identity"
HOME = {"province": "河南省", "city": "安阳市", "text": "河南省安阳市"}

TABLE = [
    # --- consent: plain yes, idioms that start with a negation, and no ------------------------------
    (I.CONSENT, "同意", True), (I.CONSENT, "没问题", True), (I.CONSENT, "没错", True),
    (I.CONSENT, "没问题的", True), (I.CONSENT, "好的", True), (I.CONSENT, "好的呀", True),
    (I.CONSENT, "可以的", True), (I.CONSENT, "嗯，同意", True), (I.CONSENT, "行", True),
    (I.CONSENT, "是的", True), (I.CONSENT, "对", True), (I.CONSENT, "嗯嗯", True),
    (I.CONSENT, "没意见", True), (I.CONSENT, "当然", True), (I.CONSENT, "OK", True),
    (I.CONSENT, "不同意", CANCEL), (I.CONSENT, "我不同意", CANCEL), (I.CONSENT, "不要", CANCEL),
    (I.CONSENT, "不行", CANCEL), (I.CONSENT, "不是", CANCEL),
    (I.CONSENT, "这个嘛……", REASK),
    # Consent is said in so many words: a reply that starts with 是 or 有 tells the matter, not a yes.
    (I.CONSENT, "我是农民工", REASK), (I.CONSENT, "有个事想问", REASK),
    (I.CONSENT, "我是农民工，老板欠了我两万工资不给", REASK),
    (I.CONSENT, "我同意，老板欠了我两万工资", True), (I.CONSENT, "好的同意", True), (I.CONSENT, "同意的", True),
    (I.CONSENT, "不同意，我再想想", CANCEL),
    # --- yes/no fields -----------------------------------------------------------------------------
    (I.HAS_LAWYER, "是的", True), (I.HAS_LAWYER, "有", True), (I.HAS_LAWYER, "请了", REASK),
    (I.HAS_LAWYER, "没有", False), (I.HAS_LAWYER, "还没有", False), (I.HAS_LAWYER, "没请", False),
    (I.HAS_LAWYER, "请不起", False), (I.HAS_LAWYER, "我没有请律师", False), (I.HAS_LAWYER, "没呢", False),
    (I.HAS_LAWYER, "不是", False), (I.HAS_LAWYER, "否", False), (I.HAS_LAWYER, "嗯……这个嘛", REASK),
    (I.FIXED_INCOME, "有的", True), (I.FIXED_INCOME, "有退休金", True), (I.FIXED_INCOME, "没有收入", False),
    (I.FIXED_INCOME, "我没有固定收入", False), (I.FIXED_INCOME, "没", False), (I.FIXED_INCOME, "无", False),
    (I.ASSETS, "没有", False), (I.ASSETS, "有一套房子", True), (I.ASSETS, "都没有", False),
    (I.SAFE_TO_CALL, "方便", True), (I.SAFE_TO_CALL, "不方便", False), (I.SAFE_TO_CALL, "不太方便", False),
    (I.SAFE_TO_CALL, "可以打", True), (I.RETRIAL_STARTED, "是的", True), (I.RETRIAL_STARTED, "还没有", False),
    (I.RETRIAL_STARTED, "法院还没决定", REASK),
    (I.SITUATION_RELATED, "是", True), (I.SITUATION_RELATED, "对，就是因为家暴离婚", True),
    (I.SITUATION_RELATED, "不是，是借钱的事", False), (I.SITUATION_RELATED, "不是一回事", False),
    (I.CONFIRM, "确认提交", True), (I.CONFIRM, "没问题", True), (I.CONFIRM, "没错", True),
    (I.CONFIRM, "对的，提交吧", True), (I.CONFIRM, "提交", True),
    # --- the matter ----------------------------------------------------------------------------------
    (I.MATTER, "要工钱的", "labor_relation_or_remuneration"), (I.MATTER, "老板不给工资", "labor_relation_or_remuneration"),
    (I.MATTER, "讨薪", "labor_relation_or_remuneration"), (I.MATTER, "血汗钱拿不到", "labor_relation_or_remuneration"),
    (I.MATTER, "1", "labor_relation_or_remuneration"), (I.MATTER, "工伤", "injury_compensation"),
    (I.MATTER, "出了车祸", "injury_compensation"), (I.MATTER, "被人打伤了要赔偿", "injury_compensation"),
    (I.MATTER, "赡养费", "maintenance"), (I.MATTER, "孩子抚养费", "maintenance"),
    (I.MATTER, "申诉", "retrial_or_petition"), (I.MATTER, "想申请再审", "retrial_or_petition"),
    (I.MATTER, "我儿子被抓了", "criminal_defense_or_victim"), (I.MATTER, "刑事案件", "criminal_defense_or_victim"),
    (I.MATTER, "刑事案件（犯罪嫌疑人、被告人或被害人）", "criminal_defense_or_victim"),
    (I.MATTER, "离婚", "other"), (I.MATTER, "借钱不还", REASK), (I.MATTER, "借款", "other"),
    (I.MATTER, "国家赔偿", "state_compensation"), (I.MATTER, "99", REASK),
    # --- the labour claim: only 劳动报酬/劳动关系 is Art. 31(5) -----------------------------------------
    (I.LABOR_CLAIM, "要工钱的", "relation_or_remuneration"), (I.LABOR_CLAIM, "讨要工资", "relation_or_remuneration"),
    (I.LABOR_CLAIM, "加班费没给", "relation_or_remuneration"), (I.LABOR_CLAIM, "确认劳动关系", "relation_or_remuneration"),
    (I.LABOR_CLAIM, "被辞退了要2N", "severance_or_damages"), (I.LABOR_CLAIM, "经济补偿", "severance_or_damages"),
    (I.LABOR_CLAIM, "违法解除要赔偿金", "severance_or_damages"), (I.LABOR_CLAIM, "双倍工资", "severance_or_damages"),
    (I.LABOR_CLAIM, "公司裁员没补偿", "severance_or_damages"), (I.LABOR_CLAIM, "没给我交社保", "social_insurance"),
    (I.LABOR_CLAIM, "工伤赔偿", "work_injury"), (I.LABOR_CLAIM, "其他劳动争议", "other"),
    (I.LABOR_CLAIM, "经济补偿或赔偿金", "severance_or_damages"), (I.LABOR_CLAIM, "3", "severance_or_damages"),
    # --- the kind of injury: only four are Art. 31(7) -------------------------------------------------
    (I.INJURY_KIND, "工伤", "work"), (I.INJURY_KIND, "上班时受的伤", "work"), (I.INJURY_KIND, "被车撞了", "traffic"),
    (I.INJURY_KIND, "医院手术出了事", "medical"), (I.INJURY_KIND, "食品药品", "food_drug"),
    (I.INJURY_KIND, "被狗咬了", "other"), (I.INJURY_KIND, "被人打伤", "other"), (I.INJURY_KIND, "楼上掉东西砸伤", "other"),
    (I.INJURY_KIND, "在超市摔了一跤", "other"), (I.INJURY_KIND, "其他伤害（如被人打伤、被狗咬伤）", "other"),
    (I.INJURY_KIND, "5", "other"),
    # --- the Art. 32 situations: family violence only, negation denies ---------------------------------
    (I.SITUATIONS, "没有家暴", []), (I.SITUATIONS, "同事打我", REASK), (I.SITUATIONS, "邻居打我", REASK),
    (I.SITUATIONS, "老公经常打我", ["abuse_abandonment_dv_victim"]), (I.SITUATIONS, "我被家暴", ["abuse_abandonment_dv_victim"]),
    (I.SITUATIONS, "丈夫喝了酒就打我", ["abuse_abandonment_dv_victim"]), (I.SITUATIONS, "被儿子虐待", ["abuse_abandonment_dv_victim"]),
    (I.SITUATIONS, "子女遗弃我", ["abuse_abandonment_dv_victim"]), (I.SITUATIONS, "都不是", []), (I.SITUATIONS, "不是", []),
    (I.SITUATIONS, "没有", []), (I.SITUATIONS, "都不符合", []), (I.SITUATIONS, "见义勇为受的伤", ["good_samaritan"]),
    (I.SITUATIONS, "遭受虐待、遗弃或家暴", ["abuse_abandonment_dv_victim"]), (I.SITUATIONS, "3", ["abuse_abandonment_dv_victim"]),
    (I.SITUATIONS, "我不是见义勇为", []), (I.SITUATIONS, "没有被虐待", []),
    # --- the Art. 42 groups of the person the matter concerns ----------------------------------------
    (I.GROUPS, "我不是低保户", []), (I.GROUPS, "不是农民工", []), (I.GROUPS, "我没有残疾", []),
    (I.GROUPS, "我是大学生", REASK), (I.GROUPS, "我孩子被抓了，他30岁", REASK), (I.GROUPS, "退役军人", REASK),
    (I.GROUPS, "我是低保户", ["social_assistance_recipient"]), (I.GROUPS, "我是农民工", ["migrant_worker"]),
    (I.GROUPS, "在城里打工的农民工", ["migrant_worker"]), (I.GROUPS, "我65岁了", ["elderly"]),
    (I.GROUPS, "他15岁", ["minor"]), (I.GROUPS, "还未成年", ["minor"]), (I.GROUPS, "我有残疾证", ["disabled"]),
    (I.GROUPS, "我不是低保户，但是残疾人", ["disabled"]), (I.GROUPS, "家里没人是残疾", []),
    (I.GROUPS, "都不是", []), (I.GROUPS, "3和4", ["elderly", "disabled"]), (I.GROUPS, "进城务工人员", ["migrant_worker"]),
    (I.GROUPS, "特困供养", ["social_assistance_recipient"]), (I.GROUPS, "优抚对象", ["entitled_group"]),
    (I.GROUPS, "不属于", []),
    # --- the Art. 25 conditions of the suspect --------------------------------------------------------
    (I.SUSPECT_CONDITIONS, "他是聋哑人", ["sensory_disability"]), (I.SUSPECT_CONDITIONS, "眼睛看不见", ["sensory_disability"]),
    (I.SUSPECT_CONDITIONS, "他16岁", ["minor"]), (I.SUSPECT_CONDITIONS, "不满十八岁", ["minor"]),
    (I.SUSPECT_CONDITIONS, "他30岁，都不是", []), (I.SUSPECT_CONDITIONS, "可能判死刑", ["possible_life_or_death"]),
    (I.SUSPECT_CONDITIONS, "有精神病", ["limited_understanding"]), (I.SUSPECT_CONDITIONS, "死刑复核", ["death_review"]),
    (I.SUSPECT_CONDITIONS, "缺席审判", ["in_absentia"]), (I.SUSPECT_CONDITIONS, "他不是未成年", []),
    (I.SUSPECT_CONDITIONS, "都不是", []), (I.SUSPECT_CONDITIONS, "1 2", ["minor", "sensory_disability"]),
    (I.SUSPECT_CONDITIONS, "我是大学生", REASK),
    # --- who applies ------------------------------------------------------------------------------------
    (I.APPLICANT, "我本人", "self"), (I.APPLICANT, "我自己", "self"), (I.APPLICANT, "我儿子", "relative"),
    (I.APPLICANT, "我是他妈妈", "relative"), (I.APPLICANT, "家属", "relative"), (I.APPLICANT, "我是监护人", "legal_representative"),
    (I.NO_LAWYER_REASON, "没钱", "economic"), (I.NO_LAWYER_REASON, "请不起律师", "economic"),
    (I.NO_LAWYER_REASON, "找不到律师", "other"), (I.NO_LAWYER_REASON, "其他原因", "other"),
    # --- the forum: button titles before any keyword ------------------------------------------------
    (I.FORUM, "仲裁、调解等", "non_court"), (I.FORUM, "在法院以外处理（劳动仲裁、调解、协商、行政复议等）", "non_court"),
    (I.FORUM, "到法院打官司", "court"), (I.FORUM, "到法院打官司（已起诉、被起诉或准备起诉）", "court"),
    (I.FORUM, "去劳动仲裁", "non_court"), (I.FORUM, "不想去法院", "non_court"), (I.FORUM, "已经起诉了", "court"),
    (I.FORUM, "还不清楚", "unknown"), (I.FORUM, "不清楚", "unknown"), (I.FORUM, "2", "non_court"),
    # --- phone numbers, Chinese numerals included ---------------------------------------------------
    (I.PHONE, "一三八一二三四五六七八", "13812345678"), (I.PHONE, "幺三八 一二三四 五六七八", "13812345678"),
    (I.PHONE, "一三九零零零零一一一一", "13900001111"), (I.PHONE, "138一二三四5678", "13812345678"),
    (I.PHONE, "手机是13812345678", "13812345678"), (I.PHONE, "一三八", REASK),
    # --- the case place (Art. 38), not where the applicant lives ------------------------------------
    (I.CASE_REGION, "郑州", {"province": "河南省", "city": "郑州市", "text": "郑州"}),
    (I.CASE_REGION, "同上", {**HOME, "same_as_applicant": True}),
    (I.CASE_REGION, "不清楚", {"province": None, "city": None, "text": "不清楚"}),
    (I.CASE_REGION, "火星", REASK),
    # --- the local rule's question ----------------------------------------------------------------------
    (I.BELOW_STANDARD, "是的，低于", True), (I.BELOW_STANDARD, "是", True), (I.BELOW_STANDARD, "不低于", False),
    (I.BELOW_STANDARD, "不是", False), (I.BELOW_STANDARD, "不清楚", I.UNSURE), (I.BELOW_STANDARD, "不知道低保标准是多少", I.UNSURE),
    # --- questions about the bot are answered, not taken as a request for a human ------------------
    (I.NAME, "你是机器人还是真人", IDENTITY), (I.PHONE, "你是不是机器人", IDENTITY),
]


@pytest.mark.parametrize(("field", "text", "expected"), TABLE, ids=[f"{f}:{t}" for f, t, _ in TABLE])
def test_a_plain_answer_gets_the_expected_reading(field: str, text: str, expected) -> None:
    out = I.step({I.REGION: HOME}, field, text, today=TODAY, cipher=CIPHER)
    if expected == CANCEL:
        assert out.action == I.CANCEL
    elif expected == IDENTITY:
        assert out.action == I.ASK and out.updates == {} and out.messages == [I.Utterance("utter_bot_identity")]
    elif expected == REASK:
        assert out.action in (I.ASK, I.QUESTION) and field not in out.updates, out
    elif field == I.PHONE:  # the slot keeps the number as a Fernet token (review M6)
        assert out.action == I.ASK and I.phone_number(out.updates.get(field), CIPHER) == expected, out
    else:
        assert out.action == I.ASK and out.updates.get(field) == expected, out


def test_the_table_is_large_enough() -> None:
    assert len(TABLE) >= 150


def test_every_button_title_and_payload_reads_as_its_own_choice() -> None:
    """A quick reply sends its payload, and some channels show and send its title: both must select the
    choice the button stands for."""
    from pathlib import Path

    import yaml

    domain = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text(encoding="utf-8"))
    for slot in I.data()["choices"]:
        buttons = domain["responses"][f"utter_ask_{slot}"][0].get("buttons", [])
        for button in buttons:
            if button["payload"].isdigit() or button["title"] == "都不是":
                continue
            by_payload = I._choose(slot, button["payload"], several=True)
            by_title = I._choose(slot, button["title"], several=True)
            assert by_payload and by_payload == by_title, (slot, button)


def test_numbered_lists_and_their_buttons_agree() -> None:
    """WeChat shows buttons as "回复数字即可选择：1. …": the n-th button must be the n-th item of the list."""
    from pathlib import Path

    import yaml

    domain = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text(encoding="utf-8"))
    for slot in (I.SITUATIONS, I.GROUPS, I.SUSPECT_CONDITIONS):
        buttons = domain["responses"][f"utter_ask_{slot}"][0]["buttons"]
        numbered = [b for b in buttons if b["payload"].isdigit()]
        assert [b["payload"] for b in numbered] == [str(n) for n in range(1, len(I.data()["choices"][slot]) + 1)]
        assert [b["payload"] for b in buttons].index(numbered[-1]["payload"]) == len(numbered) - 1
        for n, b in enumerate(numbered, 1):
            assert I._choose(slot, b["title"], several=True) == [I.data()["choices"][slot][n - 1]["value"]], b


def test_the_matter_told_instead_of_consent_is_noted_and_consent_asked_again() -> None:
    outcome = I.step({I.FORM_ID: "f1"}, I.CONSENT, "我是农民工，老板欠了我两万工资不给")
    assert outcome.action == I.ASK
    assert I.CONSENT not in outcome.updates
    assert outcome.updates[I.MATTER] == "labor_relation_or_remuneration"
    assert outcome.updates[I.GROUPS] == ["migrant_worker"]
    assert [m.response for m in outcome.messages] == ["utter_aid_consent_noted"]


@pytest.mark.parametrize("told, groups", [
    ("我想申请法律援助，我是农民工，老板欠了我两万工资不给", ["migrant_worker"]),
    ("申请法律援助，本人是残疾人，单位不给工伤待遇", ["disabled"]),
    ("我想申请法律援助，我家老人被车撞了", None),  # 老人 is mentioned, not said of the writer: asked
    ("我想申请法律援助，我不是农民工，公司欠我工资", None),
])
def test_a_group_the_citizen_says_they_belong_to_is_not_asked_again(told: str, groups: list[str] | None) -> None:
    assert I.prefill({}, None, told).get(I.GROUPS) == groups


def test_the_matter_of_the_consultation_before_is_taken_when_its_category_gives_none() -> None:
    # "老板欠了我一万多工资，我没钱请律师" is answered from the legal-aid entries (category legal_aid).
    told = I.prefill({}, "legal_aid", "我想申请法律援助", None, "老板欠了我一万多工资，我没钱请律师")
    assert told[I.MATTER] == "labor_relation_or_remuneration"
    assert I.MATTER not in I.prefill({}, "legal_aid", "我想申请法律援助", None, "你好")
