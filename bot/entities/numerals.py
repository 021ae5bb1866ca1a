"""Chinese numerals: 三万五 → 35000, 两千零五十 → 2050, 1.5万 → 15000."""

from __future__ import annotations

import re
from decimal import Decimal

DIGITS = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "三": 3, "叁": 3,
          "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8,
          "捌": 8, "九": 9, "玖": 9}
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
LARGE_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000}

NUMERAL_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(LARGE_UNITS)
# A number as citizens write it: digits with an optional decimal part, Chinese numerals, or a mix
# such as "3万5" or "1.5万".
NUMBER_PATTERN = rf"(?:\d+(?:\.\d+)?|[{NUMERAL_CHARS}])+"
_NUMBER_RE = re.compile(rf"^{NUMBER_PATTERN}$")


def _section(text: str) -> Decimal:
    """Value of a run below 万 such as 三千五百 or 3千."""
    total = Decimal(0)
    digit: Decimal | None = None
    last_unit = 1
    i = 0
    while i < len(text):
        ch = text[i]
        m = re.match(r"\d+(?:\.\d+)?", text[i:])
        if m:
            digit = Decimal(m.group())
            i += len(m.group())
            continue
        if ch in DIGITS:
            digit = Decimal(DIGITS[ch])
        elif ch in SMALL_UNITS:
            unit = SMALL_UNITS[ch]
            total += (digit if digit is not None else Decimal(1)) * unit
            digit = None
            last_unit = unit
        i += 1
    if digit is not None:
        # "三千五" means 3500: a trailing digit takes the unit below the last one.
        total += digit * (last_unit // 10 if last_unit >= 10 and len(text) > 1 and text[-2] in SMALL_UNITS else 1)
    return total


def parse_number(text: str) -> Decimal | None:
    """Parses a numeral; returns None when `text` is not one."""
    if not text or not _NUMBER_RE.match(text):
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return Decimal(text)
    if all(ch in DIGITS for ch in text) and len(text) > 1:
        # Digit-by-digit reading such as 一三八 or 二〇二三.
        return Decimal("".join(str(DIGITS[ch]) for ch in text))
    total = Decimal(0)
    rest = text
    for unit_char, unit in sorted(LARGE_UNITS.items(), key=lambda kv: -kv[1]):
        if unit_char in rest:
            head, rest = rest.split(unit_char, 1)
            total += (_section(head) if head else Decimal(1)) * unit
            if len(rest) == 1 and (rest in DIGITS or rest.isdigit()):
                # "三万五" is 35000: a lone trailing digit counts in the unit below.
                return total + Decimal(DIGITS.get(rest, rest)) * unit // 10
    if rest:
        total += _section(rest)
    return total
