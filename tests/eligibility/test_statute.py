"""The 法律援助法 item by item, one worked example per finding of the legal review (E1-E9,
review-legal-2026-12-01 §3), and the six local means rules as their texts say them.

Each example reads as the statute: who applies, for whom, for what, and what the law then says.
"""

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.eligibility import Decision, Facts, assess
from bot.eligibility import standards as standards_mod

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "reference"
TODAY = date(2026, 12, 1)
SUSPECT = dict(matter="criminal_defense_or_victim", criminal_role="suspect_or_defendant")


def decide(**facts):  # type: ignore[no-untyped-def]
    return assess(Facts.from_dict(facts), today=TODAY)


def codes(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.code for r in result.reasons]


def text(result) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(r.text for r in result.reasons)


# --- E1: Art. 25(1) items (1)-(6), not only minors; the suspect's means do not matter --------------

@pytest.mark.parametrize(("condition", "item"), [
    ("minor", 1), ("sensory_disability", 2), ("limited_understanding", 3), ("possible_life_or_death", 4),
    ("death_review", 5), ("in_absentia", 6)])
def test_e1_art25_each_condition_of_the_suspect_makes_the_defence_mandatory(condition: str, item: int) -> None:
    # A suspect with a steady income in Shandong, who says he is above the local standard.
    result = decide(**SUSPECT, suspect_conditions=[condition], has_fixed_income=True, province="山东省",
                    below_local_standard=False)
    assert result.decision == Decision.MANDATORY_DEFENSE
    assert result.reasons[0].article == f"法律援助法第二十五条第一款第{'一二三四五六'[item - 1]}项"
    assert "经济困难" not in result.decision.value and "means" not in codes(result)[0]


def test_e1_a_deaf_adult_with_an_income_is_not_means_tested() -> None:
    result = decide(**SUSPECT, suspect_conditions=["sensory_disability"], has_fixed_income=True,
                    monthly_household_income=8000, household_size=1, province="河南省")
    assert result.decision == Decision.MANDATORY_DEFENSE
    assert "视力、听力、言语残疾人" in text(result)
    assert not any(c.startswith("art34") for c in codes(result))


# --- E2: Art. 25 turns on the suspect, whoever applies (Arts. 24, 40) ---------------------------------

def test_e2_a_parent_applying_for_a_minor_child_keeps_the_art25_path() -> None:
    # The parent is none of the groups; the child is a minor.
    result = decide(**SUSPECT, applicant="relative", groups=[], suspect_conditions=["minor"])
    assert result.decision == Decision.MANDATORY_DEFENSE and codes(result)[0] == "art25_minor"


def test_e2_the_relatives_own_status_does_not_make_an_adult_suspect_a_minor() -> None:
    result = decide(**SUSPECT, applicant="relative", groups=["minor"], suspect_conditions=[],
                    no_lawyer_reason="economic", province="广东省")
    assert result.decision != Decision.MANDATORY_DEFENSE
    assert "art24_relative_applies" in codes(result)


def test_e2_a_suspect_of_unknown_condition_is_told_what_art25_covers() -> None:
    result = decide(**SUSPECT, province="广东省")
    assert result.decision == Decision.NEEDS_REVIEW and "art25_if_applicable" in codes(result)


# --- E3: Art. 32 covers only the rights related to the situation ------------------------------------

def test_e3_a_dv_victims_divorce_is_free_of_the_means_test() -> None:
    result = decide(matter="other", situations=["abuse_abandonment_dv_victim"], situation_related=True)
    assert result.decision == Decision.NO_MEANS_TEST and "art32_abuse_dv_victim" in codes(result)


def test_e3_a_dv_victims_unrelated_loan_dispute_is_not() -> None:
    result = decide(matter="other", situations=["abuse_abandonment_dv_victim"], situation_related=False)
    assert result.decision == Decision.OUT_OF_SCOPE and "art32_not_related" in codes(result)


