"""Whose side of a dispute a message reveals (我被告了 → defendant, 我撞了人 → driver), from the cues in
knowledge/retrieval/sides.yml, and whether the best answers differ by side (then the bot asks)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from bot.kb.faq import OPPOSITE, SIDES, FaqEntry
from bot.normalize import normalize
from bot.paths import KNOWLEDGE

SIDES_FILE = KNOWLEDGE / "retrieval" / "sides.yml"


@dataclass(frozen=True)
class SideCues:
    patterns: dict[str, tuple[re.Pattern[str], ...]]
    question: str  # asked when the side is unclear
    labels: dict[str, str]  # side → button title (我是劳动者)
    also: dict[str, frozenset[str]] = field(default_factory=dict)  # side → the sides it also makes the writer
    same_law: dict[str, frozenset[frozenset[str]]] = field(default_factory=dict)  # category → pairs not asked
    assumed: frozenset[str] = frozenset()  # answered without asking when a pair's side is untold


@lru_cache(maxsize=4)
def load(path: Path = SIDES_FILE) -> SideCues:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    also = {side: frozenset(more) for side, more in (data.get("also") or {}).items()}
    same_law = {category: frozenset(frozenset(pair) for pair in pairs)
                for category, pairs in (data.get("same_law") or {}).items()}
    named = set(data["cues"]) | set(data["labels"]) | set(also) | {s for m in also.values() for s in m}
    named |= {s for pairs in same_law.values() for pair in pairs for s in pair}
    assumed = frozenset(data.get("assumed") or ())
    named |= assumed
    unknown = named - set(SIDES)
    if unknown:
        raise ValueError(f"{path.name}: unknown sides {sorted(unknown)}")
    bad_pairs = [sorted(p) for pairs in same_law.values() for p in pairs if len(p) != 2 or OPPOSITE[min(p)] != max(p)]
    if bad_pairs:
        raise ValueError(f"{path.name}: same_law pairs must be the two sides of one dispute: {bad_pairs}")
    patterns = {side: tuple(re.compile(p) for p in cues) for side, cues in data["cues"].items()}
    return SideCues(patterns, str(data["question"]), dict(data["labels"]), also, same_law, assumed)


def detect(text: str, cues: SideCues | None = None) -> frozenset[str]:
    """The sides the writer shows they are on; empty when the message does not tell."""
    cues = cues or load()
    t = normalize(text or "")
    found = {side for side, pats in cues.patterns.items() if any(p.search(t) for p in pats)}
    # A side button's payload starts with its label ("我是欠钱的一方，…"), whatever the cues say of its words.
    found |= {side for side, label in cues.labels.items() if t.startswith(normalize(label))}
    return frozenset(found.union(*(cues.also.get(side, ()) for side in found)))


def detect_in(texts: Iterable[str], cues: SideCues | None = None) -> frozenset[str]:
    """The sides the writer showed in any of the conversation's earlier messages."""
    return frozenset().union(*(detect(t, cues) for t in texts))


def asked_by_law(category: str, pair: tuple[str, str], cues: SideCues | None = None) -> bool:
    """Whether the law differs for the two sides of this pair in this category (False: the two parties
    are the same kind of person there, e.g. the two spouses of a divorce, and the bot does not ask)."""
    cues = cues or load()
    return frozenset(pair) not in cues.same_law.get(category, frozenset())


def differing(entries: Iterable[FaqEntry]) -> tuple[str, str] | None:
    """The pair of sides when the given (confident) answers include entries written for both parties
    of one dispute, first side first; None when the answers do not depend on the side."""
    seen: list[str] = [e.side for e in entries if e.side]
    for i, a in enumerate(seen):
        if OPPOSITE[a] in seen[i + 1 :]:
            return a, OPPOSITE[a]
    return None


def assumed(pair: tuple[str, str], cues: SideCues | None = None) -> str | None:
    """The side of the pair a citizen calling the hotline is on unless they say otherwise (the worker, the
    patient), or None when either is as likely and the bot asks."""
    cues = cues or load()
    return next((s for s in pair if s in cues.assumed), None)


def side_question(pair: tuple[str, str], question: str, cues: SideCues | None = None) -> list[dict[str, str]]:
    """Buttons for "which side are you on": each sends the side's label followed by the question, so
    the next turn reveals the side and keeps the topic (payloads are plain text, not intents)."""
    cues = cues or load()
    q = (question or "").strip()[:120]
    return [{"title": cues.labels[s], "payload": f"{cues.labels[s]}，{q}" if q else cues.labels[s]} for s in pair]
