"""CSV cells that a spreadsheet opens as text, never as a formula (security review M8).

Excel, LibreOffice and WPS run a cell that starts with = + - @ (or a tab or carriage return before
one) as a formula: `=HYPERLINK(...)` leaks data on a click, DDE payloads run programs. Citizen text
reaches our exports (the unanswered questions, application fields), so every cell that starts with
one of these characters gets a leading apostrophe, as OWASP's CSV-injection guidance recommends."""

from __future__ import annotations

from typing import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_rows(rows: Iterable[Iterable[object]]) -> list[list[str]]:
    return [[safe_cell(v) for v in row] for row in rows]
