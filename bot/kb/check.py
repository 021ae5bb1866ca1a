"""`hotline kb check`: everything that must hold before an FAQ base may answer citizens."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import yaml

from bot import taxonomy
from bot.kb import facts as facts_mod
from bot.kb import faq as faq_mod
from bot.kb.statutes import STATUTES_DIR, comparable, load_shipped, short_title
from bot.normalize import normalize

MIN_ENTRIES_PER_CATEGORY = 8
NEAR_DUPLICATE = 0.8  # Jaccard similarity of character bigrams
# Laws revised with a new numbering the reference texts do not have: name them, cite no article.
UNNUMBERED_LAWS = {
    "治安管理处罚法": "revised 2025 with new numbering not in the reference texts; name the law without an "
                 "article number and set review_flag",
}


def _bigrams(text: str) -> set[str]:
    t = comparable(normalize(text)).rstrip("?？。")
    return {t[i : i + 2] for i in range(len(t) - 1)} or {t}


def _similar(a: str, b: str) -> float:
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / len(x | y)


def citation_problems(where: str, citations: tuple[faq_mod.Citation, ...],
                      statutes: dict[str, dict[str, str]]) -> list[str]:
    """Every quote word for word in the shipped article it names."""
    problems = []
    for c in citations:
        if short_title(c.law) in UNNUMBERED_LAWS:
            problems.append(f"{where} cites {c.law} {c.article}: {UNNUMBERED_LAWS[short_title(c.law)]}")
            continue
        text = statutes.get(c.law, {}).get(c.article)
        if text is None:
            problems.append(f"{where} cites {c.law} {c.article}, which is not a shipped article")
        elif comparable(c.quote) not in comparable(text):
            problems.append(f"{where} quote is not word for word in {c.law} {c.article}")
    return problems


def followup_problems(where: str, f: faq_mod.FollowUp, statutes: dict[str, dict[str, str]]) -> list[str]:
    problems = []
    if f.kind not in faq_mod.FOLLOWUP_KINDS:
        problems.append(f"{where} followup '{f.kind}' not one of {', '.join(faq_mod.FOLLOWUP_KINDS)}")
    if len(f.text) > faq_mod.MAX_FOLLOWUP_CHARS:
        problems.append(f"{where} followup {f.kind} has {len(f.text)} characters (max {faq_mod.MAX_FOLLOWUP_CHARS})")
    return problems + citation_problems(f"{where} followup {f.kind}", f.citations, statutes)


def category_followups_check(statutes: dict[str, dict[str, str]]) -> list[str]:
    """knowledge/followups.yml: every category answers the common follow-ups, quotes word for word."""
    from bot.kb import followup

    try:
        data = followup.load_category_followups()
    except (faq_mod.FaqError, OSError, yaml.YAMLError) as exc:
        return [f"followups.yml: {exc}"]
    problems = followup.category_followup_problems(data, tuple(taxonomy.CATEGORIES))
    for category, kinds in data.followups.items():
        for f in kinds.values():
            problems += followup_problems(f"followups.yml: {category}", f, statutes)
    return problems


def steps_check(entries: list[faq_mod.FaqEntry]) -> list[str]:
    """knowledge/followups.yml `steps`: each names an entry of its own category."""
    from bot.kb import followup

    try:
        data = followup.load_category_followups()
    except (faq_mod.FaqError, OSError, yaml.YAMLError, re.error) as exc:
        return [f"followups.yml: {exc}"]
    return followup.step_problems(data, {e.id: e.category for e in entries})


def key_rules_check(entries: list[faq_mod.FaqEntry], statutes: dict[str, dict[str, str]]) -> list[str]:
    """knowledge/key_rules.yml: a rule per category, each quoted word for word and carried by an entry."""
    from bot.kb import key_rules

    try:
        rules = key_rules.load()
    except (OSError, KeyError, TypeError, yaml.YAMLError) as exc:
        return [f"key_rules.yml: {exc}"]
    cited = {e.id: {(c.law, c.article) for c in e.citations} for e in entries}
    problems = key_rules.problems(rules, set(cited), tuple(taxonomy.CATEGORIES), cited)
    for r in rules:
        problems += citation_problems(f"key_rules.yml: {r.category} '{r.rule}'", (r.citation,), statutes)
    return problems


def check(faq_dir: Path = faq_mod.FAQ_DIR, statutes_dir: Path = STATUTES_DIR) -> list[str]:
    """Returns the problems found, each naming the file and line; empty when the base is sound."""
    problems: list[str] = []
    files = sorted(faq_dir.glob("*.yml"))
    entries: list[faq_mod.FaqEntry] = []
    for path in files:
        try:
            loaded = faq_mod.load_file(path)
        except faq_mod.FaqError as exc:
            problems.append(str(exc))
            continue
        if path.stem not in taxonomy.CATEGORIES:
            problems.append(f"{path.name}:1: '{path.stem}' is not a taxonomy category")
        for e in loaded:
            if e.category != path.stem:
                problems.append(f"{e.source}: category '{e.category}' does not match the file name")
        entries += loaded
    statutes = load_shipped(statutes_dir)

    for dup, n in Counter(e.id for e in entries).items():
        if n > 1:
            problems.append(f"id {dup} is used {n} times")
    for e in entries:
        if not e.id.startswith(f"{e.category}-"):
            problems.append(f"{e.source}: id {e.id} should start with '{e.category}-'")
        if len(e.answer) > faq_mod.MAX_ANSWER_CHARS:
            problems.append(f"{e.source}: {e.id} answer has {len(e.answer)} characters (max {faq_mod.MAX_ANSWER_CHARS})")
        last_sentence = e.answer.rstrip("。").rsplit("。", 1)[-1]
        if faq_mod.DISCLAIMER_MARK not in last_sentence:
            problems.append(f"{e.source}: {e.id} answer does not end with the disclaimer ({faq_mod.DISCLAIMER_MARK}…)")
        if len(set(e.paraphrases)) < faq_mod.MIN_PARAPHRASES:
            problems.append(f"{e.source}: {e.id} has fewer than {faq_mod.MIN_PARAPHRASES} paraphrases")
        if e.next_step not in faq_mod.NEXT_STEPS:
            problems.append(f"{e.source}: {e.id} next_step '{e.next_step}' not one of {faq_mod.NEXT_STEPS}")
        problems += citation_problems(f"{e.source}: {e.id}", e.citations, statutes)
        unknown_facts = [name for name, _ in e.facts if name not in facts_mod.load()]
        if unknown_facts:
            problems.append(f"{e.source}: {e.id} facts {unknown_facts} not in {facts_mod.FACTS_FILE.name}")
        if e.side and e.side not in faq_mod.SIDES:
            problems.append(f"{e.source}: {e.id} side '{e.side}' not one of {', '.join(faq_mod.SIDES)}")
        for f in e.followups:
            problems += followup_problems(f"{e.source}: {e.id}", f, statutes)

    # Near-duplicate questions across entries make retrieval ambiguous and answers inconsistent.
    for i, a in enumerate(entries):
        for b in entries[i + 1 :]:
            score = _similar(a.question, b.question)
            if score >= NEAR_DUPLICATE:
                problems.append(f"{b.source}: {b.id} question duplicates {a.id} ({score:.2f})")

    problems += category_followups_check(statutes)
    problems += steps_check(entries)
    problems += key_rules_check(entries, statutes)

    counts = Counter(e.category for e in entries)
    for category in taxonomy.CATEGORIES:
        if counts[category] < MIN_ENTRIES_PER_CATEGORY:
            problems.append(f"{category}.yml: {counts[category]} entries (at least {MIN_ENTRIES_PER_CATEGORY})")
    return problems
