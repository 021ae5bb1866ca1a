"""Resident ID numbers (居民身份证号码), GB 11643-1999: 17 digits and a check character."""

from __future__ import annotations

import re
from datetime import date

from bot.entities.base import Entity

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ID_RE = re.compile(r"(?<![\dA-Za-z])(\d{17}[\dXx])(?![\dA-Za-z])")


def check_character(first17: str) -> str:
    """The check character of GB 11643: ISO 7064 MOD 11-2 over the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS))
    return _CHECK_CHARS[total % 11]


def is_valid_id_number(value: str) -> bool:
    """True when the number has the right form, a real birth date and a matching check character."""
    value = value.upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if born.year < 1900:
        return False
    return check_character(value[:17]) == value[17]


def extract_id_numbers(text: str) -> list[Entity]:
    return [
        Entity("id_number", m.group(1).upper(), m.start(1), m.end(1), m.group(1))
        for m in _ID_RE.finditer(text)
        if is_valid_id_number(m.group(1))
    ]
