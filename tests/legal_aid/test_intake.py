"""The legal-aid form as a pure state machine: answers, re-asks, the order of questions, commands."""

from datetime import date

import pytest

from cryptography.fernet import Fernet

from bot.legal_aid import intake as I

TODAY = date(2026, 12, 1)
VALID_ID = "11010519491231002X"


# The cipher is passed in, as the action server passes its own: no key from the environment or a file.
CIPHER = Fernet(Fernet.generate_key())


def answer(field, text, values=None):
    return I.step(values or {}, field, text, today=TODAY, cipher=CIPHER)


# --- reading answers, and the specific re-ask for each bad one -----------------------------------

@pytest.mark.parametrize("text, expected", [
    ("13812345678", "13812345678"), ("138 1234 5678", "13812345678"), ("+86 138-1234-5678", "13812345678"),
    ("我的手机是13812345678", "13812345678"), ("１３８１２３４５６７８", "13812345678"),
])
def test_a_mobile_number_is_read_and_kept_only_encrypted(text, expected) -> None:
    value = answer(I.PHONE, text).updates[I.PHONE]
    assert expected not in value  # review M6: the slot, and so the stored tracker, holds a Fernet token
    assert I.phone_number(value, CIPHER) == expected and I.summary({I.PHONE: value}, CIPHER).endswith("138****5678")


@pytest.mark.parametrize("text", ["138123", "12812345678", "1381234567890", "电话", "'; DROP TABLE x;--"])
def test_an_invalid_phone_gets_the_phone_re_ask(text) -> None:
    out = answer(I.PHONE, text)
    assert out.updates == {} and [m.response for m in out.messages] == ["utter_aid_invalid_phone"]


def test_a_valid_id_number_is_kept_only_encrypted_and_masked() -> None:
    value = answer(I.ID_NUMBER, VALID_ID.lower()).updates[I.ID_NUMBER]
    assert value["masked"] == "110105********002X"
    assert VALID_ID not in str(value)
    assert CIPHER.decrypt(value["encrypted"].encode()).decode() == VALID_ID


@pytest.mark.parametrize("text", ["110105194912310021", "11010519491331002X", "1101051949", "不告诉你"])
def test_an_id_number_failing_gb11643_is_re_asked(text) -> None:
    assert [m.response for m in answer(I.ID_NUMBER, text).messages] == ["utter_aid_invalid_id_number"]


@pytest.mark.parametrize("text, amount", [("3000", 3000), ("三千", 3000), ("5千元", 5000), ("0", 0), ("没有收入", 0),
                                          ("一万二", 12000)])
def test_an_income_is_read_in_yuan(text, amount) -> None:
    assert answer(I.INCOME, text).updates[I.INCOME] == amount


@pytest.mark.parametrize("text", ["-5", "很多", "不告诉你", "- 300"])
def test_an_unusable_income_gets_the_income_re_ask(text) -> None:
    out = answer(I.INCOME, text)
    assert I.INCOME not in out.updates
    assert [m.response for m in out.messages] == ["utter_aid_invalid_income"]


def test_an_approximate_income_is_parsed_and_confirmed_first() -> None:
    out = answer(I.INCOME, "五千左右")
    assert out.updates == {I.INCOME_PENDING: 5000}
    assert out.messages == [I.Utterance("utter_aid_confirm_income", {"amount": 5000})]
    confirmed = answer(I.INCOME, "对", {I.INCOME_PENDING: 5000})
    assert confirmed.updates == {I.INCOME: 5000, I.INCOME_PENDING: None}
    corrected = answer(I.INCOME, "4800", {I.INCOME_PENDING: 5000})
    assert corrected.updates[I.INCOME] == 4800


@pytest.mark.parametrize("text, province, city", [
    ("广东省深圳市宝安区", "广东省", "深圳市"), ("我在湖南长沙", "湖南省", "长沙市"), ("北京市朝阳区", "北京市", None),
])
def test_a_region_is_read_from_the_gazetteer(text, province, city) -> None:
    region = answer(I.REGION, text).updates[I.REGION]
    assert (region["province"], region["city"], region["text"]) == (province, city, text)


