"""Supervisor statistics as worked examples, the consultation log, and the charts."""

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from bot.console import charts, stats
from bot.handoff.tickets import Ticket, build_summary
from bot.store import consultation_log
from bot.store.consultation_log import Consultation

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)
START, END = T0 - timedelta(days=7), T0 + timedelta(days=1)


def ticket(ref: str, sender: str, wait: int | None = None, handle: int | None = None, rating: int | None = None,
           status: str = "closed") -> Ticket:
    claimed = T0 + timedelta(seconds=wait) if wait is not None else None
    closed = claimed + timedelta(seconds=handle) if claimed and handle is not None else None
    return Ticket(reference=ref, kind="hotline_agent", reason="request_human", category="wage_arrears", region=None,
                  priority=2, status=status, sender_id=sender, channel="rest",
                  summary=build_summary("wage_arrears", {}, [], []), created_at=T0, claimed_at=claimed,
                  claimed_by="agent1" if claimed else None, closed_at=closed, rating=rating)


def ask(sender: str, category: str, question: str, answered: bool, day: int = 0) -> Consultation:
    return Consultation(sender, category, question, answered, None, T0 + timedelta(days=day))


def test_the_figures_of_a_small_week() -> None:
    consultations = [ask("a", "wage_arrears", "老板欠薪怎么办", True), ask("b", "wage_arrears", "欠薪", True),
                     ask("c", "debt", "借条丢了还能要钱吗", False, day=-1), ask("d", "debt", "借条丢了还能要钱吗？", False),
                     ask("d", "debt", "网贷暴力催收", False)]
    tickets = [ticket("RG-1", "a", wait=60, handle=600, rating=5), ticket("RG-2", "b", wait=180, handle=300, rating=4),
               ticket("RG-3", "c", wait=120, handle=None, rating=None, status="claimed"),
               ticket("RG-4", "e", status="open")]  # e asked for a human at once
    apps = [SimpleNamespace(details={"assessment": {"decision": "means_test_passed"}}, created_at=T0),
            SimpleNamespace(details={"assessment": {"decision": "needs_review"}}, created_at=T0),
            SimpleNamespace(details={}, created_at=T0), SimpleNamespace(details={}, created_at=T0 - timedelta(days=30))]
    report = stats.build(START, END, tickets, consultations, apps)
    assert report.conversations == 5 and report.handed_off == 4 and report.handoff_rate == 0.8
    assert report.median_wait_seconds == 120  # of 60, 120, 180: the open ticket has not been waited out yet
    assert report.median_handling_seconds == 450  # of 300 and 600
    assert report.csat == {1: 0, 2: 0, 3: 0, 4: 1, 5: 1} and report.csat_satisfied_share == 1.0
    assert report.mean_rating == 4.5
    assert dict(report.decisions) == {"means_test_passed": 1, "needs_review": 1, "not_assessed": 1}
    assert report.consultations_per_day[T0.date()] == {"wage_arrears": 2, "debt": 2}
    assert report.unanswered == [("借条丢了还能要钱吗", 2), ("网贷暴力催收", 1)]  # punctuation does not split
    rows = stats.csv_rows(report)
    assert ["handoff", "", "rate", "0.8"] in rows and ["sla", "", "median_wait_seconds", "120"] in rows
    assert ["unanswered", "", "借条丢了还能要钱吗", "2"] in rows


def test_an_empty_period_has_no_figures_rather_than_zeros() -> None:
    report = stats.build(START, END, [], [], [])
    assert report.handoff_rate is None and report.median_wait_seconds is None and report.csat_satisfied_share is None
    assert "暂无数据" in charts.consultations({}, {})


def test_charts_keep_chinese_labels_as_text() -> None:
    svg = charts.consultations({T0.date(): {"wage_arrears": 3}}, {"wage_arrears": "欠薪讨薪"})
    assert svg.lstrip().startswith("<?xml") and "欠薪讨薪" in svg
    assert "5分" in charts.bars({f"{r}分": r for r in range(1, 6)}, "满意度评分分布")


def test_the_log_masks_questions_and_groups_by_day(db) -> None:
    e = db
    consultation_log.record(e, "a", "debt", "我电话13812345678，借条丢了", False, now=T0)
    consultation_log.record(e, "b", "debt", "借钱不还", True, "debt-001", now=T0 + timedelta(hours=1))
    rows = consultation_log.between(e, START, END)
    assert [r.question for r in rows] == ["我电话138****5678，借条丢了", "借钱不还"]
    assert rows[0].at == T0 and rows[1].faq_id == "debt-001"


def test_the_consultation_action_logs_answered_and_unanswered_questions(sqlite_url) -> None:
    from bot.store.db import engine
    from tests.actions.test_actions import run, tracker
    from actions.consultation import ActionAnswerConsultation

    run(ActionAnswerConsultation(), tracker("housing_property", "租房到期了房东不退押金咋办"))
    run(ActionAnswerConsultation(), tracker("other_legal", "关于那个事情我想了解一下情况"))
    rows = consultation_log.between(engine(sqlite_url), START - timedelta(days=3650), END + timedelta(days=3650))
    assert [(r.category, r.answered) for r in rows] == [("housing_property", True), ("other_legal", False)]
    assert rows[0].faq_id.startswith("housing_property-")
