"""Who may see and do what in the console: pure functions of the user's role and the ticket, no I/O.

Least privilege: a role sees only what its work needs. Routes ask these functions and stay thin; a
new rule belongs here, with a test in tests/console/test_policy.py.
"""

from __future__ import annotations

from typing import Protocol

from bot.handoff import tickets

AGENT = "agent"  # 12348 hotline agent: 人工咨询 tickets and 留言 callbacks
MEDIATOR = "mediator"  # often staff of an outside people's mediation committee: mediation tickets only
SUPERVISOR = "supervisor"  # 班长: every ticket, the statistics and the audit log
LEGAL_AID_OFFICER = "legal_aid_officer"  # staff of the legal-aid institution: the applications
ROLES = (AGENT, MEDIATOR, SUPERVISOR, LEGAL_AID_OFFICER)

# Which ticket kinds each role works on.
KINDS_FOR_ROLE: dict[str, frozenset[str]] = {
    AGENT: frozenset({tickets.HOTLINE_AGENT}),
    MEDIATOR: frozenset({tickets.MEDIATION}),
    SUPERVISOR: frozenset(tickets.KINDS),
    LEGAL_AID_OFFICER: frozenset(),
}

# Callback numbers are for the people who phone citizens back.
CALLBACK_ROLES = frozenset({AGENT, SUPERVISOR})
# 法律援助法第四十三条: the legal-aid institution reviews and decides an application; supervisors read them
# for oversight, nobody else.
APPLICATION_READERS = frozenset({LEGAL_AID_OFFICER, SUPERVISOR})
APPLICATION_DECIDERS = frozenset({LEGAL_AID_OFFICER})

# A reveal is for one call; more than this in an hour looks like harvesting.
MAX_PHONE_REVEALS_PER_HOUR = 30

# What a user sees of the legal-aid application linked to a ticket.
APPLICATION_FULL = "full"  # a link to the application page
APPLICATION_SUMMARY = "summary"  # reference, status and matter only: enough to answer "how is my application?"


class HasRole(Protocol):
    role: str


class HasUser(HasRole, Protocol):
    username: str


def can_view_ticket(user: HasRole, ticket: tickets.Ticket) -> bool:
    """Tickets, transcripts, suggestions and their event streams: only the kinds of the user's role."""
    return ticket.kind in KINDS_FOR_ROLE.get(user.role, frozenset())


def can_work_ticket(user: HasRole, ticket: tickets.Ticket) -> bool:
    """Claim, reply, transfer, close."""
    return can_view_ticket(user, ticket)


def can_hand_over(user: HasUser, ticket: tickets.Ticket) -> bool:
    """Transfer or close: a claimed ticket only by its holder or a supervisor (review B3); an open or
    callback ticket by anyone who works its kind."""
    if not can_work_ticket(user, ticket):
        return False
    if ticket.status == tickets.CLAIMED:
        return user.role == SUPERVISOR or ticket.claimed_by == user.username
    return True


def can_reply(user: HasUser, ticket: tickets.Ticket) -> bool:
    """The reply box only for the holder (the claim-race loser gets none)."""
    return can_work_ticket(user, ticket) and ticket.status == tickets.CLAIMED and ticket.claimed_by == user.username


def sees_escalations(user: HasRole) -> bool:
    """Supervisors are alerted when a crisis waits unclaimed past CRISIS_CLAIM_SECONDS."""
    return user.role == SUPERVISOR


# A crisis ticket unclaimed this long alerts the supervisors (issue 17: crisis claim ≤ 60 s).
CRISIS_CLAIM_SECONDS = 60


def can_list_callbacks(user: HasRole) -> bool:
    return user.role in CALLBACK_ROLES


def can_reveal_callback_phone(user: HasRole, ticket: tickets.Ticket) -> bool:
    """The full number only to the staff who call back, only while the call is due: a 留言 waiting for
    it, a crisis (the number the citizen gave for a call) or a mediation request (the mediator's
    contact number) not yet closed."""
    if ticket.status == tickets.CLOSED or not can_view_ticket(user, ticket):
        return False
    if ticket.reason == tickets.REASON_CALLBACK:
        return user.role in CALLBACK_ROLES and ticket.status == tickets.CALLBACK
    if ticket.reason == tickets.REASON_MEDIATION:
        return user.role in (MEDIATOR, SUPERVISOR)
    return ticket.reason == tickets.REASON_CRISIS and user.role in CALLBACK_ROLES


def can_read_applications(user: HasRole) -> bool:
    return user.role in APPLICATION_READERS


def can_decide_application(user: HasRole) -> bool:
    """Every status change (review, materials, approve, reject, assign) is the institution's."""
    return user.role in APPLICATION_DECIDERS


def application_access(user: HasRole, ticket: tickets.Ticket) -> str | None:
    """How much of a ticket's linked application the ticket page shows: the full application for its
    readers; a hotline agent on their own kind of ticket gets a masked summary (no description, no
    safe-contact details); mediators nothing."""
    if can_read_applications(user):
        return APPLICATION_FULL
    if user.role == AGENT and can_view_ticket(user, ticket):
        return APPLICATION_SUMMARY
    return None


def can_view_stats(user: HasRole) -> bool:
    return user.role == SUPERVISOR


def can_view_audit(user: HasRole) -> bool:
    return user.role == SUPERVISOR


def can_manage_users(user: HasRole) -> bool:
    """账号管理 (review B17): add, disable, reset passwords, roles and regions."""
    return user.role == SUPERVISOR


def home(user: HasRole) -> str:
    """Where a user lands after login."""
    return "/console/applications" if user.role == LEGAL_AID_OFFICER else "/console/queue"


def can_reopen(user: HasUser, ticket: tickets.Ticket) -> bool:
    """Reopen a closed conversation to follow it up: the agent who held it, or a supervisor; a ticket
    nobody had claimed (closed as a duplicate, withdrawn) by anyone who works its kind. Never a 留言."""
    if ticket.status != tickets.CLOSED or ticket.reason == tickets.REASON_CALLBACK:
        return False
    if not can_work_ticket(user, ticket):
        return False
    return user.role == SUPERVISOR or ticket.claimed_by in (None, user.username)


def can_edit_team_replies(user: HasRole) -> bool:
    """The team's 快捷回复 are the supervisors' to add and remove; everyone keeps their own."""
    return user.role == SUPERVISOR


def can_note(user: HasRole, ticket: tickets.Ticket) -> bool:
    """Internal notes: anyone who works the ticket's kind, whatever its status."""
    return can_work_ticket(user, ticket)
