"""Office hours in China Standard Time, holidays and 调休 days, as worked examples."""

from datetime import datetime, timezone

import pytest

from bot.handoff.roster import ROSTER_FILE, Roster, RosterError, load

ROSTER = Roster.from_dict({
    "utc_offset": "+08:00",
    "hours": {"mon": ["09:00-12:00", "13:30-17:30"], "tue": ["09:00-17:30"], "sat": []},
    "closed_dates": ["2026-10-01"],
    "extra_workdays": ["2026-10-10"],  # a Saturday worked in exchange
    "workday_hours": ["09:00-17:30"],
})


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.mark.parametrize(("now", "is_open"), [
    (utc(2026, 11, 30, 1, 0), True),    # Mon 09:00 in Beijing
    (utc(2026, 11, 30, 0, 59), False),  # Mon 08:59
    (utc(2026, 11, 30, 4, 30), False),  # Mon 12:30, lunch
    (utc(2026, 11, 30, 9, 29), True),   # Mon 17:29
    (utc(2026, 11, 30, 9, 30), False),  # Mon 17:30, closed
    (utc(2026, 12, 5, 3, 0), False),    # Sat
    (utc(2026, 12, 2, 3, 0), False),    # Wed: no entry
    (utc(2026, 10, 10, 3, 0), True),    # Sat 调休 working day
])
def test_is_open(now, is_open) -> None:
    assert ROSTER.is_open(now) is is_open


def test_a_public_holiday_is_closed() -> None:
    assert not ROSTER.is_open(utc(2026, 10, 1, 3, 0))  # Thursday, National Day (no Thursday hours either)
    r = Roster.from_dict({"hours": {"thu": ["09:00-17:00"]}, "closed_dates": ["2026-10-01"]})
    assert r.is_open(utc(2026, 10, 8, 3, 0)) and not r.is_open(utc(2026, 10, 1, 3, 0))


def test_next_opening_after_hours_is_the_next_morning_in_beijing() -> None:
    nxt = ROSTER.next_opening(utc(2026, 11, 30, 12, 0))  # Mon 20:00
    assert nxt.isoformat() == "2026-12-01T09:00:00+08:00"
    assert ROSTER.next_opening(utc(2026, 11, 30, 4, 30)).isoformat() == "2026-11-30T13:30:00+08:00"


@pytest.mark.parametrize("bad", [{"hours": {"mon": ["9-17"]}}, {"hours": {"mon": ["17:00-09:00"]}},
                                 {"hours": {"monday": []}}])
def test_a_malformed_roster_is_refused(bad) -> None:
    with pytest.raises(RosterError):
        Roster.from_dict(bad)


def test_the_shipped_roster_loads_and_offers_callback_windows() -> None:
    r = load(ROSTER_FILE)  # the shipped file, whatever HOTLINE_ROSTER another test set
    assert r.callback_windows and not r.always_open
    assert any(r.weekly.values())
