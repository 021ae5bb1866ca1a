"""Each finding of ../shared/reviews/review-legal-2026-12-01.md (sections 2, 4 and 5), as a worked example
that failed on the base it reviewed (0f17ab9)."""

from functools import lru_cache

import pytest
import yaml

from bot import consultation
from bot.kb import faq
from bot.paths import KNOWLEDGE, PROJECT_ROOT


@lru_cache(maxsize=1)
def _entries() -> dict[str, faq.FaqEntry]:
    return {e.id: e for e in faq.load()}


def entry(eid: str) -> faq.FaqEntry:
    return _entries()[eid]


def cites(eid: str, law: str, article: str) -> bool:
    return any(c.law.endswith(law) and c.article == article for c in entry(eid).citations)


# --- 2A: substantive errors

def test_housing_property_008_deposit_and_penalty_are_alternatives() -> None:
    e = entry("housing_property-008")
    assert "违约金、双倍返还定金、赔偿损失" not in e.answer
    assert "只能选一项" in e.answer and cites(e.id, "民法典", "第五百八十八条")


def test_criminal_004_37_days_is_the_exception_not_the_rule() -> None:
    e = entry("criminal-004")
    assert "一般最长为37日" not in e.answer
    assert "14日" in e.answer and "37日" in e.answer


def test_land_rural_007_no_administrative_review_against_the_village() -> None:
    e = entry("land_rural-007")
    assert "可通过行政复议" not in e.answer
    assert "不能对它申请行政复议" in e.answer and cites(e.id, "民法典", "第二百六十五条")


# --- 2B: missing caveats

def test_land_rural_009_review_comes_first_for_homestead_rights() -> None:
    e = entry("land_rural-009")
    assert "三十日内向人民法院起诉" not in e.answer
    assert "复议前置" in e.answer and "60日" in e.answer
    assert cites(e.id, "行政复议法", "第二十三条") and cites(e.id, "行政复议法", "第二十条")


@pytest.mark.parametrize("eid", ["personal_injury-002", "criminal-008"])
def test_incidental_civil_suit_covers_material_loss_only(eid: str) -> None:
    assert "精神损害赔偿一般不予支持" in entry(eid).answer


def test_work_injury_002_states_the_exclusions() -> None:
    e = entry("work_injury-002")
    assert "醉酒" in e.answer and cites(e.id, "工伤保险条例", "第十六条")


def test_marriage_family_002_six_month_bar_and_missing_spouse_venue() -> None:
    e = entry("marriage_family-002")
    assert "六个月内不能再起诉" in e.answer and "下落不明" in e.answer
    assert cites(e.id, "民事诉讼法", "第一百二十七条") and cites(e.id, "民事诉讼法", "第二十三条")


def test_labor_dispute_005_unpaid_social_insurance_lets_the_worker_quit_with_compensation() -> None:
    e = entry("labor_dispute-005")
    assert "解除劳动合同并要求经济补偿" in e.answer
    assert cites(e.id, "劳动合同法", "第三十八条") and cites(e.id, "劳动合同法", "第四十六条")


# --- 2C: the governing article of every stated figure is cited

GOVERNING = [
    ("administrative-001", "行政复议法", "第三十条"),
    ("administrative-005", "行政复议法", "第二十条"),
    ("administrative-005", "道路交通安全法", "第一百零九条"),
    ("administrative-007", "行政复议法", "第二十条"),
    ("administrative-007", "行政诉讼法", "第四十六条"),
    ("administrative-008", "国家赔偿法", "第十三条"),
    ("administrative-009", "国家赔偿法", "第二十三条"),
    ("administrative-009", "国家赔偿法", "第三十九条"),
    ("administrative-009", "国家赔偿法", "第二十一条"),
    ("administrative-009", "国家赔偿法", "第二十五条"),
    ("administrative-011", "行政诉讼法", "第四十五条"),
    ("administrative-012", "行政复议法", "第三十一条"),
    ("labor_dispute-002", "劳动争议调解仲裁法", "第二十七条"),
    ("labor_dispute-004", "劳动争议调解仲裁法", "第二十七条"),
    ("wage_arrears-003", "劳动争议调解仲裁法", "第二十七条"),
    ("wage_arrears-007", "劳动争议调解仲裁法", "第二十七条"),
    ("wage_arrears-008", "劳动争议调解仲裁法", "第二十七条"),
    ("wage_arrears-008", "劳动合同法", "第四十七条"),
    ("work_injury-009", "工伤保险条例", "第十七条"),
    ("land_rural-004", "农村土地承包法", "第四十一条"),
    ("legal_aid-008", "法律援助法", "第三十九条"),
    ("litigation_procedure-004", "诉讼费用交纳办法", "第二十二条"),
    ("litigation_procedure-004", "诉讼费用交纳办法", "第十六条"),
    ("litigation_procedure-004", "诉讼费用交纳办法", "第二十条"),
    ("litigation_procedure-010", "诉讼费用交纳办法", "第十四条"),
    ("notary_appraisal-010", "工伤保险条例", "第二十五条"),
    ("notary_appraisal-010", "工伤保险条例", "第二十八条"),
    ("other_legal-008", "公司法", "第一百一十条"),
    ("traffic_accident-008", "民法典", "第一百八十八条"),
    ("traffic_accident-006", "道路交通事故处理程序规定", "第七十一条"),
]


