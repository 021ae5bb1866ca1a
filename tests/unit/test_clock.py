"""The one clock (style review 2026-12-01, §5 "`_now()` six times", L2)."""

import re
from datetime import datetime, timezone
from pathlib import Path

from bot import clock

ROOT = Path(__file__).resolve().parents[2]


def test_today_is_the_date_in_china(monkeypatch) -> None:
    # 2026-12-01 17:30 UTC is already 2 December in Beijing.
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 12, 1, 17, 30, tzinfo=timezone.utc))
    assert clock.today().isoformat() == "2026-12-02"


def test_now_is_aware() -> None:
    assert clock.now().tzinfo is not None


def test_no_other_module_reads_the_clock_for_a_date() -> None:
    # The stores and views may take the moment (`datetime.now(timezone.utc)` as a default), but a
    # date for a rule comes from bot.clock.today() only.
    readers = [p.relative_to(ROOT).as_posix() for pkg in ("bot", "actions") for p in (ROOT / pkg).rglob("*.py")
               if re.search(r"\bdate\.today\(\)", p.read_text(encoding="utf-8"))]
    assert readers == []
