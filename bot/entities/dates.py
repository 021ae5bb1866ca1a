"""Calendar dates, absolute ("2023年5月1日", "2023-05-01") and relative ("昨天", "上个月").

Today's date is passed in so that results are reproducible.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.entities.base import Entity
from bot.entities.numerals import parse_number

_CN = "零〇一二两三四五六七八九十"
_NUM = rf"(?:\d{{1,4}}|[{_CN}]{{1,4}})"
_ABSOLUTE_RE = re.compile(
    rf"(?:(?P<y>\d{{4}}|[{_CN}]{{4}})年|(?P<rel>去年|前年|今年))?(?P<m>{_NUM})月(?:份)?(?:(?P<d>{_NUM})[日号])?"
    rf"|(?P<y2>\d{{4}})[-/.](?P<m2>\d{{1,2}})[-/.](?P<d2>\d{{1,2}})"
)
_RELATIVE = {"今天": 0, "昨天": -1, "前天": -2, "大前天": -3, "明天": 1, "后天": 2}
_RELATIVE_RE = re.compile("|".join(sorted(_RELATIVE, key=len, reverse=True)) + "|去年|前年|今年|上个月|这个月")


def _num(text: str | None) -> int | None:
    if not text:
        return None
    value = parse_number(text)
    return int(value) if value is not None else None


def extract_dates(text: str, today: date) -> list[Entity]:
    found: list[Entity] = []
    for m in _ABSOLUTE_RE.finditer(text):
        y: int | None
        mo: int | None
        d: int | None
        if m.group("y2"):
            y, mo, d = int(m.group("y2")), int(m.group("m2")), int(m.group("d2"))
        else:
            y, mo, d = _num(m.group("y")), _num(m.group("m")), _num(m.group("d"))
            if text[m.end("m") - 1 : m.end("m") + 1] == "个月":
                continue
        if mo is None or not 1 <= mo <= 12:
            continue
        if y is None and m.group("rel"):
            y = today.year - {"去年": 1, "前年": 2, "今年": 0}[m.group("rel")]
        if y is None:
            # Without a year, citizens mean the most recent such date.
            y = today.year if (mo, d or 1) <= (today.month, today.day) else today.year - 1
        try:
            value = date(y, mo, d).isoformat() if d else f"{y:04d}-{mo:02d}"
        except ValueError:
            continue
        found.append(Entity("date", value, m.start(), m.end(), m.group()))
    for m in _RELATIVE_RE.finditer(text):
        word = m.group()
        if any(e.start <= m.start() < e.end for e in found):
            continue
        if word in _RELATIVE:
            value = (today + timedelta(days=_RELATIVE[word])).isoformat()
        elif word in ("去年", "前年", "今年"):
            value = f"{today.year - {'去年': 1, '前年': 2, '今年': 0}[word]:04d}"
        else:
            first = today.replace(day=1)
            month = first - timedelta(days=1) if word == "上个月" else first
            value = f"{month.year:04d}-{month.month:02d}"
        found.append(Entity("date", value, m.start(), m.end(), word))
    return found