@pytest.mark.parametrize(("eid", "law", "article"), GOVERNING)
def test_the_governing_article_is_cited(eid: str, law: str, article: str) -> None:
    assert cites(eid, law, article)


def test_other_legal_008_lower_threshold_in_the_articles_of_association() -> None:
    assert "章程规定更低的从其规定" in entry("other_legal-008").answer


def test_traffic_accident_006_three_days_from_service_one_review_only() -> None:
    e = entry("traffic_accident-006")
    assert "送达之日起三日内" in e.answer and "一般为" not in e.answer and "一次" in e.answer


# --- 2D: readability

def test_wage_arrears_004_no_court_jargon() -> None:
    assert "裁定终结督促程序" not in entry("wage_arrears-004").answer


# --- 4: category replies and routing texts

def test_land_rural_summary_does_not_send_compensation_disputes_to_arbitration() -> None:
    summary = consultation.info("land_rural").summary
    assert "不能申请土地承包仲裁" in summary
    assert "复议、起诉或申请仲裁" not in summary


def test_administrative_summary_names_review_first_cases() -> None:
    assert "必须先申请复议" in consultation.info("administrative").summary


@pytest.mark.parametrize("category", ["criminal", "administrative"])
def test_no_peoples_mediation_offered_for_criminal_and_administrative(category: str) -> None:
    assert consultation.info(category).mediation is False
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    buttons = domain["responses"]["utter_consultation_no_mediation"][0]["buttons"]
    assert all(b["payload"] != "/apply_mediation" for b in buttons)


def test_civil_categories_still_offer_mediation() -> None:
    assert consultation.info("neighbor_dispute").mediation is True


# --- 5: beyond the reference set

def test_marriage_family_007_uses_the_2024_bride_price_rules() -> None:
    e = entry("marriage_family-007")
    assert "2024年2月1日" in e.answer and "共同生活时间较短且彩礼数额过高" in e.answer
    assert cites(e.id, "最高人民法院关于审理涉彩礼纠纷案件适用法律若干问题的规定", "第五条")
    assert cites(e.id, "最高人民法院关于审理涉彩礼纠纷案件适用法律若干问题的规定", "第六条")


def test_administrative_005_surcharge_capped_at_the_fine() -> None:
    e = entry("administrative-005")
    assert "不超过罚款本身" in e.answer and cites(e.id, "行政处罚法", "第七十二条")


def test_administrative_007_suspension_of_detention_named_without_article_and_flagged() -> None:
    e = entry("administrative-007")
    assert "暂缓执行" in e.answer and "治安管理处罚法" in e.answer
    assert e.review_flag


@pytest.mark.parametrize("eid", ["administrative-007", "domestic_violence-002", "domestic_violence-003",
                                 "neighbor_dispute-005"])
def test_entries_relying_on_the_public_security_law_are_flagged(eid: str) -> None:
    assert "治安管理处罚法" in entry(eid).review_flag


def test_no_article_of_the_public_security_law_is_cited_anywhere() -> None:
    for e in _entries().values():
        cited = list(e.citations) + [c for f in e.followups for c in f.citations]
        assert not any("治安管理处罚法" in c.law for c in cited), e.id


def test_the_categories_file_is_reviewed_data() -> None:
    assert "mediation: false" in (KNOWLEDGE / "categories.yml").read_text(encoding="utf-8")
