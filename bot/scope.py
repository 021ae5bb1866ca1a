"""Scope as a graded decision over the classifier's ranking.

Turning a legal question away costs a citizen their answer; answering chit-chat costs a smile. So a
message is rejected as out of scope only when the classifier is confident it is not legal, it has
no dispute cue, and little probability rests on the legal categories. Anything that may be legal
gets the best category's answer when that is clear enough, or a clarifying question with the
likeliest categories as buttons. A greeting, thanks or farewell is a dialogue turn only when the
message is nothing more: "你好，在吗，我想问下…" is the question.

The statistical classifier never decides a crisis: crisis is left to the crisis phrases
(bot/safety.py), so a `crisis` entry in the ranking is ignored here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot import taxonomy
from bot.paths import KNOWLEDGE

CUES_FILE = KNOWLEDGE / "safety" / "legal_cues.yml"

# Dialogue acts that a message may merely open with.
OPENING_ACTS = (taxonomy.GREET, taxonomy.THANK, taxonomy.GOODBYE)
# How many categories a clarifying question offers as buttons.
CLARIFY_CHOICES = 3


@dataclass(frozen=True)
class Thresholds:
    # The best category is answered at or above this probability; below it the bot asks back.
    answer: float = 0.4
    # ...or at or above this one when the message names a dispute cue or an everyday legal word
    # (欠我, 起诉, 合同, 工资…): real questions nearly always do and chit-chat seldom does, so citizens
    # get their answer instead of a question back without answering more chit-chat (docs/nlu.md).
    answer_legal: float = 0.3
    # ...for a message of at least this many Chinese characters beyond the courtesies: a short
    # follow-up ("那他不还呢") is read in the dialogue's context, not answered on a weak guess.
    answer_legal_chars: int = 10
    # Out of scope needs this much probability, with the best legal category under `legal_doubt`,
    # before a message with no legal word is turned away (the best category, not the sum over all
    # 21: a little probability on each of them is noise, not doubt)...
    # 0.2 and 0.15 until the classifier's SVM read the FAQ's questions too (bot/nlu/reference.py):
    # that puts a little more probability on some category for every message, chit-chat included,
    # and the same doubt limits then turned away less everyday talk (docs/nlu.md).
    reject: float = 0.45
    legal_doubt: float = 0.25
    # ...and this much, with the best category under `legal_doubt_strong`, when it names a legal
    # word in passing ("合同这个词用英语怎么说"). A dispute cue ("欠我", "起诉") is never turned away.
    reject_strong: float = 0.7
    legal_doubt_strong: float = 0.18
    # Other dialogue intents (转人工, 好的, 查询进度…) below this are read as possible questions.
    dialogue: float = 0.45
    # A message of at least this many Chinese characters beyond the courtesies whose best category is below
    # the answer threshold is still answered when the FAQ retrieval, reading it alone, confidently finds an
    # entry of that very category: a long story told before the question ("我把车借给朋友开，他把一个骑电动车
    # 的人撞伤了…") spreads the classifier's probability, not the retrieval's. Shorter messages keep the
    # question back: the chit-chat that both would place is short (docs/nlu.md).
    confirmed_chars: int = 20
    # Chinese characters left after the courtesies that make a message more than a greeting.
    substance_chars: int = 5
    # A message of at most this many characters that asks a follow-up kind is never turned away.
    followup_chars: int = 6


@dataclass(frozen=True)
class Decision:
    intent: str  # the NLU intent to act on (nlu_fallback: ask a clarifying question)
    confidence: float
    ranking: tuple[tuple[str, float], ...]  # best first; legal categories first when clarifying

    @property
    def choices(self) -> list[str]:
        """The categories a clarifying question offers."""
        return [name for name, _ in self.ranking if name in taxonomy.CATEGORIES][:CLARIFY_CHOICES]


@dataclass(frozen=True)
class Cues:
    """The words of knowledge/safety/legal_cues.yml, compiled."""

    cues: re.Pattern[str]  # dispute cues (欠我, 起诉…)
    legal_words: re.Pattern[str]  # everyday legal words (合同, 律师, 工资…)
    courtesies: re.Pattern[str]  # greetings, thanks, farewells, polite openers
    closing_plans: re.Pattern[str] | None = None  # "好的，那我先去…": an acknowledgement and a plan
    closing_plan_asks: re.Pattern[str] | None = None  # "好，我再问一下…": a plan that is no closing
    acts: re.Pattern[str] | None = None  # the courtesies without the fillers (你, 我, 的…): a real courtesy


def _union(words: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{c})" for c in words))


@lru_cache(maxsize=4)
def load_cues(path: Path = CUES_FILE) -> Cues:
    """The cues from `path` (the shipped file by default); `decide(…, cues=…)` takes others."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    plans, asks = data.get("closing_plans"), data.get("closing_plan_asks")
    fillers = data.get("courtesy_fillers") or []
    return Cues(_union(data["cues"]), _union(data["legal_words"]), _union(data["courtesies"] + fillers),
                _union(plans) if plans else None, _union(asks) if asks else None, _union(data["courtesies"]))


_CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def legal_cue(text: str, cues: Cues | None = None) -> str | None:
    """The first dispute cue in normalised `text`, or None."""
    m = (cues or load_cues()).cues.search(text)
    return m.group() if m else None


def legal_word(text: str, cues: Cues | None = None) -> str | None:
    """The first everyday legal word (合同, 律师, 工资…) in normalised `text`, or None."""
    m = (cues or load_cues()).legal_words.search(text)
    return m.group() if m else None


def substance(text: str, cues: Cues | None = None) -> int:
    """Chinese characters left once greetings, thanks, farewells and polite openers are removed."""
    return len(_CHINESE.findall((cues or load_cues()).courtesies.sub("", text)))


def _more_than_courtesy(text: str, t: Thresholds, c: Cues, act: str = taxonomy.GREET) -> bool:
    """A greeting, thanks or farewell with a question after it ("您好律师，想问下离婚的事"). After thanks or a
    farewell, what the citizen will do next ("谢谢，我先去找他谈谈") is no question."""
    from bot.kb.followup import load_cues as followup_cues  # the question words live with the follow-up cues

    rest = c.courtesies.sub("", text)
    if legal_cue(rest, c):
        return True
    asks = followup_cues().question_words
    if act != taxonomy.GREET and asks is not None and not asks.search(rest):
        return False  # "谢谢，我先去找他谈谈": a plan; "谢谢，那他不给怎么办" asks
    return substance(text, c) >= t.substance_chars or bool(legal_word(rest, c))


def _only_courtesy(text: str, c: Cues) -> str | None:
    """The dialogue act of a message that is courtesies alone ("好的，明白了", "好，谢谢"), whatever the
    classifier guessed, or None."""
    if substance(text, c) > 1 or legal_cue(text, c) or legal_word(text, c) or not c.courtesies.search(text):
        return None
    if re.search(r"不|没|别|否", text):
        return None  # "不好", "不行": a no, which the form or the dialogue reads
    if re.search(r"再见|拜拜|bye", text, re.I):
        return taxonomy.GOODBYE
    if re.search(r"谢|明白|知道|懂|了解|清楚|收到", text):
        return taxonomy.THANK  # "好的，明白了" closes the answer as thanks do
    return taxonomy.AFFIRM if re.search(r"好|嗯|行|ok", text, re.I) else None


def _closing_plan(text: str, c: Cues) -> str | None:
    """Thanks for an acknowledgement followed by what the citizen will do ("好的，那我先把工人的名单整理出来"),
    unless it asks something ("好的，我去仲裁，要带什么") or says it will ask ("好，我再问一下…")."""
    from bot.kb.followup import load_cues as followup_cues  # the question words live with the follow-up cues

    if c.closing_plans is None or not c.closing_plans.search(text):
        return None
    if c.closing_plan_asks is not None and c.closing_plan_asks.search(text):
        return None
    asks = followup_cues().question_words
    return None if asks is not None and asks.search(text) else taxonomy.THANK


# Whether the FAQ retrieval, reading the text alone, confidently finds an entry of the category.
Confirms = Callable[[str, str], bool]


