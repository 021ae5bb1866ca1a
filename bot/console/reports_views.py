"""Reports page and its CSV (issue 17 item 7): supervisors only; periods are whole China days."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import datetime, timezone

from aiohttp import web

from bot.console import policy, reports, stats, users
from bot.console.keys import ENGINE_KEY, SESSION
from bot.console.pages import render
from bot.console.stats_views import MAX_DAYS, category_names
from bot.handoff import sla, store

PERIODS = (1, 7, 30, 90)


def _days(request: web.Request) -> int:
    try:
        return max(1, min(MAX_DAYS, int(request.query.get("days", "7"))))
    except ValueError:
        return 7


async def _build(request: web.Request) -> tuple[reports.Reports, int, dict[str, str]]:
    if not policy.can_view_stats(request[SESSION].user):
        raise web.HTTPForbidden()
    days = _days(request)
    start, end = stats.china_day_bounds(days, datetime.now(timezone.utc))
    engine = request.app[ENGINE_KEY]

    def load() -> tuple[reports.Reports, dict[str, str]]:
        found = store.tickets_between(engine, start.astimezone(timezone.utc), end.astimezone(timezone.utc))
        names = {u.username: u.display_name or u.username for u in users.list_users(engine)}
        return reports.build(start, end, found, sla.targets()), names

    report, names = await asyncio.to_thread(load)
    return report, days, names


async def reports_page(request: web.Request) -> web.Response:
    report, days, names = await _build(request)
    peak = max(report.hourly) or 1
    return render("reports.html", request,
                  {"report": report, "days": days, "periods": PERIODS, "names": names,
                   "category_labels": category_names(), "peak": peak, "goals": sla.targets()})


async def reports_csv(request: web.Request) -> web.Response:
    report, days, names = await _build(request)
    buf = io.StringIO()
    csv.writer(buf).writerows(reports.csv_rows(report, names, category_names()))
    # UTF-8 with a BOM: Excel, which most centres use, then opens the Chinese labels correctly.
    return web.Response(body=("\ufeff" + buf.getvalue()).encode("utf-8"), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="hotline-reports-{days}d.csv"'})
