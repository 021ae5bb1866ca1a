"""Masking of personal data (身份证号, mobile numbers) for logs, stored conversations and views that do
not need it.

Citizens type numbers as they like: in groups ("110105 19491231 002X", "138-1234-5678"), with
full-width digits from a Chinese input method ("１３８１２３４５６７８"), with a country code
("+86 138…"). The patterns accept those separators and digits; the masked form keeps the first and
last digits in ASCII, without separators.
"""

from __future__ import annotations

import re
from typing import Any

_D = "[0-9０-９]"  # a digit, half- or full-width
_S = "[ \t\u3000\\-－‐—]?"  # at most one separator between digits: space, ideographic space, dashes
_X = "[0-9０-９XxＸｘ]"  # the check character of an ID number
_NOT_BEFORE = "(?<![0-9０-９A-Za-zＡ-Ｚａ-ｚ])"
_NOT_AFTER = "(?![0-9０-９A-Za-zＡ-Ｚａ-ｚ])"

# 18 characters: 17 digits and a digit or X, optionally separated.
_ID_RE = re.compile(_NOT_BEFORE + "(" + _D + "(?:" + _S + _D + "){16}" + _S + _X + ")" + _NOT_AFTER)
# A mainland mobile number (1[3-9] + 9 digits), optionally after +86 / 86 / 0086.
_PHONE_RE = re.compile(
    "(?<![0-9０-９])(?:(?:[+＋]|00)?[8８][6６]" + _S + ")?"
    + "([1１][3-9３-９]" + "(?:" + _S + _D + "){9})" + "(?![0-9０-９])")
_SEPARATORS = re.compile("[^0-9０-９XxＸｘ]")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789XX")
# Fernet tokens (the encrypted numbers kept in slots) are left alone: they are not personal data.
_FERNET_TOKEN = re.compile(r"gAAAAA[A-Za-z0-9_\-]{40,}={0,2}")


def _plain(number: str) -> str:
    """The number's digits in ASCII, separators removed; x becomes X."""
    return _SEPARATORS.sub("", number).translate(_FULL_WIDTH).upper()


def mask_id_number(value: str) -> str:
    """110101199003071234 → 110101********1234."""
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678."""
    return value[:3] + "****" + value[-4:] if len(value) == 11 else "*" * len(value)


def _id_match(m: re.Match[str]) -> str:
    return mask_id_number(_plain(m.group(1)))


def _phone_match(m: re.Match[str]) -> str:
    return mask_phone(_plain(m.group(1)))


def mask_id_numbers(text: str) -> str:
    """Masks every ID number inside free text and leaves the rest, phone numbers included."""
    return _ID_RE.sub(_id_match, text)


def mask_text(text: str) -> str:
    """Masks every ID number and mobile number inside free text."""
    return _PHONE_RE.sub(_phone_match, _ID_RE.sub(_id_match, text))


def _walk(value: Any, mask: Any) -> Any:
    if isinstance(value, str):
        return value if _FERNET_TOKEN.fullmatch(value) else mask(value)
    if isinstance(value, dict):
        return {k: _walk(v, mask) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, mask) for v in value]
    return value


def mask_id_numbers_in(value: Any) -> Any:
    """The same structure (dicts, lists, strings) with every ID number inside its strings masked."""
    return _walk(value, mask_id_numbers)


def mask_text_in(value: Any) -> Any:
    """The same structure with every ID number and mobile number inside its strings masked
    (encrypted values, Fernet tokens, are kept as they are)."""
    return _walk(value, mask_text)


def mask_openid(value: str | None) -> str:
    """oAbCdEfGhIjKlMnOpQrStUvWxYz12 → oAbC…yz12: enough to follow one user through a log."""
    value = value or ""
    return value[:4] + "…" + value[-4:] if len(value) > 12 else "…"
