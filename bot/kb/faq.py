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
MAX_FOLLOWUP_CHARS = 160  # a follow-up answer is one or two sentences; the bot adds the disclaimer

# Whose side of a dispute an entry speaks to. Sides come in pairs: the other party of each side.
# An entry without `side` speaks to both.
SIDE_PAIRS = {
    "worker": "employer", "victim": "driver", "plaintiff": "defendant", "buyer": "seller",
    "accused": "rights_holder", "creditor": "debtor", "patient": "hospital", "tenant": "landlord",
}
OPPOSITE = {**SIDE_PAIRS, **{b: a for a, b in SIDE_PAIRS.items()}}
SIDES = tuple(OPPOSITE)

# The follow-ups citizens ask after an answer, by kind (the Chinese name is what legal staff call it).
FOLLOWUP_KINDS = {
    "deadline": "期限",      # how long does it take, until when can I act
    "documents": "材料",     # what to bring, which evidence to keep
    "cost": "费用",          # what it costs, who pays
    "where": "去哪里",       # which office or court
    "refusal": "对方不配合",  # what if the other side refuses or ignores it
    "other_side": "对方观点",  # what the other party may argue or do
    "contest": "能否争取",    # can I still contest it (a will that leaves me out)
}


@dataclass(frozen=True)
class Citation:
    law: str
    article: str
    quote: str


@dataclass(frozen=True)
class FollowUp:
    kind: str  # one of FOLLOWUP_KINDS
    text: str
    citations: tuple[Citation, ...] = ()


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
    side: str = ""  # one of SIDES; empty = the entry speaks to both parties
    followups: tuple[FollowUp, ...] = ()
    review_flag: str = ""  # why a lawyer must look at it again (e.g. a law renumbered since)
    facts: tuple[tuple[str, bool], ...] = ()  # the decisive facts it is written for (knowledge/retrieval/facts.yml)

    def followup(self, kind: str) -> FollowUp | None:
        return next((f for f in self.followups if f.kind == kind), None)


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
        citations = load_citations(raw["citations"], path.name)
        entries.append(FaqEntry(
            id=_str(raw["id"]), category=category, question=_str(raw["question"]),
            paraphrases=tuple(_str(p) for p in raw["paraphrases"]), answer=_str(raw["answer"]),
            citations=citations, next_step=_str(raw["next_step"]), reviewed_on=_str(raw["reviewed_on"]),
            source=where, side=_str(raw.get("side")), followups=load_followups(raw.get("followups"), where),
            review_flag=_str(raw.get("review_flag")), facts=load_facts(raw.get("facts"), where),
        ))
    return entries


def load_citations(raw: Any, file_name: str) -> tuple[Citation, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise FaqError(f"{file_name}: citations must be a list")
    citations = []
    for c in raw:
        if not isinstance(c, dict) or not all(c.get(k) for k in ("law", "article", "quote")):
            raise FaqError(f"{file_name}:{c.get('__line__', '?') if isinstance(c, dict) else '?'}: "
                           "a citation needs law, article and quote")
        citations.append(Citation(_str(c["law"]), _str(c["article"]), _str(c["quote"])))
    return tuple(citations)


def load_facts(raw: Any, where: str) -> tuple[tuple[str, bool], ...]:
    """`facts: {marriage_registered: true}`; unknown fact names are reported by `kb check`."""
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not all(isinstance(v, bool) for k, v in raw.items() if k != "__line__"):
        raise FaqError(f"{where}: facts must be a mapping fact → true or false")
    return tuple((str(k), bool(v)) for k, v in raw.items() if k != "__line__")


def load_followups(raw: Any, where: str) -> tuple[FollowUp, ...]:
    """`followups: {deadline: {text, citations?}, ...}`; unknown kinds are reported by `kb check`."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise FaqError(f"{where}: followups must be a mapping kind → {{text, citations}}")
    out = []
    for kind, item in raw.items():
        if kind == "__line__":
            continue
        if not isinstance(item, dict) or not item.get("text"):
            raise FaqError(f"{where}: followup '{kind}' needs a text")
        out.append(FollowUp(str(kind), _str(item["text"]), load_citations(item.get("citations"), where)))
    return tuple(out)


def load(faq_dir: Path = FAQ_DIR) -> list[FaqEntry]:
    """Every entry of every category file; raises FaqError on the first malformed file."""
    entries: list[FaqEntry] = []
    for path in sorted(faq_dir.glob("*.yml")):
        entries += load_file(path)
    return entries
