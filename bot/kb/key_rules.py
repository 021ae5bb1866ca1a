"""The key rules per category (knowledge/key_rules.yml): what a good 12348 lawyer never forgets,
each with its article and the FAQ entry that carries it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.kb.faq import Citation
from bot.paths import KNOWLEDGE

KEY_RULES = KNOWLEDGE / "key_rules.yml"


@dataclass(frozen=True)
class KeyRule:
    category: str
    rule: str
    citation: Citation
    entry: str  # the FAQ entry id that states it
    question: str  # a plain question from which retrieval must reach the entry


def load(path: Path = KEY_RULES) -> list[KeyRule]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [KeyRule(category, str(r["rule"]), Citation(str(r["law"]), str(r["article"]), str(r["quote"])),
                    str(r["entry"]), str(r["question"]))
            for category, rules in data["categories"].items() for r in rules]


def problems(rules: list[KeyRule], entry_ids: set[str], categories: tuple[str, ...],
             entry_citations: dict[str, set[tuple[str, str]]]) -> list[str]:
    """Structure: every category has a rule; each rule's entry exists and cites the rule's article."""
    out = []
    for category in categories:
        if not any(r.category == category for r in rules):
            out.append(f"key_rules.yml: category {category} has no key rule")
    for r in rules:
        if r.entry not in entry_ids:
            out.append(f"key_rules.yml: {r.category} rule '{r.rule}' names unknown entry {r.entry}")
        elif (r.citation.law, r.citation.article) not in entry_citations[r.entry]:
            out.append(f"key_rules.yml: {r.entry} does not cite {r.citation.law} {r.citation.article}")
    return out
