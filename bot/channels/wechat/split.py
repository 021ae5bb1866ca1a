"""Splitting long answers at WeChat's text limits without cutting inside a citation.

WeChat counts a text message's Content in UTF-8 bytes: 2,048 for a passive reply (被动回复) and, as
measured by developers (errcode 45002 "content size out of limit"), 2,048 for a customer-service
message (客服消息). A Chinese character is 3 bytes, so a chunk holds about 680 characters.

Cuts are made at the weakest boundary that fits: a line break, then a sentence end, then a clause
mark, then (only for a run of text with none of those) between characters. A citation such as
《劳动合同法》第三十条第二款 is never cut, nor a whole "法律依据：…" line when it fits in one chunk.
"""

from __future__ import annotations

import re

PASSIVE_REPLY_LIMIT = 2048  # bytes of <Content> in a passive text reply
CUSTOMER_SERVICE_LIMIT = 2048  # bytes of text.content in /cgi-bin/message/custom/send

_NUM = "零〇一二三四五六七八九十百千万0-9"
CITATION = re.compile(rf"《[^《》\n]{{1,80}}》(?:第[{_NUM}]+条(?:之[{_NUM}]+)?(?:第[{_NUM}]+[款项])*)?")
# Boundaries from strongest to weakest; each keeps its mark at the end of the piece before it.
_LEVELS = (re.compile(r"\n+"), re.compile(r"[。！？；!?;]+[”’」』）)]*"), re.compile(r"[，、：,:]+"))


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def _protected(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in CITATION.finditer(text)]


def _cut_points(text: str, level: re.Pattern[str], spans: list[tuple[int, int]]) -> list[int]:
    return [m.end() for m in level.finditer(text)
            if m.end() < len(text) and not any(a < m.end() < b for a, b in spans)]


def _atoms(text: str, limit: int, depth: int = 0) -> list[str]:
    """Pieces of `text`, each within `limit` bytes unless it is one citation longer than that."""
    if size(text) <= limit:
        return [text]
    spans = _protected(text)
    if depth < len(_LEVELS):
        points = _cut_points(text, _LEVELS[depth], spans)
        if points:
            bounds = [0, *points, len(text)]
            out: list[str] = []
            for a, b in zip(bounds, bounds[1:]):
                out += _atoms(text[a:b], limit, depth + 1)
            return out
        return _atoms(text, limit, depth + 1)
    # No boundary left: single characters, with each citation kept whole.
    out, i = [], 0
    for a, b in spans:
        out += list(text[i:a])
        out.append(text[a:b])
        i = b
    return out + list(text[i:])


def split_text(text: str, limit: int = PASSIVE_REPLY_LIMIT) -> list[str]:
    """`text` in chunks of at most `limit` UTF-8 bytes, in order; empty text gives no chunk."""
    text = text.strip()
    if not text:
        return []
    chunks: list[str] = []
    current = ""
    for atom in _atoms(text, limit):
        if current and size(current + atom) > limit:
            chunks.append(current)
            current = atom.lstrip("\n")
        else:
            current += atom
    chunks.append(current)
    return [c.strip() for c in chunks if c.strip()]
