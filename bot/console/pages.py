"""Rendering a console page: every template also gets the user, the CSRF token and the labels."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from bot.console import display, policy
from bot.console.keys import CSRF_FIELD, SESSION


# bot/entities names as agents read them.
ENTITY_NAMES = {"money": "金额（元）", "duration": "时长", "date": "日期", "region": "地区", "phone": "电话",
                "id_number": "身份证号"}


def base_context(request: web.Request) -> dict[str, Any]:
    from bot.consultation import categories
    from bot.handoff import tickets

    session = request.get(SESSION)
    user = session.user if session else None
    may = {"queue": bool(user) and bool(policy.KINDS_FOR_ROLE.get(user.role)),
           "callbacks": bool(user) and policy.can_list_callbacks(user),
           "applications": bool(user) and policy.can_read_applications(user),
           "stats": bool(user) and policy.can_view_stats(user),
           "audit": bool(user) and policy.can_view_audit(user),
           "staff": bool(user) and policy.can_manage_users(user)}
    return {"session": session, "user": user, "may": may,
            "csrf_token": session.csrf_token if session else "", "csrf_field": CSRF_FIELD,
            "categories": {cid: info.name for cid, info in categories().items()},
            "resolution_names": tickets.RESOLUTION_CODES, "entity_names": ENTITY_NAMES,
            "reason_name": display.reason_name, "priority_name": display.priority_name,
            "channel_name": display.channel_name, "matter_name": display.matter_name, "entity_value": display.entity_value,
            "names": {}, "crisis_flags": set()}


def render(template: str, request: web.Request, context: dict[str, Any], status: int = 200) -> web.Response:
    return aiohttp_jinja2.render_template(template, request, {**base_context(request), **context}, status=status)
