"""The console's named routes, in one place (aiohttp-demos' `routes.py`, as `bot/web/routes.py` for the
web app); `bot.console.app.setup` assembles the rest."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.console import (application_views, audit_views, canned_views, login_views, ops_views, reports_views,
                         staff_views, stats_views, ticket_views)

STATIC = Path(__file__).parent / "static"


def setup_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/console", login_views.to_home, name="console_bare")
    r.add_get("/console/", login_views.to_home, name="console_root")
    r.add_get("/console/login", login_views.login_form, name="login")
    r.add_post("/console/login", login_views.login_submit, name="login_submit")
    r.add_post("/console/logout", login_views.logout, name="logout")
    r.add_get("/console/api/me", login_views.me, name="me")
    r.add_get("/console/queue", ticket_views.queue_page, name="queue")
    r.add_get("/console/queue/rows", ticket_views.queue_rows, name="queue_rows")
    r.add_get("/console/queue/events", ticket_views.queue_events, name="queue_events")
    r.add_get("/console/api/queue", ticket_views.queue_json, name="queue_json")
    r.add_get("/console/search", ticket_views.search_page, name="search")
    r.add_get("/console/tickets/{ref}", ticket_views.ticket_page, name="ticket")
    r.add_get("/console/tickets/{ref}/transcript", ticket_views.ticket_transcript, name="ticket_transcript")
    r.add_get("/console/tickets/{ref}/suggestions", ticket_views.ticket_suggestions, name="ticket_suggestions")
    r.add_get("/console/tickets/{ref}/events", ticket_views.ticket_events, name="ticket_events")
    r.add_post("/console/tickets/{ref}/claim", ticket_views.claim, name="ticket_claim")
    r.add_post("/console/tickets/{ref}/reply", ticket_views.reply, name="ticket_reply")
    r.add_post("/console/tickets/{ref}/transfer", ticket_views.transfer, name="ticket_transfer")
    r.add_post("/console/tickets/{ref}/close", ticket_views.close, name="ticket_close")
    r.add_post("/console/tickets/{ref}/note", ticket_views.note, name="ticket_note")
    r.add_post("/console/tickets/{ref}/reopen", ticket_views.reopen, name="ticket_reopen")
    r.add_get("/console/canned", canned_views.canned_page, name="canned")
    r.add_post("/console/canned", canned_views.canned_add, name="canned_add")
    r.add_post("/console/canned/{id}/delete", canned_views.canned_delete, name="canned_delete")
    r.add_get("/console/api/canned", canned_views.canned_json, name="canned_json")
    r.add_post("/console/tickets/{ref}/callback-phone", ticket_views.callback_phone, name="callback_phone")
    r.add_get("/console/callbacks", ticket_views.callbacks_page, name="callbacks")
    r.add_get("/console/applications", application_views.applications_page, name="applications")
    r.add_get("/console/applications/{ref}", application_views.application_page, name="application")
    r.add_post("/console/applications/{ref}/status", application_views.application_set_status,
               name="application_status")
    r.add_get("/console/audit", audit_views.audit_page, name="audit")
    r.add_get("/console/stats", stats_views.stats_page, name="stats")
    r.add_get("/console/stats.csv", stats_views.stats_csv, name="stats_csv")
    r.add_get("/console/stats/charts/{name}.svg", stats_views.stats_chart, name="stats_chart")
    # Shift operations (issue 17 items 3, 4, 7): agent status, reassignment, 留言 attempts, reports.
    r.add_post("/console/agents/status", ops_views.set_status, name="agent_status")
    r.add_get("/console/api/agents", ops_views.agents_json, name="agents_json")
    r.add_post("/console/tickets/{ref}/reassign", ops_views.reassign, name="ticket_reassign")
    r.add_post("/console/tickets/{ref}/callback-claim", ops_views.callback_claim, name="callback_claim")
    r.add_post("/console/tickets/{ref}/callback-attempt", ops_views.callback_attempt, name="callback_attempt")
    r.add_get("/console/reports", reports_views.reports_page, name="reports")
    r.add_get("/console/reports.csv", reports_views.reports_csv, name="reports_csv")
    # 账号管理 (review B17): supervisors manage the accounts.
    r.add_get("/console/staff", staff_views.staff_page, name="staff")
    r.add_post("/console/staff", staff_views.staff_add, name="staff_add")
    r.add_post("/console/staff/{username}/{action:disable|enable}", staff_views.staff_disable, name="staff_disable")
    r.add_post("/console/staff/{username}/password", staff_views.staff_password, name="staff_password")
    r.add_post("/console/staff/{username}/update", staff_views.staff_update, name="staff_update")
    r.add_static("/console/static", STATIC, name="console_static")
