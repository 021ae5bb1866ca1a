"""How agent assist is laid out for the agent (console review B5): best score first, low scores marked,
limited to the ticket's category unless asked, and an answer ready to insert, without the FAQ's
"以上仅供参考…" boilerplate (the agent speaks for themselves; the citations stay). Pure functions."""

from __future__ import annotations

import re
from typing import Any, Iterable

from bot.kb import answer

CANDIDATES = 10  # retrieved before keeping the ticket's category
SHOWN = 3

# The FAQ answers' closing disclaimer, a sentence of its own ("以上仅供参考，…法律援助中心。").
_DISCLAIMER = re.compile(r"[（(]?以上(内容|信息|解答)?仅供参考[^。]*。?[)）]?\s*$")


def strip_disclaimer(answer: str) -> str:
    return _DISCLAIMER.sub("", (answer or "").rstrip()).rstrip()


def basis(citations: Iterable[dict[str, Any]]) -> str:
    """The 法律依据 line, each article once (one FAQ answer cited the same article twice), worded as the
    bot's (knowledge/answer.yml) but with each law's full title."""
    return answer.basis_line((c["law"], c["article"]) for c in citations)


def arrange(suggestions: list[dict[str, Any]], category_of: dict[str, str], category: str | None,
            threshold: float, shown: int = SHOWN) -> list[dict[str, Any]]:
    """Sorted by score (highest first), in `category` only when one is given, each marked `low` below
    the bot's own answer threshold and carrying `insert_text` (answer without disclaimer + basis)."""
    kept = [s for s in suggestions if category is None or category_of.get(s["faq_id"]) == category]
    out = []
    for s in sorted(kept, key=lambda s: -s["score"])[:shown]:
        line = basis(s.get("citations") or [])
        text = strip_disclaimer(s["answer"])
        out.append({**s, "low": s["score"] < threshold, "basis": line,
                    "insert_text": text + ("\n" + line if line else "")})
    return out