def test_e3_a_martyrs_relative_in_an_own_maintenance_case_is_means_tested() -> None:
    result = decide(matter="maintenance", situations=["hero_martyr_relative"], situation_related=False,
                    province="山东省", below_local_standard=True)
    assert result.decision == Decision.MEANS_TEST_PASSED and "art32_not_related" in codes(result)


def test_e3_whether_the_matter_is_related_is_asked_not_assumed() -> None:
    result = decide(matter="maintenance", situations=["good_samaritan"])
    assert result.decision == Decision.NEEDS_REVIEW and result.missing == ("situation_related",)


# --- E4: negated and ordinary words select no legal status (the intake's reading) -------------------

@pytest.mark.parametrize(("field", "reply", "reading"), [
    ("aid_groups", "我不是低保户", []), ("aid_groups", "不是农民工", []), ("aid_groups", "我没有残疾", []),
    ("aid_situations", "没有家暴", []), ("aid_suspect_conditions", "他30岁，都不是", [])])
def test_e4_a_negated_status_is_not_selected(field: str, reply: str, reading: list) -> None:
    from bot.legal_aid import intake

    assert intake.step({}, field, reply).updates[field] == reading


@pytest.mark.parametrize(("field", "reply"), [("aid_situations", "同事打我"), ("aid_groups", "我是大学生"),
                                              ("aid_groups", "我孩子被抓了，他30岁"), ("aid_groups", "退役军人")])
def test_e4_ordinary_words_are_not_legal_categories(field: str, reply: str) -> None:
    from bot.legal_aid import intake

    assert field not in intake.step({}, field, reply).updates


# --- E5: Art. 31(7) only 工伤、交通、食品药品、医疗事故 -----------------------------------------------

@pytest.mark.parametrize("kind", ["work", "traffic", "food_drug", "medical"])
def test_e5_the_four_accidents_of_art31_7_are_in_the_list(kind: str) -> None:
    result = decide(matter="injury_compensation", injury_kind=kind, province="广东省")
    assert "art31_in_scope_7" in codes(result) and result.decision != Decision.OUT_OF_SCOPE


def test_e5_an_assault_or_a_dog_bite_is_outside_the_national_list_and_local_rules_are_named() -> None:
    result = decide(matter="injury_compensation", injury_kind="other", province="广东省")
    assert result.decision == Decision.OUT_OF_SCOPE
    assert "不在国家法律列举的事项内" in text(result) and "当地规定可能扩大范围" in text(result)
    assert "属于法律援助法第三十一条列举" not in text(result)


def test_e5_the_kind_of_injury_is_asked_when_unknown() -> None:
    assert decide(matter="injury_compensation").missing == ("injury_kind",)


# --- E6: Art. 31(5) and Art. 42(3) by the kind of labour claim ----------------------------------------

def test_e6_a_migrant_worker_claiming_wages_is_exempt_from_the_means_check() -> None:
    result = decide(matter="labor_relation_or_remuneration", labor_claim="relation_or_remuneration",
                    groups=["migrant_worker"])
    assert result.decision == Decision.EXEMPT_FROM_MEANS_CHECK and "art42_3_migrant_worker" in codes(result)


def test_e6_a_migrant_worker_claiming_a_work_injury_is_exempt() -> None:
    result = decide(matter="labor_relation_or_remuneration", labor_claim="work_injury", groups=["migrant_worker"])
    assert result.decision == Decision.EXEMPT_FROM_MEANS_CHECK and "art31_in_scope_7" in codes(result)


def test_e6_severance_or_2n_is_outside_art31_5_and_gets_no_42_3_exemption() -> None:
    result = decide(matter="labor_relation_or_remuneration", labor_claim="severance_or_damages",
                    groups=["migrant_worker"])
    assert result.decision == Decision.OUT_OF_SCOPE
    assert "免予核查" not in text(result) and "当地规定可能扩大范围" in text(result)


def test_e6_social_insurance_is_art31_2_and_means_tested_for_a_migrant_worker() -> None:
    result = decide(matter="labor_relation_or_remuneration", labor_claim="social_insurance",
                    groups=["migrant_worker"], province="山东省", below_local_standard=True)
    assert result.decision == Decision.MEANS_TEST_PASSED
    assert "art31_in_scope_2" in codes(result) and "art42_3_not_this_matter" in codes(result)


