"""Masking of personal data (身份证号, mobile numbers) for logs and views that do not need it."""

from __future__ import annotations

import re
from typing import Any

_ID_RE = re.compile(r"(?<![\dA-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![\dA-Za-z])")
_PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)[ -]?\d{4}[ -]?(\d{4})(?!\d)")


def mask_id_number(value: str) -> str:
    """110101199003071234 → 110101********1234."""
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678."""
    return value[:3] + "****" + value[-4:] if len(value) == 11 else "*" * len(value)


def mask_id_numbers(text: str) -> str:
    """Masks every ID number inside free text and leaves the rest, phone numbers included."""
    return _ID_RE.sub(lambda m: m.group(1) + "*" * 8 + m.group(2), text)


def mask_id_numbers_in(value: Any) -> Any:
    """The same structure (dicts, lists, strings) with every ID number inside its strings masked."""
    if isinstance(value, str):
        return mask_id_numbers(value)
    if isinstance(value, dict):
        return {k: mask_id_numbers_in(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_id_numbers_in(v) for v in value]
    return value


def mask_text(text: str) -> str:
    """Masks every ID number and mobile number inside free text."""
    text = _ID_RE.sub(lambda m: m.group(1) + "*" * 8 + m.group(2), text)
    return _PHONE_RE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


def mask_openid(value: str | None) -> str:
    """oAbCdEfGhIjKlMnOpQrStUvWxYz12 → oAbC…yz12: enough to follow one user through a log."""
    value = value or ""
    return value[:4] + "…" + value[-4:] if len(value) > 12 else "…"
