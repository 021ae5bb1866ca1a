"""Supervisor statistics page, its SVG charts and the CSV export."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import datetime, timedelta, timezone

from aiohttp import web

from bot.console import application_views, charts, policy, stats
from bot.console.keys import ENGINE_KEY, SESSION
from bot.console.pages import render
from bot.consultation import categories
from bot.handoff import store
from bot.legal_aid import store as aid_store
from bot.store import consultation_log

MAX_DAYS = 366
DECISION_NAMES = application_views.DECISION_NAMES


def _period(request: web.Request) -> tuple[datetime, datetime, int]:
    try:
        days = max(1, min(MAX_DAYS, int(request.query.get("days", "30"))))
    except ValueError:
        days = 30
    start, end = stats.china_day_bounds(days, datetime.now(timezone.utc))
    return start, end, days


async def _report(request: web.Request) -> tuple[stats.Report, int]:
    if not policy.can_view_stats(request[SESSION].user):
        raise web.HTTPForbidden()
    start, end, days = _period(request)
    engine = request.app[ENGINE_KEY]

    # The stores compare in UTC (SQLite compares the stored text); the report keeps China time.
    utc_start, utc_end = start.astimezone(timezone.utc), end.astimezone(timezone.utc)

    def load() -> stats.Report:
        return stats.build(start, end, store.tickets_between(engine, utc_start, utc_end),
                           consultation_log.between(engine, utc_start, utc_end), aid_store.list_all(engine))

    return await asyncio.to_thread(load), days


def category_names() -> dict[str, str]:
    from bot.console import display

    return {"none": display.labels()["none"], **{cid: info.name for cid, info in categories().items()}}


# Display labels for the CSV's English keys (review B12: ids stay, for formulas; labels for people).
METRIC_LABELS = {"start": "开始（北京时间）", "end": "结束（北京时间）", "conversations": "对话数", "handed_off": "转人工对话数",
                 "rate": "转人工率", "tickets": "工单数", "median_wait_seconds": "等待时长中位数（秒）",
                 "median_handling_seconds": "处理时长中位数（秒）", **{str(r): f"{r}分" for r in stats.RATINGS}}


def csv_labels() -> dict[str, str]:
    return {**METRIC_LABELS, **category_names(), **DECISION_NAMES}


async def stats_page(request: web.Request) -> web.Response:
    report, days = await _report(request)
    return render("stats.html", request,
                                          {"report": report, "days": days, "names": category_names(),
                                           "decision_names": DECISION_NAMES})


async def stats_csv(request: web.Request) -> web.Response:
    report, days = await _report(request)
    buf = io.StringIO()
    csv.writer(buf).writerows(stats.csv_rows(report, csv_labels()))
    # UTF-8 with a BOM so that Excel, which most centres use, opens the Chinese text correctly.
    return web.Response(body=("\ufeff" + buf.getvalue()).encode("utf-8"), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="hotline-stats-{days}d.csv"'})


async def stats_chart(request: web.Request) -> web.Response:
    report, _ = await _report(request)
    name = request.match_info["name"]
    if name == "consultations":
        draw = lambda: charts.consultations(report.consultations_per_day, category_names(),  # noqa: E731
                                            first=report.start.date(), last=(report.end - timedelta(days=1)).date())  # China dates
    elif name == "csat":
        draw = lambda: charts.bars({f"{r}分": n for r, n in report.csat.items()}, "满意度评分分布")  # noqa: E731
    elif name == "decisions":
        draw = lambda: charts.bars({DECISION_NAMES.get(d, d): n for d, n in report.decisions.items()},  # noqa: E731
                                   "法律援助申请评估结果")
    else:
        raise web.HTTPNotFound()
    svg = await asyncio.to_thread(draw)
    return web.Response(text=svg, content_type="image/svg+xml",
                        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
