"""Service-level targets and states for queued tickets (issue 17 item 4, review B6).

Pure: the targets come from knowledge/console/sla.yml (read once), times are passed in. The console
renders the fields of `fields()` (agreed in the console contract) and ticks them in the browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.handoff import tickets as T
from bot.paths import KNOWLEDGE

SLA_FILE = KNOWLEDGE / "console" / "sla.yml"

OK = "ok"
WARN = "warn"
BREACH = "breach"
NONE = "none"  # no clock runs (claimed, closed, a 留言)
STATES = (OK, WARN, BREACH, NONE)

CLOCK_CLAIM = "claim"
CLOCK_NONE = "none"


@dataclass(frozen=True)
class Targets:
    claim_seconds: dict[int, float]  # priority → claim target
    warn_ratio: float
    callback_max_attempts: int
    callback_retry_minutes: tuple[int, ...]
    default_max_chats: int
    stuck_after_minutes: int

    def claim_target(self, priority: int) -> float | None:
        """The target for a priority; a priority with no figure of its own takes the next stricter one
        defined (never none for a ticket in the queue)."""
        if priority in self.claim_seconds:
            return self.claim_seconds[priority]
        looser = [p for p in self.claim_seconds if p > priority]
        stricter = [p for p in self.claim_seconds if p < priority]
        if stricter:
            return self.claim_seconds[max(stricter)]
        return self.claim_seconds[min(looser)] if looser else None

    def warn_after(self, priority: int) -> float | None:
        target = self.claim_target(priority)
        return None if target is None else target * self.warn_ratio


def parse(data: dict[str, Any]) -> Targets:
    """Targets from the YAML mapping; refuses figures that would make no sense on a shift."""
    claim = {int(k): float(v) for k, v in (data.get("claim_seconds") or {}).items()}
    if not claim or any(v <= 0 for v in claim.values()):
        raise ValueError("sla.yml: claim_seconds needs positive targets")
    ratio = float(data.get("warn_ratio", 0.5))
    if not 0 < ratio < 1:
        raise ValueError("sla.yml: warn_ratio must be between 0 and 1")
    cb = data.get("callbacks") or {}
    attempts = int(cb.get("max_attempts", 3))
    if attempts < 1:
        raise ValueError("sla.yml: callbacks.max_attempts must be at least 1")
    assign = data.get("assignment") or {}
    return Targets(claim, ratio, attempts, tuple(int(m) for m in cb.get("retry_minutes") or [30]),
                   int(assign.get("default_max_chats", 3)), int(assign.get("stuck_after_minutes", 10)))


@lru_cache(maxsize=4)
def targets(path: Path = SLA_FILE) -> Targets:
    with open(path, encoding="utf-8") as fh:
        return parse(yaml.safe_load(fh) or {})


def state(waited: float, target: float | None, warn_after: float | None) -> str:
    """ok below the warning point, warn from it, breach from the target on."""
    if target is None:
        return NONE
    if waited >= target:
        return BREACH
    if warn_after is not None and waited >= warn_after:
        return WARN
    return OK


def is_waiting(ticket: T.Ticket) -> bool:
    return ticket.status == T.OPEN


def fields(ticket: T.Ticket, now: datetime, goals: Targets | None = None) -> dict[str, Any]:
    """The per-ticket SLA fields of the console contract (/work/labels/CONSOLE-CONTRACT.md §1)."""
    goals = goals or targets()
    waited = ticket.wait_seconds(now)
    waiting = is_waiting(ticket)
    target = goals.claim_target(ticket.priority) if waiting else None
    warn = goals.warn_after(ticket.priority) if waiting else None
    since = (ticket.queued_at or (ticket.created_at if ticket.queue_seconds is None else None)) if waiting else None
    breach_at = now + timedelta(seconds=target - waited) if target is not None else None
    return {
        "sla_clock": CLOCK_CLAIM if waiting else CLOCK_NONE,
        "sla_waited_seconds": round(waited, 1),
        "sla_queued_since": since.isoformat() if since else None,
        "sla_target_seconds": target,
        "sla_warn_seconds": warn,
        "sla_state": state(waited, target, warn) if waiting else NONE,
        "sla_breach_at": breach_at.isoformat() if breach_at else None,
        "handling_seconds": ticket.handling_seconds(now),
    }


def claimed_within_target(ticket: T.Ticket, goals: Targets | None = None) -> bool | None:
    """For the service level: was the ticket claimed within its target? None if never claimed."""
    if ticket.claimed_at is None:
        return None
    goals = goals or targets()
    target = goals.claim_target(ticket.priority)
    return target is None or ticket.wait_seconds(ticket.claimed_at) <= target
