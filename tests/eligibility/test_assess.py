"""Worked examples of the legal-aid pre-screening, each naming the article it exercises.

Means-test cases use a made-up standard injected here (TEST_STANDARD), not real provincial data.
"""

from datetime import date

import pytest

from bot.eligibility import Decision, Facts, assess
from bot.eligibility.standards import Standard

TODAY = date(2026, 11, 23)
# A fictitious 1,000-yuan monthly per-capita standard for 测试省, for the arithmetic only.
TEST_STANDARD = (Standard("测试省", "threshold", "2025-01-01", "test fixture", monthly_per_capita_fen=100_000),
                 Standard("测试省测试市", "threshold", "2026-01-01", "test fixture", monthly_per_capita_fen=120_000),
                 Standard("测试省测试市", "threshold", "2027-01-01", "test fixture, not yet in force",
                          monthly_per_capita_fen=999_999))

E, N, P, F, R, O = (Decision.EXEMPT_FROM_MEANS_CHECK, Decision.NO_MEANS_TEST, Decision.MEANS_TEST_PASSED,
                    Decision.MEANS_TEST_FAILED, Decision.NEEDS_REVIEW, Decision.OUT_OF_SCOPE)
MEANS = dict(household_size=3, province="测试省")

CASES = [
    # (article, facts, expected decision, a reason code that must be present)
    ("32(4) DV victim with a high income", dict(matter="maintenance", situations=["abuse_abandonment_dv_victim"],
     situation_related=True, monthly_household_income=90000, **MEANS), N, "art32_abuse_dv_victim"),
    ("32(4) DV victim in a divorce (matter 'other')", dict(matter="other", situations=["abuse_abandonment_dv_victim"],
     situation_related=True), N, "art32_abuse_dv_victim"),
    ("32(1) hero's relative", dict(matter="other", situations=["hero_martyr_relative"], situation_related=True), N, "art32_hero_martyr_relative"),
    ("32(2) good samaritan", dict(matter="injury_compensation", situations=["good_samaritan"],
     situation_related=True), N, "art32_good_samaritan"),
    ("32(3) retrial acquittal compensation", dict(matter="state_compensation",
     situations=["retrial_acquittal_compensation"], situation_related=True), N, "art32_retrial_acquittal"),
    ("32 two situations", dict(situations=["good_samaritan", "abuse_abandonment_dv_victim"], situation_related=True),
     N, "art32_good_samaritan"),
    ("42(3) migrant worker, wages", dict(matter="labor_relation_or_remuneration", groups=["migrant_worker"]),
     E, "art42_3_migrant_worker"),
    ("42(3) migrant worker, work injury", dict(matter="injury_compensation", injury_kind="work",
     groups=["migrant_worker"]), E, "art42_3_migrant_worker"),
    ("42(3) migrant worker, traffic injury is not covered", dict(matter="injury_compensation", injury_kind="traffic",
     groups=["migrant_worker"], monthly_household_income=2000, **MEANS), P, "art42_3_not_this_matter"),
    ("42(3) migrant worker, divorce maintenance is not covered", dict(matter="maintenance", groups=["migrant_worker"],
     monthly_household_income=9000, **MEANS), F, "art42_3_not_this_matter"),
    ("42(3) migrant worker, injury of unknown kind", dict(matter="injury_compensation", groups=["migrant_worker"]),
     R, None),
    ("42(3) migrant worker, contract dispute is out of scope", dict(matter="other", groups=["migrant_worker"]),
     O, "art31_out_of_scope"),
    ("42(1) elderly without fixed income", dict(matter="maintenance", groups=["elderly"], has_fixed_income=False),
     E, "art42_1_specific_group"),
    ("42(1) elderly with a pension has a fixed income", dict(matter="maintenance", groups=["elderly"],
     has_fixed_income=True, monthly_household_income=2400, **MEANS), P, "art42_1_has_income"),
    ("42(1) elderly with a pension above the standard", dict(matter="maintenance", groups=["elderly"],
     has_fixed_income=True, monthly_household_income=6000, **MEANS), F, "art42_1_has_income"),
    ("42(1) elderly, income unknown", dict(matter="maintenance", groups=["elderly"]), R, "art31_in_scope_4"),
    ("42(1) minor without income", dict(matter="maintenance", groups=["minor"], has_fixed_income=False),
     E, "art42_1_specific_group"),
    ("42(1) disabled without income", dict(matter="social_insurance_or_assistance", groups=["disabled"],
     has_fixed_income=False), E, "art42_1_specific_group"),
    ("42(2) 低保 recipient", dict(matter="injury_compensation", injury_kind="medical",
     groups=["social_assistance_recipient"]), E, "art42_2_assistance_recipient"),
    ("42(2) judicial-aid recipient", dict(matter="state_compensation", groups=["judicial_aid_recipient"]),
     E, "art42_2_assistance_recipient"),
    ("42(2) 优抚对象", dict(matter="pension_or_compensation", groups=["entitled_group"]), E, "art42_2_assistance_recipient"),
    ("31 contract dispute is out of scope", dict(matter="other", monthly_household_income=500, **MEANS),
     O, "art31_out_of_scope"),
    ("31(1) state compensation, poor", dict(matter="state_compensation", monthly_household_income=1500, **MEANS),
     P, "art34_passed"),
    ("31(2) social insurance, poor", dict(matter="social_insurance_or_assistance", monthly_household_income=3000,
     **MEANS), P, "art34_passed"),
    ("31(3) 抚恤金, not poor", dict(matter="pension_or_compensation", monthly_household_income=3001, **MEANS),
     F, "art34_failed"),
    ("31(4) maintenance, exactly at the standard", dict(matter="maintenance", monthly_household_income=3000, **MEANS),
     P, "art34_passed"),
    ("31(5) wages, not a migrant worker, poor", dict(matter="labor_relation_or_remuneration",
     monthly_household_income=2000, **MEANS), P, "art34_passed"),
    ("31(6) incapacity declaration", dict(matter="incapacity_declaration", monthly_household_income=1000, **MEANS),
     P, "art31_in_scope_6"),
    ("31(7) traffic injury, not poor", dict(matter="injury_compensation", injury_kind="traffic",
     monthly_household_income=20000, **MEANS), F, "art34_failed"),
    ("31(8) environmental damage", dict(matter="environmental_damage", monthly_household_income=2000, **MEANS),
     P, "art31_in_scope_8"),
    ("34 city standard wins over the province", dict(matter="maintenance", monthly_household_income=3300,
     household_size=3, province="测试省", city="测试市"), P, "art34_passed"),
    ("34 a standard not yet in force is not used", dict(matter="maintenance", monthly_household_income=3900,
     household_size=3, province="测试省", city="测试市"), F, "art34_failed"),
    ("34 no sourced standard for the province", dict(matter="maintenance", monthly_household_income=100,
     household_size=1, province="广东省"), R, "art34_no_standard"),
    ("41 household size missing", dict(matter="maintenance", monthly_household_income=100, province="测试省"),
     R, "art34_missing_facts"),
    ("41 income missing", dict(matter="maintenance", household_size=2, province="测试省"), R, "art34_missing_facts"),
    ("41 significant assets go to a human", dict(matter="maintenance", monthly_household_income=1000,
     has_significant_assets=True, **MEANS), R, "art34_assets_review"),
    ("24 criminal suspect, poor", dict(matter="criminal_defense_or_victim", criminal_role="suspect_or_defendant",
     monthly_household_income=1000, **MEANS), P, "art24_criminal_defense"),
    ("25(1) minor suspect: appointed defender", dict(matter="criminal_defense_or_victim",
     criminal_role="suspect_or_defendant", groups=["minor"]), Decision.MANDATORY_DEFENSE, "art25_minor"),
    ("29 victim in a criminal case, poor", dict(matter="criminal_defense_or_victim", criminal_role="victim",
     monthly_household_income=1000, **MEANS), P, "art29_criminal_victim"),
    ("24/29 criminal role unknown", dict(matter="criminal_defense_or_victim"), R, None),
    ("31 already has a lawyer", dict(matter="maintenance", has_lawyer=True), O, "art31_has_lawyer"),
    ("matter unknown", dict(), R, None),
]


