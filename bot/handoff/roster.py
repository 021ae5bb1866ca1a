"""The agents' roster: whether a human answers now, and when the next shift starts.

`knowledge/roster.yml` by default. The clock and the file are passed in: which file the running bot uses
(HOTLINE_ROSTER) is read by the actions, not here (review L3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.paths import KNOWLEDGE

ROSTER_FILE = KNOWLEDGE / "roster.yml"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

Span = tuple[time, time]


class RosterError(ValueError):
    pass


def _offset(text: str) -> timezone:
    sign = -1 if text.startswith("-") else 1
    hours, _, minutes = text.lstrip("+-").partition(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes or 0)))


def _spans(items: Any, where: str) -> tuple[Span, ...]:
    spans = []
    for item in items or []:
        try:
            start, end = (time.fromisoformat(x.strip()) for x in str(item).split("-"))
        except ValueError:
            raise RosterError(f"{where}: {item!r} is not HH:MM-HH:MM") from None
        if end <= start:
            raise RosterError(f"{where}: {item!r} ends before it starts")
        spans.append((start, end))
    return tuple(sorted(spans))


@dataclass(frozen=True)
class Roster:
    tz: timezone
    weekly: dict[str, tuple[Span, ...]]
    closed_dates: frozenset[date]
    extra_workdays: frozenset[date]
    workday_hours: tuple[Span, ...]
    callback_windows: tuple[str, ...]
    always_open: bool = False

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Roster":
        hours = data.get("hours") or {}
        unknown = set(hours) - set(DAYS)
        if unknown:
            raise RosterError(f"unknown days: {sorted(unknown)}")
        return cls(
            tz=_offset(str(data.get("utc_offset", "+08:00"))),
            weekly={d: _spans(hours.get(d), d) for d in DAYS},
            closed_dates=frozenset(date.fromisoformat(str(d)) for d in data.get("closed_dates") or []),
            extra_workdays=frozenset(date.fromisoformat(str(d)) for d in data.get("extra_workdays") or []),
            workday_hours=_spans(data.get("workday_hours"), "workday_hours"),
            callback_windows=tuple(data.get("callback_windows") or ("工作日上午", "工作日下午")),
            always_open=bool(data.get("always_open", False)),
        )

    def spans_on(self, day: date) -> tuple[Span, ...]:
        if day in self.closed_dates:
            return ()
        if day in self.extra_workdays:
            return self.workday_hours
        return self.weekly[DAYS[day.weekday()]]

    def is_open(self, now: datetime) -> bool:
        """True when an agent answers chat at `now` (an aware datetime)."""
        if self.always_open:
            return True
        local = now.astimezone(self.tz)
        return any(start <= local.time() < end for start, end in self.spans_on(local.date()))

    def next_opening(self, now: datetime) -> datetime | None:
        """When agents are next on duty (now if open), looking two weeks ahead."""
        if self.is_open(now):
            return now
        local = now.astimezone(self.tz)
        for ahead in range(15):
            day = local.date() + timedelta(days=ahead)
            for start, _end in self.spans_on(day):
                at = datetime.combine(day, start, self.tz)
                if at > local:
                    return at
        return None


@lru_cache(maxsize=4)
def _load(path: Path, mtime: float) -> Roster:
    return Roster.from_dict(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


def load(path: Path = ROSTER_FILE) -> Roster:
    """The roster from `path`, re-read when edited."""
    return _load(path, path.stat().st_mtime)