# --- E7: Art. 24 因经济困难或者其他原因 ----------------------------------------------------------------

def test_e7_no_lawyer_for_another_reason_is_a_path_without_a_means_test() -> None:
    result = decide(**SUSPECT, suspect_conditions=[], no_lawyer_reason="other")
    assert result.decision == Decision.NO_MEANS_TEST and "art24_other_reason" in codes(result)


def test_e7_no_lawyer_for_lack_of_money_is_means_tested() -> None:
    result = decide(**SUSPECT, suspect_conditions=[], no_lawyer_reason="economic", province="河南省",
                    below_local_standard=False)
    assert result.decision == Decision.MEANS_TEST_FAILED and "art24_criminal_defense" in codes(result)


# --- E8: Art. 33 再审、申诉 --------------------------------------------------------------------------

def test_e8_after_a_retrial_decision_the_matter_is_within_art33() -> None:
    result = decide(matter="retrial_or_petition", retrial_started=True, province="山东省", below_local_standard=True)
    assert result.decision == Decision.MEANS_TEST_PASSED and "art33_retrial" in codes(result)


def test_e8_a_petition_not_yet_taken_up_is_outside_with_local_rules_named() -> None:
    result = decide(matter="retrial_or_petition", retrial_started=False)
    assert result.decision == Decision.OUT_OF_SCOPE and "当地法规、规章可能另有规定" in text(result)


def test_e8_whether_a_retrial_was_ordered_is_asked() -> None:
    assert decide(matter="retrial_or_petition").missing == ("retrial_started",)


# --- E9: Art. 36's three days for mandatory defence, not Art. 43's seven; Art. 44(2) ------------------

def test_e9_mandatory_defence_quotes_art36_three_days_and_not_art43() -> None:
    result = decide(**SUSPECT, suspect_conditions=["possible_life_or_death"])
    assert "art36_notice" in codes(result) and "art43_decision_time" not in codes(result)
    assert "应当在三日内通知法律援助机构指派律师" in text(result) and "七日" not in text(result)
    assert "办案机关" in result.authority


def test_e9_an_application_still_quotes_art43() -> None:
    assert "art43_decision_time" in codes(decide(matter="maintenance", province="广东省"))


def test_e9_art44_2_urgent_preservation_is_urgent() -> None:
    result = decide(matter="maintenance", province="广东省", needs_preservation=True)
    assert result.urgent and "art44_preservation" in codes(result)


# --- Art. 38: the competent centre follows the case place ---------------------------------------------

def test_art38_the_centre_is_named_by_the_case_place() -> None:
    result = decide(matter="labor_relation_or_remuneration", labor_claim="relation_or_remuneration",
                    groups=["migrant_worker"], province="河南省", city="郑州市", litigation=False)
    assert result.authority == "河南省郑州市：争议处理机关所在地或者事由发生地的法律援助机构"


# --- Arts. 34, 41: the six local rules -------------------------------------------------------------------

@pytest.mark.parametrize(("province", "city", "yes", "no", "date_"), [
    ("山东省", "济南市", Decision.MEANS_TEST_PASSED, Decision.MEANS_TEST_FAILED, "2015-04-01"),
    ("河南省", "郑州市", Decision.MEANS_TEST_PASSED, Decision.MEANS_TEST_FAILED, "2010-07-30"),
    ("北京市", None, Decision.MEANS_TEST_PASSED, Decision.MEANS_TEST_FAILED, "2008-12-19"),
    ("浙江省", "杭州市", Decision.MEANS_TEST_PASSED, Decision.MEANS_TEST_FAILED, "2017-01-13"),
    # 浙江 and 上海 fix only a floor and leave the amount to the government: above it, a person decides.
    ("浙江省", "宁波市", Decision.MEANS_TEST_PASSED, Decision.NEEDS_REVIEW, "2016-09-29"),
    ("上海市", None, Decision.MEANS_TEST_PASSED, Decision.NEEDS_REVIEW, "2020-05-14"),
])
def test_art34_each_local_rule_decides_by_self_declaration_with_its_date(province, city, yes, no, date_) -> None:
    for declared, expected in ((True, yes), (False, no)):
        result = decide(matter="maintenance", province=province, city=city, below_local_standard=declared)
        assert result.decision == expected
        means = next(r for r in result.reasons if r.code.startswith("art34"))
        assert date_ in means.text and "以当地现行标准为准" in means.text
    asked = decide(matter="maintenance", province=province, city=city)
    assert asked.decision == Decision.NEEDS_REVIEW and asked.missing == ("below_local_standard",)


