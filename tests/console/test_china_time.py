"""Review B11: statistics days are cut at 00:00 Asia/Shanghai, on the page, the charts and the CSV."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from bot.console import stats
from bot.store import consultation_log
from bot.store.consultation_log import Consultation
from tests.console.conftest import run

CST = timezone(timedelta(hours=8))


def test_the_day_starts_at_midnight_in_china() -> None:
    # 2026-12-01 18:20 UTC is 2026-12-02 02:20 in China: "近 1 天" is the 2nd, not the 1st.
    start, end = stats.china_day_bounds(1, datetime(2026, 12, 1, 18, 20, tzinfo=timezone.utc))
    assert start == datetime(2026, 12, 2, tzinfo=CST) and end == datetime(2026, 12, 3, tzinfo=CST)
    assert start.utcoffset() == timedelta(hours=8)
    start, _ = stats.china_day_bounds(7, datetime(2026, 12, 1, 15, 59, tzinfo=timezone.utc))
    assert start == datetime(2026, 11, 25, tzinfo=CST)


def test_consultations_are_counted_on_their_china_day() -> None:
    rows = [Consultation("a", "debt", "q", True, None, datetime(2026, 12, 1, 16, 30, tzinfo=timezone.utc)),
            Consultation("b", "debt", "q", True, None, datetime(2026, 12, 1, 15, 59, tzinfo=timezone.utc))]
    per_day = consultation_log.per_category_per_day(rows, stats.CHINA_TZ)
    assert per_day == {date(2026, 12, 1): {"debt": 1}, date(2026, 12, 2): {"debt": 1}}


def test_the_fixed_offset_fallback_agrees_with_the_zone(monkeypatch) -> None:
    import zoneinfo

    def missing(key):
        raise zoneinfo.ZoneInfoNotFoundError(key)

    monkeypatch.setattr(zoneinfo, "ZoneInfo", missing)
    fallback = stats._china_tz()
    assert datetime(2026, 7, 1, tzinfo=fallback).utcoffset() == timedelta(hours=8)


def test_the_csv_period_is_in_china_time_and_counts_today(kb, eng) -> None:
    consultation_log.record(eng, "s1", "debt", "借钱不还怎么办", answered=True)

    async def scenario(c):
        await c.login("boss")
        body = await (await c.get("/console/stats.csv?days=1")).text()
        start = next(line for line in body.splitlines() if line.startswith("period,,start"))
        assert start.split(",")[3].endswith("T00:00:00+08:00")
        today = datetime.now(timezone.utc).astimezone(CST).date().isoformat()
        assert f"consultations,{today},debt,1" in body  # stored in UTC, counted on its China day

    run(kb, eng, scenario)


def test_the_stats_csv_puts_a_display_label_beside_each_english_id(kb, eng) -> None:
    """Review B12: the CSV showed only `wage_arrears`, `none`; the ids stay, a label column is added."""
    consultation_log.record(eng, "s1", "debt", "借钱不还怎么办", answered=True)

    async def scenario(c):
        await c.login("boss")
        lines = (await (await c.get("/console/stats.csv?days=1")).text()).lstrip("\ufeff").splitlines()
        assert lines[0] == "section,date,key,value,label"
        assert any(line.startswith("consultations,") and line.endswith(",debt,1,借贷债务") for line in lines)
        assert "handoff,,rate,,转人工率" in lines or any(x.startswith("handoff,,rate,") and x.endswith(",转人工率")
                                                         for x in lines)

    run(kb, eng, scenario)