@pytest.mark.parametrize(("article", "facts", "decision", "reason"), CASES, ids=[c[0] for c in CASES])
def test_decision(article: str, facts: dict, decision: Decision, reason: str | None) -> None:
    result = assess(Facts.from_dict(facts), today=TODAY, standards=TEST_STANDARD)
    assert result.decision == decision
    if reason:
        assert reason in [r.code for r in result.reasons]
    for r in result.reasons:
        assert r.article.startswith("法律援助法第")


def test_a_deadline_in_three_days_is_urgent_under_article_44() -> None:
    result = assess(Facts.from_dict(dict(matter="labor_relation_or_remuneration", groups=["migrant_worker"],
                                         days_to_deadline=3)), today=TODAY, standards=TEST_STANDARD)
    assert result.urgent
    assert "art44_urgent" in [r.code for r in result.reasons]


def test_seven_days_is_not_urgent() -> None:
    result = assess(Facts.from_dict(dict(matter="maintenance", groups=["elderly"], has_fixed_income=False,
                                         days_to_deadline=7)), today=TODAY, standards=TEST_STANDARD)
    assert not result.urgent


def test_out_of_scope_is_never_urgent() -> None:
    result = assess(Facts.from_dict(dict(matter="other", days_to_deadline=1)), today=TODAY, standards=TEST_STANDARD)
    assert (result.decision, result.urgent) == (O, False)


