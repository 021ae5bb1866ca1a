"""Durations: "三个月" → P3M, "半年" → P6M, "一年半" → P18M, "十天" → P10D (ISO 8601)."""

from __future__ import annotations

import re
from decimal import Decimal

from bot.entities.base import Entity
from bot.entities.numerals import NUMBER_PATTERN, parse_number

_UNITS = {"年": "Y", "个月": "M", "月": "M", "周": "W", "个星期": "W", "星期": "W", "天": "D", "日": "D",
          "小时": "H", "个小时": "H"}
_UNIT_PATTERN = "|".join(sorted(_UNITS, key=len, reverse=True))
_DURATION_RE = re.compile(
    rf"(?P<half_only>半)(?P<unit_h>年|个月|天)|(?P<num>{NUMBER_PATTERN})(?P<more>多)?(?P<unit>{_UNIT_PATTERN})(?P<half>半)?"
)
# "3月" after a year is a date, and "5日" after a month is a day: those are not durations.
_DATE_CONTEXT = re.compile(r"\d{2,4}年$|[\d一二三四五六七八九十]+月$")


def _iso(amount: Decimal, unit: str) -> str:
    if unit == "Y" and amount != amount.to_integral_value():
        return f"P{int(amount * 12)}M"
    if unit == "M" and amount != amount.to_integral_value():
        return f"P{int(amount * 30)}D"
    prefix = "PT" if unit == "H" else "P"
    return f"{prefix}{int(amount) if amount == amount.to_integral_value() else amount}{unit}"


def extract_durations(text: str) -> list[Entity]:
    found = []
    for m in _DURATION_RE.finditer(text):
        if m.group("half_only"):
            unit = _UNITS[m.group("unit_h")]
            found.append(Entity("duration", _iso(Decimal("0.5"), unit), m.start(), m.end(), m.group()))
            continue
        unit_text = m.group("unit")
        if unit_text in ("月", "日") and not m.group("more"):
            # "3月" and "5日" are calendar dates, not durations ("三个月" is a duration).
            continue
        if unit_text == "年" and re.fullmatch(r"\d{4}", m.group("num")):
            continue  # "2023年" is a year
        if _DATE_CONTEXT.search(text[: m.start()]) and unit_text in ("月", "日"):
            continue
        amount = parse_number(m.group("num"))
        if amount is None or amount <= 0:
            continue
        if m.group("half"):
            amount += Decimal("0.5")
        found.append(Entity("duration", _iso(amount, _UNITS[unit_text]), m.start(), m.end(), m.group()))
    return found
