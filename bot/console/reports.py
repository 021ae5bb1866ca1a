"""Shift reports (issue 17 item 7): CSAT by agent, category and day with the comments; per-agent
handled count, first-response and handling times; service level; abandonment; hourly load.

Pure: tickets and targets in, figures out; days and hours in China Standard Time (Asia/Shanghai,
stats.CHINA_TZ) everywhere, the CSV included.

Definitions (so the figures can be checked by hand):
- handled: closed tickets the agent held at the close.
- first response: claim → the first agent message; handling: claim → close.
- service level: of the tickets that left the queue (claimed, or abandoned), the share claimed within
  the claim target of their priority (knowledge/console/sla.yml), queue time over every stretch.
- abandoned: the citizen ended (结束人工) before any agent claimed the ticket.
- 留言 callbacks are left out of service level, abandonment and load (they wait for office hours).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable

from bot.console.stats import CHINA_TZ
from bot.handoff import sla
from bot.handoff import tickets as T
from bot.spreadsheet import safe_rows

NO_CATEGORY = "none"


@dataclass(frozen=True)
class Csat:
    key: str  # agent username, category id or ISO day
    ratings: int
    mean: float | None
    satisfied_share: float | None  # 4 and 5


@dataclass(frozen=True)
class AgentFigures:
    agent: str
    handled: int
    median_first_response_seconds: float | None
    median_handling_seconds: float | None
    ratings: int
    mean_rating: float | None


@dataclass(frozen=True)
class Comment:
    reference: str
    closed_at: datetime | None
    agent: str | None
    category: str
    rating: int
    text: str


@dataclass
class Reports:
    start: datetime
    end: datetime
    agents: list[AgentFigures] = field(default_factory=list)
    csat_by_agent: list[Csat] = field(default_factory=list)
    csat_by_category: list[Csat] = field(default_factory=list)
    csat_by_day: list[Csat] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    within_target: int = 0
    left_queue: int = 0  # claimed + abandoned
    abandoned: int = 0
    queued: int = 0  # tickets that entered the queue (not 留言)
    hourly: list[int] = field(default_factory=lambda: [0] * 24)  # tickets created per China hour

    @property
    def service_level(self) -> float | None:
        return self.within_target / self.left_queue if self.left_queue else None

    @property
    def abandonment_rate(self) -> float | None:
        return self.abandoned / self.queued if self.queued else None


def _median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _csat(key: str, ratings: list[int]) -> Csat:
    if not ratings:
        return Csat(key, 0, None, None)
    return Csat(key, len(ratings), sum(ratings) / len(ratings), sum(1 for r in ratings if r >= 4) / len(ratings))


def china_day(value: datetime) -> date:
    return value.astimezone(CHINA_TZ).date()


def build(start: datetime, end: datetime, tickets: list[T.Ticket], goals: sla.Targets | None = None) -> Reports:
    """Figures for the tickets created in [start, end) (the caller selects them)."""
    goals = goals or sla.targets()
    out = Reports(start, end)
    by_agent: dict[str, list[T.Ticket]] = defaultdict(list)
    rated_agent: dict[str, list[int]] = defaultdict(list)
    rated_category: dict[str, list[int]] = defaultdict(list)
    rated_day: dict[str, list[int]] = defaultdict(list)
    for t in tickets:
        if t.status == T.CLOSED and t.claimed_by:
            by_agent[t.claimed_by].append(t)
        if t.rating is not None:
            day = china_day(t.closed_at or t.created_at).isoformat()
            rated_agent[t.claimed_by or ""].append(t.rating)
            rated_category[t.category or NO_CATEGORY].append(t.rating)
            rated_day[day].append(t.rating)
            if t.comment:
                out.comments.append(Comment(t.reference, t.closed_at, t.claimed_by, t.category or NO_CATEGORY,
                                            t.rating, t.comment))
        if t.reason == T.REASON_CALLBACK:
            continue
        out.queued += 1
        out.hourly[t.created_at.astimezone(CHINA_TZ).hour] += 1
        if t.abandoned:
            out.abandoned += 1
            out.left_queue += 1
        elif t.claimed_at is not None:
            out.left_queue += 1
            out.within_target += bool(sla.claimed_within_target(t, goals))
    for agent in sorted(set(by_agent) | {a for a in rated_agent if a}):
        handled = by_agent.get(agent, [])
        ratings = rated_agent.get(agent, [])
        out.agents.append(AgentFigures(
            agent, len(handled), _median(t.first_response_seconds() for t in handled),
            _median(t.handling_seconds(t.closed_at or end) for t in handled), len(ratings),
            sum(ratings) / len(ratings) if ratings else None))
    out.csat_by_agent = [_csat(k, v) for k, v in sorted(rated_agent.items())]
    out.csat_by_category = [_csat(k, v) for k, v in sorted(rated_category.items())]
    out.csat_by_day = [_csat(k, v) for k, v in sorted(rated_day.items())]
    out.comments.sort(key=lambda c: (c.rating, c.reference))  # low scores first: they need a follow-up
    return out


CSV_HEADER = ["section", "date", "hour", "reference", "agent", "agent_name", "category", "category_label", "metric", "value"]


def csv_rows(report: Reports, agent_names: dict[str, str], category_names: dict[str, str]) -> list[list[str]]:
    """Long format: English ids in the id columns and metric names (review B12), the display label
    beside each id; dates and hours in China time; formula-looking cells neutralised."""
    def row(section: str, metric: str, value: object, *, day: str = "", hour: str = "", agent: str = "",
            category: str = "", reference: str = "") -> list[str]:
        return [section, day, hour, reference, agent, agent_names.get(agent, agent) if agent else "", category,
                category_names.get(category, category) if category else "", metric, _fmt(value)]

    rows = [CSV_HEADER,
            row("period", "start", report.start.astimezone(CHINA_TZ).isoformat()),
            row("period", "end", report.end.astimezone(CHINA_TZ).isoformat()),
            row("service", "service_level", report.service_level),
            row("service", "claimed_within_target", report.within_target),
            row("service", "left_queue", report.left_queue),
            row("service", "abandoned", report.abandoned),
            row("service", "abandonment_rate", report.abandonment_rate),
            row("service", "queued", report.queued)]
    for a in report.agents:
        rows += [row("agent", "handled", a.handled, agent=a.agent),
                 row("agent", "median_first_response_seconds", a.median_first_response_seconds, agent=a.agent),
                 row("agent", "median_handling_seconds", a.median_handling_seconds, agent=a.agent),
                 row("agent", "ratings", a.ratings, agent=a.agent),
                 row("agent", "mean_rating", a.mean_rating, agent=a.agent)]
    for c in report.csat_by_category:
        rows += [row("csat_category", "ratings", c.ratings, category=c.key),
                 row("csat_category", "mean_rating", c.mean, category=c.key),
                 row("csat_category", "satisfied_share", c.satisfied_share, category=c.key)]
    for c in report.csat_by_day:
        rows += [row("csat_day", "ratings", c.ratings, day=c.key), row("csat_day", "mean_rating", c.mean, day=c.key)]
    for hour, n in enumerate(report.hourly):
        rows.append(row("load", "tickets", n, hour=f"{hour:02d}"))
    for c in report.comments:
        day = china_day(c.closed_at).isoformat() if c.closed_at else ""
        common = dict(day=day, agent=c.agent or "", category=c.category, reference=c.reference)
        rows += [row("comment", "rating", c.rating, **common), row("comment", "text", c.text, **common)]
    return safe_rows(rows)


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)