@pytest.mark.parametrize("text", ["火星省", "阿斯加德市", "我家", ""])
def test_a_place_that_does_not_exist_is_re_asked(text) -> None:
    assert [m.response for m in answer(I.REGION, text).messages] == ["utter_aid_invalid_region"]


def test_a_5000_character_description_is_accepted_and_capped() -> None:
    out = answer(I.DESCRIPTION, "老板欠薪" * 1250)
    assert len(out.updates[I.DESCRIPTION]) == 1000
    assert out.messages == [I.Utterance("utter_aid_text_shortened", {"limit": 1000})]


@pytest.mark.parametrize("field", [I.OPPONENT, I.DESCRIPTION, I.SAFE_TIME])
def test_sql_injection_in_free_text_is_kept_verbatim(field) -> None:
    text = "Robert'); DROP TABLE legal_aid_applications;-- <script>alert(1)</script>"
    assert answer(field, text).updates == {field: text}


@pytest.mark.parametrize("text, days", [("还有3天", 3), ("3天后开庭", 3), ("2026-12-11", 10), ("下个月", None),
                                        ("不清楚", I.NO_DEADLINE), ("没有", I.NO_DEADLINE), ("半个月", 15)])
def test_a_deadline_becomes_days_from_today(text, days) -> None:
    out = answer(I.DEADLINE, text)
    if days is None:
        assert out.messages
    else:
        assert out.updates == {I.DEADLINE: days}


@pytest.mark.parametrize("field, text, value", [
    (I.MATTER, "1", "labor_relation_or_remuneration"), (I.MATTER, "老板不给工资", "labor_relation_or_remuneration"),
    (I.MATTER, "其他（如离婚、合同、借款、房屋）", "other"), (I.SITUATIONS, "都不是", []),
    (I.SITUATIONS, "1 3", ["hero_martyr_relative", "abuse_abandonment_dv_victim"]),
    (I.SITUATIONS, "我被家暴", ["abuse_abandonment_dv_victim"]), (I.GROUPS, "我是农民工", ["migrant_worker"]),
    (I.GROUPS, "3和4", ["elderly", "disabled"]), (I.HAS_LAWYER, "没有", False), (I.HAS_LAWYER, "是的", True),
    (I.HOUSEHOLD, "三口人", 3), (I.HOUSEHOLD, "4", 4),
])
def test_choices_numbers_and_words(field, text, value) -> None:
    assert answer(field, text).updates[field] == value


@pytest.mark.parametrize("field, text", [(I.MATTER, "99"), (I.HOUSEHOLD, "0"), (I.HOUSEHOLD, "很多人"),
                                         (I.HAS_LAWYER, "嗯……这个嘛"), (I.NAME, "12345"), (I.NAME, "张")])
def test_an_answer_that_fits_no_option_is_re_asked(field, text) -> None:
    out = answer(field, text)
    assert out.action == I.ASK and field not in out.updates and out.messages


# --- commands inside the form ------------------------------------------------------------------

@pytest.mark.parametrize("text", ["不申请了", "算了，不办了", "取消申请", "取消"])
def test_cancel_anywhere(text) -> None:
    assert answer(I.PHONE, text).action == I.CANCEL


def test_declining_consent_cancels_before_anything_is_kept() -> None:
    assert answer(I.CONSENT, "不同意").action == I.CANCEL
    assert answer(I.CONSENT, "同意").updates == {I.CONSENT: True}


@pytest.mark.parametrize("text, field", [("电话填错了", I.PHONE), ("身份证号输错了", I.ID_NUMBER), ("修改姓名", I.NAME),
                                         ("地址写错了", I.REGION), ("我想修改收入", I.INCOME)])
