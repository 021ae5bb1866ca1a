"""Supervisor statistics (督查反馈), computed from plain values: tickets, consultation-log rows and
legal-aid applications for a period. Pure: no database, no clock."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any, Iterable

from bot.handoff.tickets import CALLBACK, Ticket
from bot.spreadsheet import safe_rows
from bot.store.consultation_log import Consultation, per_category_per_day, top_unanswered


def _china_tz() -> tzinfo:
    """China Standard Time: the IANA zone when tzdata is there, else a fixed +08:00 (China has had no
    daylight saving time since 1991, so the two agree for every date the hotline has)."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Asia/Shanghai")
    except Exception:  # noqa: BLE001 - ZoneInfoNotFoundError, or no tz database on a slim image
        return timezone(timedelta(hours=8), "CST")


# Statistics days start at 00:00 in China (review B11), on the page, in the charts and in the CSV.
CHINA_TZ = _china_tz()


def china_day_bounds(days: int, now: datetime) -> tuple[datetime, datetime]:
    """The last `days` whole China days up to and including today: [start, end) as aware datetimes."""
    today = now.astimezone(CHINA_TZ).date()
    end = datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=CHINA_TZ)
    start = datetime.combine(today - timedelta(days=days - 1), datetime.min.time(), tzinfo=CHINA_TZ)
    return start, end

RATINGS = (1, 2, 3, 4, 5)
UNKNOWN_DECISION = "not_assessed"


@dataclass
class Report:
    start: datetime
    end: datetime
    consultations_per_day: dict[date, Counter[str]] = field(default_factory=dict)
    conversations: int = 0  # distinct citizens who consulted or asked for a human
    handed_off: int = 0  # of those, how many got a ticket (callbacks included)
    tickets: int = 0
    median_wait_seconds: float | None = None  # claimed tickets: created → claimed
    median_handling_seconds: float | None = None  # closed tickets that were claimed: claimed → closed
    csat: dict[int, int] = field(default_factory=lambda: {r: 0 for r in RATINGS})
    decisions: Counter[str] = field(default_factory=Counter)
    unanswered: list[tuple[str, int]] = field(default_factory=list)

    @property
    def handoff_rate(self) -> float | None:
        return self.handed_off / self.conversations if self.conversations else None

    @property
    def ratings(self) -> int:
        return sum(self.csat.values())

    @property
    def csat_satisfied_share(self) -> float | None:
        """Share of 4 and 5 ratings, the usual CSAT figure."""
        return (self.csat[4] + self.csat[5]) / self.ratings if self.ratings else None

    @property
    def mean_rating(self) -> float | None:
        return sum(r * n for r, n in self.csat.items()) / self.ratings if self.ratings else None


def _median(values: Iterable[float]) -> float | None:
    values = list(values)
    return statistics.median(values) if values else None


def decision_of(details: Any) -> str:
    assessment = details.get("assessment") if isinstance(details, dict) else None
    decision = assessment.get("decision") if isinstance(assessment, dict) else None
    return str(decision) if decision else UNKNOWN_DECISION


def build(start: datetime, end: datetime, tickets: list[Ticket], consultations: list[Consultation],
          applications: Iterable[Any]) -> Report:
    """`applications` are bot.legal_aid.store.Application values (only `details` and `created_at` used)."""
    report = Report(start, end)
    report.consultations_per_day = per_category_per_day(consultations, CHINA_TZ)
    ticket_senders = {t.sender_id for t in tickets}
    report.conversations = len({c.sender_id for c in consultations} | ticket_senders)
    report.handed_off = len(ticket_senders)
    report.tickets = len(tickets)
    report.median_wait_seconds = _median(
        (t.claimed_at - t.created_at).total_seconds() for t in tickets if t.claimed_at and t.status != CALLBACK)
    report.median_handling_seconds = _median(
        (t.closed_at - t.claimed_at).total_seconds() for t in tickets if t.claimed_at and t.closed_at)
    for t in tickets:
        if t.rating in report.csat:
            report.csat[t.rating] += 1
    report.decisions = Counter(decision_of(a.details) for a in applications if start <= _aware(a.created_at) < end)
    report.unanswered = top_unanswered(consultations, 20)
    return report


def _aware(value: datetime) -> datetime:
    from datetime import timezone

    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def csv_rows(report: Report, labels: dict[str, str] | None = None) -> list[list[str]]:
    """Long format, one figure a row: section, date, key, value; cells that a spreadsheet would run
    as a formula are neutralised (bot.spreadsheet), since questions are the citizens' own text.
    With `labels` (key id → display label), a fifth column `label` sits beside the English id (B12)."""
    rows = _csv_rows(report)
    if labels is not None:
        rows = [rows[0] + ["label"]] + [r + [labels.get(r[2], "") if r[0] != "unanswered" else ""] for r in rows[1:]]
    return safe_rows(rows)


def _csv_rows(report: Report) -> list[list[str]]:
    rows = [["section", "date", "key", "value"],
            ["period", "", "start", report.start.isoformat()], ["period", "", "end", report.end.isoformat()]]
    for day, counts in report.consultations_per_day.items():
        rows += [["consultations", day.isoformat(), cat, str(n)] for cat, n in sorted(counts.items())]
    rows += [["handoff", "", "conversations", str(report.conversations)],
             ["handoff", "", "handed_off", str(report.handed_off)],
             ["handoff", "", "rate", _fmt(report.handoff_rate)],
             ["handoff", "", "tickets", str(report.tickets)],
             ["sla", "", "median_wait_seconds", _fmt(report.median_wait_seconds)],
             ["sla", "", "median_handling_seconds", _fmt(report.median_handling_seconds)]]
    rows += [["csat", "", str(r), str(n)] for r, n in report.csat.items()]
    rows += [["legal_aid_decisions", "", d, str(n)] for d, n in sorted(report.decisions.items())]
    rows += [["unanswered", "", q, str(n)] for q, n in report.unanswered]
    return rows


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}".rstrip("0").rstrip(".")
