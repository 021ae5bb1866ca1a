"""留言 call-back attempts (review B8): a call that does not get through is retried later; the 留言
closes as unreachable only after the last attempt. Pure: the store applies the outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Outcome:
    attempts: int  # failed calls so far
    close_with: str | None  # a tickets.RESOLUTION_CODES code when the 留言 ends, else None
    next_try_at: datetime | None  # when to call again, while it stays open


def attempt(failed_before: int, reached: bool, now: datetime, max_attempts: int,
            retry_minutes: tuple[int, ...]) -> Outcome:
    """The result of one call: reached closes it as done; a failed call counts, and either schedules
    the next try (retry_minutes[i] after the (i+1)-th failure, the last figure repeating) or closes it
    as unreachable once `max_attempts` calls have failed."""
    if reached:
        return Outcome(failed_before, "callback_done", None)
    failed = failed_before + 1
    if failed >= max_attempts:
        return Outcome(failed, "callback_unreachable", None)
    waits = retry_minutes or (30,)
    return Outcome(failed, None, now + timedelta(minutes=waits[min(failed - 1, len(waits) - 1)]))