def test_a_correction_clears_the_named_field_and_the_confirmation(text, field) -> None:
    out = answer(I.CONFIRM, text)
    assert out.updates[field] is None and out.updates[I.CONFIRM] is None
    assert out.messages == [I.Utterance("utter_aid_will_correct")]


def test_a_correction_without_a_field_asks_which() -> None:
    assert answer(I.CONFIRM, "修改").messages == [I.Utterance("utter_aid_which_field")]


def test_a_crisis_or_a_request_for_a_human_ends_the_form_at_once() -> None:
    assert I.step({}, I.NAME, "我不想活了", intent="crisis").action == I.CRISIS
    assert answer(I.NAME, "转人工").action == I.HUMAN


def test_a_legal_question_instead_of_an_answer_is_answered_not_rejected() -> None:
    assert answer(I.PHONE, "申请法律援助要交钱吗？").action == I.QUESTION
    # Free-text fields take whatever is written, questions included.
    assert answer(I.DESCRIPTION, "老板欠薪不给怎么办").updates[I.DESCRIPTION] == "老板欠薪不给怎么办"


# --- which questions are asked -------------------------------------------------------------------

BASE = {I.CONSENT: True, I.HAS_LAWYER: False, I.NAME: "张三", I.PHONE: "13812345678",
        I.ID_NUMBER: {"encrypted": "x", "masked": "110105********002X"},
        I.REGION: {"province": "广东省", "city": "深圳市", "text": "广东省深圳市"}, I.OPPONENT: "某公司",
        I.DESCRIPTION: "欠薪", I.FORUM: "unknown", I.DEADLINE: I.NO_DEADLINE,
        I.CASE_REGION: {"province": "广东省", "city": "深圳市", "text": "广东省深圳市"}}


def test_the_matter_is_prefilled_from_the_consultation_category() -> None:
    out = I.step({}, None, "/apply_legal_aid", category="work_injury")
    assert out.updates[I.MATTER] == "injury_compensation" and out.updates[I.INJURY_KIND] == "work"
    assert out.updates[I.FORM_ID]
    assert I.next_field(out.updates, "work_injury") == I.CONSENT


def test_a_migrant_worker_claiming_wages_is_not_asked_about_means() -> None:
    values = {**BASE, I.MATTER: "labor_relation_or_remuneration", I.SITUATIONS: [], I.GROUPS: ["migrant_worker"]}
    assert I.next_field(values) == I.LABOR_CLAIM
    assert I.next_field({**values, I.LABOR_CLAIM: "relation_or_remuneration"}) == I.CONFIRM


def test_a_migrant_worker_in_a_divorce_is_asked_about_means() -> None:
    values = {**BASE, I.MATTER: "other", I.SITUATIONS: [], I.GROUPS: ["migrant_worker"]}
    assert I.next_field(values) is None or I.next_field(values) == I.CONFIRM  # divorce: out of scope, no means
    values[I.MATTER] = "maintenance"
    assert I.next_field(values) == I.HOUSEHOLD


def test_an_elderly_applicant_is_asked_about_fixed_income_and_then_means() -> None:
    values = {**BASE, I.MATTER: "maintenance", I.SITUATIONS: [], I.GROUPS: ["elderly"]}
    assert I.next_field(values) == I.FIXED_INCOME
    assert I.next_field({**values, I.FIXED_INCOME: False}) == I.CONFIRM
    assert I.next_field({**values, I.FIXED_INCOME: True}) == I.HOUSEHOLD


def test_a_dv_victim_is_asked_for_a_safe_contact_and_not_about_means() -> None:
    values = {**BASE, I.MATTER: "other", I.SITUATIONS: ["abuse_abandonment_dv_victim"]}
    assert I.next_field(values) == I.SITUATION_RELATED
    values[I.SITUATION_RELATED] = True
    assert I.next_field(values) == I.SAFE_TO_CALL
    assert I.next_field({**values, I.SAFE_TO_CALL: False}) == I.SAFE_TIME