def decide(ranking: list[tuple[str, float]], text: str, limits: Thresholds | None = None,
           cues: Cues | None = None, confirms: Confirms | None = None) -> Decision:
    """The intent to act on, from the classifier's (intent, probability) ranking of normalised `text`.
    The thresholds and the cue words are the shipped ones unless passed in; `confirms` (the retrieval's
    check, `Thresholds.confirmed_chars`) is not consulted unless passed."""
    t = limits or Thresholds()
    c = cues or load_cues()
    ranked = [(n, p) for n, p in ranking if n not in (taxonomy.CRISIS, taxonomy.NLU_FALLBACK)]
    if not ranked:
        return _clarify(ranked, 0.0)
    legal = [(n, p) for n, p in ranked if n in taxonomy.CATEGORIES]
    best_legal = legal[0][1] if legal else 0.0
    top, p_top = ranked[0]
    act = _only_courtesy(text, c) or _closing_plan(text, c)
    if act is not None and top not in OPENING_ACTS:
        # "好的，明白了" after an answer: an acknowledgement, not a question to place in a category.
        return Decision(act, max(p_top, t.dialogue), tuple(ranked))
    if top in OPENING_ACTS and _more_than_courtesy(text, t, c, top):
        # "您好，我想问下…": the greeting is not the message; decide on what follows it.
        ranked = [(n, p) for n, p in ranked if n not in OPENING_ACTS] or ranked
        top, p_top = ranked[0]
    if top == taxonomy.OUT_OF_SCOPE:
        if legal_cue(text, c):
            return _legal(legal, ranked, t, c, text, confirms)  # a dispute is never turned away
        if _asks_followup(text, t, c):
            # "要多长时间" right after an answer is about that answer: the dialogue reads it in its topic.
            return Decision(taxonomy.FOLLOW_UP, p_top, tuple(ranked))
        plain = p_top >= t.reject and best_legal < t.legal_doubt and not legal_word(text, c)
        if plain or (p_top >= t.reject_strong and best_legal < t.legal_doubt_strong):
            return Decision(top, p_top, tuple(ranked))
        return _legal(legal, ranked, t, c, text, confirms)
    if top in taxonomy.CATEGORIES:
        return _legal(legal, ranked, t, c, text, confirms)
    if p_top >= t.dialogue or (top in OPENING_ACTS and (c.acts is None or c.acts.search(text))):
        # A weak greeting, thanks or farewell needs a courtesy in its words: "就是那个事" is no thanks.
        return Decision(top, p_top, tuple(ranked))
    if top == taxonomy.FOLLOW_UP and p_top >= best_legal and not legal_cue(text, c):
        # "需要带什么材料？" right after an answer: the dialogue reads it in the topic of that answer.
        return Decision(top, p_top, tuple(ranked))
    return _legal(legal, ranked, t, c, text, confirms)


def _asks_followup(text: str, t: Thresholds, c: Cues) -> bool:
    """A short question of a follow-up kind (how long, what to bring, cost, where), or "那怎么办"."""
    from bot.kb.followup import asks_what_now, kind_of  # the follow-up cues live with the knowledge base

    return substance(text, c) <= t.followup_chars and (kind_of(text) is not None or asks_what_now(text))


def _legal(legal: list[tuple[str, float]], ranked: list[tuple[str, float]], t: Thresholds, c: Cues,
           text: str = "", confirms: Confirms | None = None) -> Decision:
    """The best legal category when clear enough (or confirmed by the retrieval), else a clarifying question
    offering the likeliest."""
    reordered = legal + [r for r in ranked if r[0] not in taxonomy.CATEGORIES]
    enough = t.answer
    if t.answer_legal < t.answer and substance(text, c) >= t.answer_legal_chars and (
            legal_cue(text, c) or legal_word(text, c)):
        enough = t.answer_legal
    if legal and legal[0][1] >= enough:
        return Decision(legal[0][0], legal[0][1], tuple(reordered))
    if legal and confirms is not None and substance(text, c) >= t.confirmed_chars and confirms(text, legal[0][0]):
        return Decision(legal[0][0], legal[0][1], tuple(reordered))
    return _clarify(reordered, legal[0][1] if legal else 0.0)


def _clarify(ranked: list[tuple[str, float]], confidence: float) -> Decision:
    return Decision(taxonomy.NLU_FALLBACK, confidence, tuple(ranked))