def test_art34_elsewhere_the_means_stay_with_the_centre() -> None:
    result = decide(matter="maintenance", province="广东省", household_size=3, monthly_household_income=100)
    assert result.decision == Decision.NEEDS_REVIEW and "art34_no_standard" in codes(result)


def test_art34_shandong_asks_about_twice_the_dibao_standard() -> None:
    rule = standards_mod.find(standards_mod.load(), "山东省", "济南市", TODAY.isoformat())
    assert rule is not None and rule.multiple == "两倍" and "低保标准的两倍" in rule.question


def test_no_rule_states_an_amount_the_sources_do_not_give() -> None:
    assert all(s.monthly_per_capita_fen is None for s in standards_mod.load())


# --- quotes are verbatim ------------------------------------------------------------------------------

needs_reference = pytest.mark.skipif(not REFERENCE.exists(), reason="../shared/reference is not available")


def _flat(s: str) -> str:
    return re.sub(r"\s+", "", s)


@needs_reference
def test_every_quoted_statute_text_is_verbatim() -> None:
    statute = _flat((REFERENCE / "laws" / "行政法_法律援助法(2021-08-20).md").read_text(encoding="utf-8"))
    texts = yaml.safe_load((ROOT / "knowledge" / "legal_aid" / "texts.yml").read_text(encoding="utf-8"))
    quotes = [q for r in texts["reasons"].values() for q in re.findall(r"“([^”{}]+)”", r["text"])]
    assert len(quotes) > 20
    for quote in quotes:
        body = quote.rstrip("。")
        assert _flat(body) in statute, quote


@needs_reference
def test_every_local_rule_quotes_its_source_verbatim() -> None:
    data = yaml.safe_load((ROOT / "knowledge" / "legal_aid" / "standards.yml").read_text(encoding="utf-8"))
    assert len(data["standards"]) == 6
    for rule in data["standards"]:
        source = _flat((REFERENCE / "provincial" / rule["file"]).read_text(encoding="utf-8"))
        assert _flat(rule["quote"]) in source, rule["region"]


# --- the command line accepts the facts by these names -----------------------------------------------

def test_cli_accepts_the_new_facts() -> None:
    lines = [
        {"matter": "criminal_defense_or_victim", "criminal_role": "suspect_or_defendant", "applicant": "relative",
         "suspect_conditions": ["sensory_disability"]},
        {"matter": "labor_relation_or_remuneration", "labor_claim": "severance_or_damages", "groups": ["migrant_worker"]},
        {"matter": "injury_compensation", "injury_kind": "other"},
        {"matter": "other", "situations": ["abuse_abandonment_dv_victim"], "situation_related": True},
        {"matter": "criminal_defense_or_victim", "criminal_role": "suspect_or_defendant", "suspect_conditions": [],
         "no_lawyer_reason": "other"},
        {"applicant": "neighbour"},
    ]
    proc = subprocess.run([sys.executable, "-m", "bot.cli", "eligibility"],
                          input="\n".join(json.dumps(x) for x in lines), text=True, capture_output=True, check=True,
                          cwd=ROOT, timeout=120)
    out = [json.loads(ln) for ln in proc.stdout.splitlines()]
    assert [o.get("decision") for o in out] == ["mandatory_defense", "out_of_scope", "out_of_scope", "no_means_test",
                                                "no_means_test", None]
    assert "applicant" in out[-1]["error"]
