"""The one clock. Adapters (actions, NLU components, views, stores) read it and pass `now` or `today`
into the domain rules; the rules never read it themselves (style review 2026-12-01, L2).

`today` is the date in China, where the hotline's citizens are: a deadline "明天" or the day a local
means standard takes effect is a Beijing date, whatever the server's own time zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")  # no daylight saving since 1991


def now() -> datetime:
    """The current moment, timezone-aware (UTC)."""
    return datetime.now(timezone.utc)


def today() -> date:
    """Today's date in China."""
    return now().astimezone(CHINA).date()
