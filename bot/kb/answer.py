"""How an FAQ entry is shown to a citizen: the answer, its legal basis and the next-step buttons."""

from __future__ import annotations

from functools import lru_cache

import yaml

from bot.kb.faq import Citation, FaqEntry
from bot.kb.statutes import short_title
from bot.paths import KNOWLEDGE


def basis(entry: FaqEntry) -> str:
    """法律依据：《劳动合同法》第三十条；《劳动争议调解仲裁法》第二十七条"""
    return basis_of(entry.citations)


def basis_of(citations: tuple[Citation, ...]) -> str:
    """The 法律依据 line for a list of citations; empty when there are none. Repeats are named once."""
    seen = list(dict.fromkeys(f"《{short_title(c.law)}》{c.article}" for c in citations))
    return f"法律依据：{'；'.join(seen)}" if seen else ""


def article_texts(entry: FaqEntry, shipped: dict[str, dict[str, str]]) -> list[str]:
    """The full text of every cited article, as "《劳动合同法》第三十条：…"."""
    out = []
    for c in entry.citations:
        text = shipped.get(c.law, {}).get(c.article)
        if text:
            out.append(f"《{short_title(c.law)}》{c.article}：{text}")
    return out


@lru_cache(maxsize=1)
def _buttons() -> dict[str, list[dict[str, str]]]:
    return yaml.safe_load((KNOWLEDGE / "next_steps.yml").read_text(encoding="utf-8"))


def buttons(next_step: str, with_articles: bool = True) -> list[dict[str, str]]:
    data = _buttons()
    always = [b for b in data["always"] if with_articles or b["payload"] != "/show_articles"]
    return list(data.get(next_step) or []) + always