def test_the_income_is_not_taken_while_an_approximate_amount_waits_for_confirmation() -> None:
    values = {**BASE, I.MATTER: "maintenance", I.SITUATIONS: [], I.GROUPS: [], I.HOUSEHOLD: 3,
              I.INCOME_PENDING: 5000}
    assert I.next_field(values) == I.INCOME


# --- the summary and the record --------------------------------------------------------------------

def test_the_summary_masks_personal_numbers_and_the_record_decrypts_for_storage() -> None:
    id_value = answer(I.ID_NUMBER, VALID_ID).updates[I.ID_NUMBER]
    values = {**BASE, I.ID_NUMBER: id_value, I.MATTER: "labor_relation_or_remuneration", I.SITUATIONS: [],
              I.GROUPS: ["migrant_worker"], I.LABOR_CLAIM: "relation_or_remuneration"}
    text = I.summary(values, CIPHER)
    assert "138****5678" in text and "110105********002X" in text
    assert "13812345678" not in text and VALID_ID not in text
    rec = I.record(values, TODAY, CIPHER)
    assert rec["id_number"] == VALID_ID and rec["phone"] == "13812345678"
    assert rec["details"]["assessment"]["decision"] == "exempt_from_means_check"
    assert any(r["article"] == "法律援助法第四十二条第三项" for r in rec["details"]["assessment"]["reasons"])


def test_the_matter_is_prefilled_from_the_words_of_the_request() -> None:
    assert I.step({}, None, "老板欠了我三个月工资，我想申请法律援助").updates[I.MATTER] == \
        "labor_relation_or_remuneration"
    assert I.MATTER not in I.step({}, None, "我想申请法律援助").updates


@pytest.mark.parametrize("text, value, litigation", [("到法院打官司", "court", True), ("1", "court", True),
                                                     ("去劳动仲裁", "non_court", False), ("还不清楚", "unknown", None)])
def test_the_forum_decides_the_competent_centre(text, value, litigation) -> None:
    assert answer(I.FORUM, text).updates[I.FORUM] == value
    assert I.facts({I.FORUM: value}).litigation is litigation


@pytest.mark.parametrize(("text", "slot", "kind"), [("被狗咬了要赔偿", I.INJURY_KIND, "other"),
                                                  ("要工钱的", I.LABOR_CLAIM, "relation_or_remuneration"),
                                                  ("被辞退了要经济补偿", I.LABOR_CLAIM, "severance_or_damages")])
def test_the_kind_said_with_the_matter_is_not_asked_again(text, slot, kind) -> None:
    assert answer(I.MATTER, text).updates[slot] == kind


def test_the_matter_button_does_not_guess_the_kind() -> None:
    out = answer(I.MATTER, "人身伤害赔偿（工伤、交通事故、医疗事故、食品药品）")
    assert out.updates == {I.MATTER: "injury_compensation"}


def test_correcting_the_applicants_region_asks_again_a_case_place_given_as_same() -> None:
    same = {**BASE, I.CASE_REGION: {**BASE[I.REGION], "same_as_applicant": True}}
    assert I.step(same, I.CONFIRM, "地址写错了").updates[I.CASE_REGION] is None
    assert I.CASE_REGION not in I.step(BASE, I.CONFIRM, "地址写错了").updates


def test_the_intake_reads_no_key_and_needs_its_cipher_passed_in(monkeypatch, tmp_path) -> None:
    """Style review L1: the parser created var/secrets/fernet.key as a side effect."""
    monkeypatch.delenv("HOTLINE_FERNET_KEY", raising=False)
    monkeypatch.setenv("HOTLINE_SECRETS_DIR", str(tmp_path / "secrets"))
    with pytest.raises(ValueError):
        I.step({}, I.PHONE, "13812345678", today=TODAY)
    assert not (tmp_path / "secrets").exists()
    assert "cryptography" not in I.__dict__ and not hasattr(I, "fernet")


