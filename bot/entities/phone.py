"""Mainland mobile numbers: 11 digits starting 13–19, spaces or dashes allowed, +86 optional."""

from __future__ import annotations

import re

from bot.entities.base import Entity

_PHONE_RE = re.compile(r"(?<![\d])(?:\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?![\d])")


def is_mobile(text: str) -> bool:
    return bool(re.fullmatch(r"1[3-9]\d{9}", text))


def extract_phones(text: str) -> list[Entity]:
    return [
        Entity("phone", "".join(m.groups()), m.start(), m.end(), m.group())
        for m in _PHONE_RE.finditer(text)
    ]
