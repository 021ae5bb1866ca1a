"""Amounts of money: "三万五" → 35000, "八千块" → 8000, "3.5万" → 35000 (yuan)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from bot.entities.base import Entity
from bot.entities.numerals import LARGE_UNITS, NUMBER_PATTERN, SMALL_UNITS, parse_number

_CURRENCY = r"(?:块钱|块|元钱|元|圆|人民币|rmb|RMB)"
# Words after a number that make it a count of something else, not money.
_NOT_MONEY_AFTER = re.compile(r"^(?:多)?(?:个|天|年|月|周|星期|岁|人|次|号|日|小时|分钟|平|米|公里|斤|亩|层|楼|%|份|条|名|家|辆|套|间|倍)")
_MONEY_RE = re.compile(rf"(?P<num>{NUMBER_PATTERN})(?P<more>多)?(?P<cur>{_CURRENCY})?")


def _to_yuan(value: Decimal) -> int | float:
    rounded = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)


def extract_money(text: str) -> list[Entity]:
    found = []
    for m in _MONEY_RE.finditer(text):
        num = m.group("num")
        has_currency = bool(m.group("cur"))
        # Without a currency word, only a 万/千-sized amount reads as money ("欠我三万五").
        magnitude = any(ch in num for ch in LARGE_UNITS) or any(ch in num for ch in "千仟")
        if not has_currency and not magnitude:
            continue
        if not has_currency and _NOT_MONEY_AFTER.match(text[m.end():]):
            continue
        if all(ch in SMALL_UNITS or ch in LARGE_UNITS for ch in num):
            continue  # "万元户", a bare unit
        value = parse_number(num)
        if value is None or value <= 0:
            continue
        found.append(Entity("money", _to_yuan(value), m.start(), m.end(), m.group()))
    return found