# --- a request to apply that tells the matter (bot/legal_aid/requests.py) -------------------------

def test_the_matter_and_story_told_with_the_request_are_not_asked_again() -> None:
    out = I.step({}, None, "我想申请法律援助，我是农民工，老板欠了我两万工资不给", intent="apply_legal_aid",
                 told="wage_arrears")
    assert out.updates[I.MATTER] == "labor_relation_or_remuneration"
    assert out.updates[I.LABOR_CLAIM] == "relation_or_remuneration"
    assert out.updates[I.DESCRIPTION] == "我是农民工,老板欠了我两万工资不给"
    assert [m.response for m in out.messages] == ["utter_aid_story_noted"]
    assert out.messages[0].params == {"matter": "讨要工资、劳动报酬或确认劳动关系"}
    assert I.next_field(out.updates) == I.CONSENT


def test_a_short_matter_is_kept_but_the_story_is_still_asked() -> None:
    out = I.step({}, None, "能帮我申请个法律援助吗，我被公司辞退了", told="labor_dispute")
    assert out.updates[I.MATTER] == "labor_relation_or_remuneration"
    assert out.updates[I.LABOR_CLAIM] == "severance_or_damages"  # 辞退: the kind said with it
    assert I.DESCRIPTION not in out.updates
    assert [m.response for m in out.messages] == ["utter_aid_request_noted"]


def test_the_classifiers_category_of_the_told_matter_wins_over_the_consultation_before() -> None:
    out = I.step({}, None, "我想申请法律援助，我被车撞了腿骨折了", category="wage_arrears", told="traffic_accident")
    assert (out.updates[I.MATTER], out.updates[I.INJURY_KIND]) == ("injury_compensation", "traffic")
    # ...and so do the request's own words, but not a bare "其他".
    assert I.step({}, None, "我想申请法律援助，还有工资的事", category="traffic_accident").updates[I.MATTER] == \
        "labor_relation_or_remuneration"
    assert I.step({}, None, "我想申请法律援助，别的都不问了", category="traffic_accident").updates[I.MATTER] == \
        "injury_compensation"


def test_a_means_story_is_not_taken_for_the_description() -> None:
    out = I.step({}, None, "我家里很穷，没钱请律师，想申请法律援助")
    assert I.MATTER not in out.updates and I.DESCRIPTION not in out.updates and out.messages == []


def test_the_matter_from_the_consultation_before_is_named_without_offering_an_answer_again() -> None:
    out = I.step({}, None, "我想申请法律援助", category="wage_arrears")
    assert [m.response for m in out.messages] == ["utter_aid_matter_noted"]
    assert I.DESCRIPTION not in out.updates
    resumed = I.step({I.CONSENT: True, I.MATTER: "other", I.FORM_ID: "f"}, None, "申请法律援助", told="debt")
    assert [m.response for m in resumed.messages] == ["utter_aid_resumed"] and I.MATTER not in resumed.updates


def test_a_status_question_inside_the_form_says_where_to_ask_it_and_asks_the_same_field() -> None:
    out = I.step({I.CONSENT: True, I.MATTER: "other"}, I.HAS_LAWYER, "我之前申请的法律援助怎么样了",
                 intent="query_status")
    assert out.action == I.ASK and out.updates == {} and [m.response for m in out.messages] == \
        ["utter_aid_status_after_form"]
    # In a free-text field it is the answer.
    assert I.step({}, I.DESCRIPTION, "之前申请过一次没批，现在再申请", intent="query_status").updates[I.DESCRIPTION]


def test_a_line_that_only_names_the_matter_is_not_taken_for_the_story() -> None:
    out = I.step({}, None, "老闆欠了我三個月工資，我想申請法律援助", told="wage_arrears")
    assert out.updates[I.MATTER] == "labor_relation_or_remuneration" and I.DESCRIPTION not in out.updates
