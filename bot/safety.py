"""Safety signals in a citizen's message, in two tiers, independent of the statistical classifier.

- `crisis`: imminent danger to the writer or someone with them (self-harm intent, violence or a threat in
  progress, abuse at home happening now). Only this tier runs the crisis flow.
- `concern`: harm in the past, about someone else, or a weak signal. The legal answer is given as usual,
  with one line naming the relevant number.

A crisis missed is far worse than a false alarm, but a legal question sent to crisis handling gets no
answer at all; so a crisis needs a specific phrase, and its context (negation, past, someone else, a
question about the law) can lower it to a concern. The phrases and the context are reviewable data in
knowledge/safety/crisis_patterns.yml; the end of crisis mode in knowledge/safety/crisis_mode.yml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import yaml

from bot.normalize import normalize
from bot.paths import KNOWLEDGE

PATTERNS_FILE = KNOWLEDGE / "safety" / "crisis_patterns.yml"
MODE_FILE = KNOWLEDGE / "safety" / "crisis_mode.yml"

CRISIS: Final = "crisis"
CONCERN: Final = "concern"
TIERS: Final = (CRISIS, CONCERN)
# The NLU intent ScopeGuard gives a concern that the classifier would turn away or not understand
# ("我同学想自杀，我该怎么劝"): the number and an invitation, instead of "超出范围" or "没有理解".
CONCERN_INTENT: Final = "safety_concern"

# Kinds. A crisis is one of the first four; a concern may also be past violence or a threat.
SELF_HARM: Final = "self_harm"
HARM_OTHERS: Final = "harm_others"  # the writer means to hurt someone
VIOLENCE_NOW: Final = "violence_now"  # violence or a threat against the writer or someone with them, now
DOMESTIC_ABUSE: Final = "domestic_abuse"  # violence_now by family or a partner; as a concern, any abuse at home
VIOLENCE: Final = "violence"  # concern only: violence in the past
THREAT: Final = "threat"  # concern only: a threat asked about as a legal matter

_BLANK = "□"  # stands in for a masked false friend; matches no pattern
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
_CLAUSE_END = re.compile(r"[。！？!?；;\n，,、 ]")
_NEGATION_WINDOW = 5
_SUFFIX_WINDOW = 4
_FIRST_PERSON = re.compile(r"[我俺]")


@dataclass(frozen=True)
class Signal:
    tier: str  # crisis | concern
    kind: str  # self_harm | harm_others | violence_now | domestic_abuse | violence | threat
    phrase: str  # the words that triggered it, as written after normalisation

    @property
    def is_crisis(self) -> bool:
        return self.tier == CRISIS

    def as_dict(self) -> dict[str, str]:
        return {"tier": self.tier, "kind": self.kind, "phrase": self.phrase}


@dataclass(frozen=True)
class Rules:
    crisis: tuple[tuple[str, re.Pattern[str]], ...]
    concern: tuple[tuple[str, re.Pattern[str]], ...]
    false_friends: re.Pattern[str]
    context: dict[str, re.Pattern[str]]
    safe: re.Pattern[str]
    not_yet: re.Pattern[str]


def _compile_kinds(data: dict[str, list[str]]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((kind, re.compile(p)) for kind, pats in data.items() for p in pats)


def _union(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


@lru_cache(maxsize=4)
def load_rules(patterns: Path = PATTERNS_FILE, mode_file: Path = MODE_FILE) -> Rules:
    """The patterns from these files (the shipped ones by default); `assess(…, rules=…)` takes others."""
    data: dict[str, Any] = yaml.safe_load(patterns.read_text(encoding="utf-8"))
    mode: dict[str, Any] = yaml.safe_load(mode_file.read_text(encoding="utf-8"))
    return Rules(
        crisis=_compile_kinds(data["crisis"]),
        concern=_compile_kinds(data["concern"]),
        false_friends=_union(data["false_friends"]),
        context={name: re.compile(p) for name, p in data["context"].items()},
        safe=_union(mode["safe"]),
        not_yet=_union(mode["not_yet"]),
    )


def _mask(text: str, rules: Rules) -> str:
    """Blanks everyday idioms ("笑死了", "打官司", "杀价") so that no pattern sees their characters."""
    return rules.false_friends.sub(lambda m: _BLANK * len(m.group()), text)


def _bounds(text: str, start: int, end: int, boundary: re.Pattern[str]) -> tuple[int, int]:
    """The span of the sentence (or clause) around text[start:end]."""
    left = max((m.end() for m in boundary.finditer(text, 0, start)), default=0)
    right_match = boundary.search(text, end)
    return left, right_match.start() if right_match else len(text)


def _negated(text: str, start: int, rules: Rules) -> bool:
    return bool(rules.context["negation"].search(text[max(0, start - _NEGATION_WINDOW):start]))


def _judge(text: str, match: re.Match[str], kind: str, rules: Rules) -> tuple[str, str] | None:
    """(tier, kind) for one crisis-pattern match in its context; None when negated."""
    ctx = rules.context
    start, end = match.span()
    if _negated(text, start, rules):
        return None
    s_left, _ = _bounds(text, start, end, _SENTENCE_END)
    c_left, c_right = _bounds(text, start, end, _CLAUSE_END)
    clause = text[c_left:c_right]
    before_in_sentence = text[s_left:start]
    now = bool(ctx["now"].search(text))
    legal = bool(ctx["legal_question"].search(text))
    if kind == VIOLENCE_NOW and ctx["family"].search(before_in_sentence):
        kind = DOMESTIC_ABUSE
    # Told as history: right after the match ("割腕过", "砍了一刀"), or in this clause with nothing there
    # saying it is happening now ("去年他在打我的时候" but not "去年打过我，现在又在打我").
    violence = kind in (VIOLENCE_NOW, DOMESTIC_ABUSE)
    told_as_history = ctx["past"].search(clause) or (violence and ctx["habit"].search(clause))
    if ctx["past_suffix"].search(text[end:end + _SUFFIX_WINDOW]) or (told_as_history and not ctx["now"].search(clause)):
        return CONCERN, _concern_kind(kind)
    # Violence told as a story ("2019年我在工地干活，工头拿着刀追着我砍"): a past marker earlier in the
    # sentence counts too. Not for an intent ("去年就欠着工资，我不想活了" is a crisis now).
    if violence and ctx["past"].search(before_in_sentence) and not ctx["now"].search(clause):
        return CONCERN, _concern_kind(kind)
    if kind in (SELF_HARM, HARM_OTHERS):
        # Said of someone else ("我朋友说想自杀") is a concern, unless it is happening now and is not a
        # question about the law ("他说他不想活了…在法律上怎么解决").
        clause_before = text[c_left:start]
        # The subject is often named in an earlier clause ("我妈被骗了，气得要跳楼") when this one has none.
        subject_before = before_in_sentence if not _FIRST_PERSON.search(clause_before) else clause_before
        if ctx["third_party"].search(subject_before) or ctx["third_party_speech"].search(before_in_sentence):
            if not now or legal:
                return CONCERN, _concern_kind(kind)
        # "如果我自杀了保险赔吗": a hypothetical asked as a legal question.
        if legal and ctx["hypothetical"].search(before_in_sentence):
            return CONCERN, _concern_kind(kind)
        return CRISIS, kind
    # Violence or a threat: a legal question about it, with nothing saying it is happening now.
    if legal and not now:
        return CONCERN, THREAT if kind == VIOLENCE_NOW else _concern_kind(kind)
    return CRISIS, kind


def _concern_kind(kind: str) -> str:
    return {VIOLENCE_NOW: VIOLENCE, HARM_OTHERS: THREAT}.get(kind, kind)


def assess(text: str, rules: Rules | None = None) -> Signal | None:
    """The strongest safety signal in `text` (raw or normalised), or None.

    The first crisis found wins; otherwise the first concern (a lowered crisis match first, then the
    concern phrases)."""
    if not text:
        return None
    rules = load_rules() if rules is None else rules
    masked = _mask(normalize(text), rules)
    lowered: Signal | None = None
    for kind, pattern in rules.crisis:
        for match in pattern.finditer(masked):
            verdict = _judge(masked, match, kind, rules)
            if verdict is None:
                continue
            tier, final_kind = verdict
            signal = Signal(tier, final_kind, match.group())
            if tier == CRISIS:
                return signal
            lowered = lowered or signal
    if lowered is not None:
        return lowered
    for kind, pattern in rules.concern:
        for match in pattern.finditer(masked):
            if not _negated(masked, match.start(), rules):
                return Signal(CONCERN, kind, match.group())
    return None


def says_safe(text: str, rules: Rules | None = None) -> bool:
    """Whether a citizen in crisis mode says they are safe now ("我安全了", "没事了，警察来了")."""
    if not text:
        return False
    clean = normalize(text)
    rules = load_rules() if rules is None else rules
    if rules.not_yet.search(clean) or (rules.safe.search(clean) is None):
        return False
    signal = assess(clean, rules)
    return signal is None or not signal.is_crisis


# Kept for callers that only need the crisis tier (bot/handoff/relay.py).
@dataclass(frozen=True)
class CrisisMatch:
    kind: str
    phrase: str


def detect_crisis(text: str, rules: Rules | None = None) -> CrisisMatch | None:
    """The crisis-tier signal in `text`, or None (concerns do not count)."""
    signal = assess(text, rules)
    if signal is None or not signal.is_crisis:
        return None
    return CrisisMatch(signal.kind, signal.phrase)
