"""Application reference numbers: FY-2026-000123-5. The last character is an ISO 7064 MOD 11-2
check character over the year and serial, so a mistyped number is caught before any lookup."""

from __future__ import annotations

import re

_CHARS = "0123456789X"
_RE = re.compile(r"^FY-(\d{4})-(\d{6})-([0-9X])$")
# As citizens type it: any case, dashes or spaces optional ("fy 2026 000123 5").
_IN_TEXT_RE = re.compile(r"(?<![A-Za-z])FY[\s-]*(\d{4})[\s-]*(\d{6})[\s-]*([0-9Xx])(?![0-9A-Za-z])", re.IGNORECASE)


def check_character(digits: str) -> str:
    total = 0
    for d in digits:
        total = (total + int(d)) * 2 % 11
    return _CHARS[(12 - total) % 11]


def make(year: int, serial: int) -> str:
    body = f"{year:04d}{serial:06d}"
    return f"FY-{year:04d}-{serial:06d}-{check_character(body)}"


def is_valid(reference: str) -> bool:
    m = _RE.match((reference or "").strip().upper())
    return m is not None and check_character(m.group(1) + m.group(2)) == m.group(3)


def normalise(reference: str) -> str:
    return (reference or "").strip().upper()


def find(text: str) -> tuple[str, int, int] | None:
    """The first reference written in `text`, normalised, with its span; None when there is none."""
    m = _IN_TEXT_RE.search(text or "")
    if not m:
        return None
    return f"FY-{m.group(1)}-{m.group(2)}-{m.group(3).upper()}", m.start(), m.end()
