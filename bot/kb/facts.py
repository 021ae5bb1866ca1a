"""Facts that decide which of two answers is the law for a citizen's case (领了证 or not, a child under
eight or not), from the cues in knowledge/retrieval/facts.yml. An entry written for one value of a fact
(knowledge/faq `facts`) is never the answer for a citizen who told the other."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.normalize import normalize
from bot.paths import KNOWLEDGE

FACTS_FILE = KNOWLEDGE / "retrieval" / "facts.yml"


@dataclass(frozen=True)
class Fact:
    name: str
    true: tuple[re.Pattern[str], ...]
    false: tuple[re.Pattern[str], ...]
    both: bool | None  # the value when both kinds of cue match one message; None: nothing certain


@lru_cache(maxsize=4)
def load(path: Path = FACTS_FILE) -> dict[str, Fact]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    facts = {}
    for name, raw in data["facts"].items():
        both = raw.get("both", "unknown")
        if both not in (True, False, "unknown"):
            raise ValueError(f"{path.name}: {name}: both must be true, false or unknown")
        facts[name] = Fact(name, tuple(re.compile(p) for p in raw[True]), tuple(re.compile(p) for p in raw[False]),
                           None if both == "unknown" else bool(both))
    return facts


def detect(text: str, facts: Mapping[str, Fact] | None = None) -> dict[str, bool]:
    """The facts one message tells, by name."""
    t = normalize(text or "")
    told: dict[str, bool] = {}
    for fact in (facts or load()).values():
        yes = any(p.search(t) for p in fact.true)
        no = any(p.search(t) for p in fact.false)
        value = fact.both if yes and no else (yes if yes or no else None)
        if value is not None:
            told[fact.name] = value
    return told


def told(messages: Iterable[str], facts: Mapping[str, Fact] | None = None) -> dict[str, bool]:
    """The facts a conversation's messages tell, oldest first: a later message that tells a fact again wins."""
    found: dict[str, bool] = {}
    for message in messages:
        found.update(detect(message, facts))
    return found


def contradicts(entry_facts: Mapping[str, bool], known: Mapping[str, bool]) -> bool:
    """Whether an entry written for some facts is wrong for a case whose facts are `known`."""
    return any(name in known and known[name] != value for name, value in entry_facts.items())
