"""FAQ entries (knowledge/faq/<category>.yml), loaded with the line each entry starts on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.paths import KNOWLEDGE

FAQ_DIR = KNOWLEDGE / "faq"
NEXT_STEPS = ("aid", "mediation", "human", "none")
MAX_ANSWER_CHARS = 350
MIN_PARAPHRASES = 4
DISCLAIMER_MARK = "仅供参考"  # every answer ends with a sentence carrying it


@dataclass(frozen=True)
class Citation:
    law: str
    article: str
    quote: str


@dataclass(frozen=True)
class FaqEntry:
    id: str
    category: str
    question: str
    paraphrases: tuple[str, ...]
    answer: str
    citations: tuple[Citation, ...]
    next_step: str
    reviewed_on: str
    source: str = field(default="", compare=False)  # file:line, for error messages


class FaqError(ValueError):
    """A malformed FAQ file; the message names the file and line."""


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


def _str(value: Any) -> str:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value or "").strip()


def load_file(path: Path) -> list[FaqEntry]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path.name}:{mark.line + 1}" if mark else path.name
        raise FaqError(f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise FaqError(f"{path.name}:1: expected a mapping with 'category' and a list 'entries'")
    category = _str(data.get("category"))
    entries = []
    for raw in data["entries"]:
        where = f"{path.name}:{raw.get('__line__', '?') if isinstance(raw, dict) else '?'}"
        if not isinstance(raw, dict):
            raise FaqError(f"{where}: an entry must be a mapping")
        missing = [k for k in ("id", "question", "paraphrases", "answer", "citations", "next_step", "reviewed_on")
                   if not raw.get(k)]
        if missing:
            raise FaqError(f"{where}: entry {raw.get('id', '?')} lacks {', '.join(missing)}")
        if not isinstance(raw["paraphrases"], list) or not isinstance(raw["citations"], list):
            raise FaqError(f"{where}: paraphrases and citations must be lists")
        citations = []
        for c in raw["citations"]:
            if not isinstance(c, dict) or not all(c.get(k) for k in ("law", "article", "quote")):
                raise FaqError(f"{path.name}:{c.get('__line__', '?') if isinstance(c, dict) else '?'}: "
                               "a citation needs law, article and quote")
            citations.append(Citation(_str(c["law"]), _str(c["article"]), _str(c["quote"])))
        entries.append(FaqEntry(
            id=_str(raw["id"]), category=category, question=_str(raw["question"]),
            paraphrases=tuple(_str(p) for p in raw["paraphrases"]), answer=_str(raw["answer"]),
            citations=tuple(citations), next_step=_str(raw["next_step"]), reviewed_on=_str(raw["reviewed_on"]),
            source=where,
        ))
    return entries


def load(faq_dir: Path = FAQ_DIR) -> list[FaqEntry]:
    """Every entry of every category file; raises FaqError on the first malformed file."""
    entries: list[FaqEntry] = []
    for path in sorted(faq_dir.glob("*.yml")):
        entries += load_file(path)
    return entries