def test_missing_facts_are_named() -> None:
    result = assess(Facts.from_dict(dict(matter="maintenance", province="测试省")), today=TODAY,
                    standards=TEST_STANDARD)
    assert result.missing == ("household_size", "monthly_household_income")


def test_documents_follow_the_route() -> None:
    migrant = assess(Facts.from_dict(dict(matter="labor_relation_or_remuneration", groups=["migrant_worker"])),
                     today=TODAY, standards=TEST_STANDARD)
    assert any("进城务工人员" in d for d in migrant.documents)
    assert any("身份证" in d for d in migrant.documents)
    means = assess(Facts.from_dict(dict(matter="maintenance", monthly_household_income=100, **MEANS)), today=TODAY,
                   standards=TEST_STANDARD)
    assert any("诚信承诺" in d for d in means.documents)


@pytest.mark.parametrize(("litigation", "expected"), [(True, "办案机关"), (False, "事由发生地"), (None, "非诉讼事项")])
def test_competent_centre_by_article_38(litigation: bool | None, expected: str) -> None:
    result = assess(Facts.from_dict(dict(matter="maintenance", province="河南省", city="周口市",
                                         litigation=litigation)), today=TODAY, standards=TEST_STANDARD)
    assert result.authority.startswith("河南省周口市：") and expected in result.authority


def test_the_shipped_standards_file_enters_no_unsourced_amount() -> None:
    from bot.eligibility.standards import load

    assert all(s.source for s in load())


@pytest.mark.parametrize("bad", [dict(matter="divorce"), dict(groups=["rich"]), dict(household_size=-1),
                                 dict(monthly_household_income="很多"), dict(unknown_key=1)])
def test_bad_facts_are_rejected_with_a_message(bad: dict) -> None:
    with pytest.raises(ValueError):
        Facts.from_dict(bad)


def test_cli_one_line_per_input_in_order() -> None:
    import json
    import subprocess
    import sys
    from pathlib import Path

    lines = ['{"matter": "labor_relation_or_remuneration", "groups": ["migrant_worker"], "days_to_deadline": 3}',
             "not json", '{"matter": "other"}']
    proc = subprocess.run([sys.executable, "-m", "bot.cli", "eligibility"], input="\n".join(lines), text=True,
                          capture_output=True, check=True, cwd=Path(__file__).resolve().parents[2], timeout=120)
    out = [json.loads(ln) for ln in proc.stdout.splitlines()]
    assert [o.get("decision") for o in out] == ["exempt_from_means_check", None, "out_of_scope"]
    assert out[0]["urgent"] is True and out[1]["error"].startswith("line 2:")
