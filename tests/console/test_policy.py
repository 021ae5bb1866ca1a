"""Who may do what in the console (bot.console.policy), as a table: role × ticket × right."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone

import pytest

from bot.console import policy
from bot.handoff import tickets

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
HOTLINE = tickets.Ticket("RG-00000001", tickets.HOTLINE_AGENT, tickets.REASON_REQUEST, "wage_arrears", None, 2,
                         tickets.OPEN, "c1", "rest", tickets.build_summary(None, {}, [], []), T0)
MEDIATION = replace(HOTLINE, reference="RG-00000002", kind=tickets.MEDIATION, reason=tickets.REASON_MEDIATION)
CALLBACK = replace(HOTLINE, reference="RG-00000003", reason=tickets.REASON_CALLBACK, status=tickets.CALLBACK,
                   callback_phone_masked="138****5678")
CALLBACK_DONE = replace(CALLBACK, status=tickets.CLOSED)


@dataclass
class U:
    role: str


AGENT, MEDIATOR, SUPERVISOR, OFFICER = (U(r) for r in ("agent", "mediator", "supervisor", "legal_aid_officer"))


@pytest.mark.parametrize(("user", "hotline", "mediation"), [
    (AGENT, True, False), (MEDIATOR, False, True), (SUPERVISOR, True, True), (OFFICER, False, False),
    (U("unknown"), False, False)])
def test_tickets_by_role(user, hotline: bool, mediation: bool) -> None:
    assert policy.can_view_ticket(user, HOTLINE) is hotline and policy.can_work_ticket(user, HOTLINE) is hotline
    assert policy.can_view_ticket(user, MEDIATION) is mediation


@pytest.mark.parametrize(("user", "waiting", "closed"), [
    (AGENT, True, False), (SUPERVISOR, True, False), (MEDIATOR, False, False), (OFFICER, False, False)])
def test_callback_numbers_only_to_callers_and_only_while_the_call_is_due(user, waiting: bool, closed: bool) -> None:
    assert policy.can_reveal_callback_phone(user, CALLBACK) is waiting
    assert policy.can_reveal_callback_phone(user, CALLBACK_DONE) is closed
    assert policy.can_reveal_callback_phone(user, HOTLINE) is False  # not a 留言 ticket


@pytest.mark.parametrize(("user", "read", "decide", "on_ticket"), [
    (OFFICER, True, True, policy.APPLICATION_FULL), (SUPERVISOR, True, False, policy.APPLICATION_FULL),
    (AGENT, False, False, policy.APPLICATION_SUMMARY), (MEDIATOR, False, False, None)])
def test_legal_aid_applications(user, read: bool, decide: bool, on_ticket: str | None) -> None:
    assert policy.can_read_applications(user) is read
    assert policy.can_decide_application(user) is decide
    assert policy.application_access(user, HOTLINE) == on_ticket


def test_an_agent_gets_no_summary_on_a_ticket_outside_their_role() -> None:
    assert policy.application_access(AGENT, MEDIATION) is None


def test_statistics_and_audit_are_for_supervisors_and_each_role_has_a_home() -> None:
    assert [u.role for u in (AGENT, MEDIATOR, SUPERVISOR, OFFICER) if policy.can_view_stats(u)] == ["supervisor"]
    assert [u.role for u in (AGENT, MEDIATOR, SUPERVISOR, OFFICER) if policy.can_view_audit(u)] == ["supervisor"]
    assert policy.home(OFFICER) == "/console/applications" and policy.home(AGENT) == "/console/queue"
    assert set(policy.KINDS_FOR_ROLE) == set(policy.ROLES)
