"""How an FAQ entry is shown to a citizen: the answer, its legal basis and the next-step buttons.

The wording is data: the basis line and the cited articles' layout in knowledge/answer.yml, the buttons
in knowledge/next_steps.yml. Each loader takes its file (the shipped one by default) and each function
takes what was loaded, so another wording can be passed in (style review 2026-12-01, L4 and L12).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.kb.faq import Citation, FaqEntry
from bot.kb.statutes import short_title
from bot.paths import KNOWLEDGE

TEXTS_FILE = KNOWLEDGE / "answer.yml"
NEXT_STEPS_FILE = KNOWLEDGE / "next_steps.yml"

Buttons = dict[str, list[dict[str, str]]]


@dataclass(frozen=True)
class Texts:
    """The templates of knowledge/answer.yml (Python format strings)."""

    citation: str  # {law} {article}
    basis: str  # {citations}
    separator: str
    article: str  # {law} {article} {text}


@lru_cache(maxsize=4)
def load_texts(path: Path = TEXTS_FILE) -> Texts:
    """The templates from `path` (the shipped file by default)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Texts(citation=data["citation"], basis=data["basis"], separator=data["separator"],
                 article=data["article"])


@lru_cache(maxsize=4)
def load_buttons(path: Path = NEXT_STEPS_FILE) -> Buttons:
    """The buttons by next step, and those `always` offered, from `path` (the shipped file by default)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def basis(entry: FaqEntry, texts: Texts | None = None) -> str:
    """法律依据：《劳动合同法》第三十条；《劳动争议调解仲裁法》第二十七条"""
    return basis_of(entry.citations, texts)


def basis_of(citations: tuple[Citation, ...], texts: Texts | None = None) -> str:
    """The 法律依据 line for a list of citations; empty when there are none. Repeats are named once."""
    return basis_line(((short_title(c.law), c.article) for c in citations), texts)


def basis_line(cited: Iterable[tuple[str, str]], texts: Texts | None = None) -> str:
    """The 法律依据 line for (law as named, article) pairs; empty when there are none. Repeats are named
    once. The console's assist names each law in full."""
    t = load_texts() if texts is None else texts
    seen = list(dict.fromkeys(t.citation.format(law=law, article=article) for law, article in cited))
    return t.basis.format(citations=t.separator.join(seen)) if seen else ""


def article_texts(entry: FaqEntry, shipped: dict[str, dict[str, str]], texts: Texts | None = None) -> list[str]:
    """The full text of every cited article, as "《劳动合同法》第三十条：…"."""
    t = load_texts() if texts is None else texts
    out = []
    for c in entry.citations:
        text = shipped.get(c.law, {}).get(c.article)
        if text:
            out.append(t.article.format(law=short_title(c.law), article=c.article, text=text))
    return out


def buttons(next_step: str, with_articles: bool = True, table: Buttons | None = None) -> list[dict[str, str]]:
    """The buttons after an answer whose entry leads to `next_step` (from `table`, else the shipped file)."""
    data = load_buttons() if table is None else table
    always = [b for b in data["always"] if with_articles or b["payload"] != "/show_articles"]
    return list(data.get(next_step) or []) + always
