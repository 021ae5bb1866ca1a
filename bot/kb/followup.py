"""Follow-ups in context: "那要多久？", "需要带什么材料", "对方不给怎么办", "我是被告呢" after an answer.

A follow-up is answered within the topic and side of the previous answer: from that entry's own
`followups`, else the category-level answers in knowledge/followups.yml, else the next best entry of
the topic, else an honest "这要看…" with the human offer. Never the previous answer again.
Pure: the index and the previous entry are passed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.kb import facts as facts_mod
from bot.kb import sides as sides_mod
from bot.kb.faq import FOLLOWUP_KINDS, Citation, FaqEntry, FaqError, FollowUp, load_citations
from bot.kb.retrieval import Hit, Index, words
from bot.normalize import normalize
from bot.taxonomy import CATEGORIES, FOLLOW_UP as FOLLOW_UP_INTENT
from bot.paths import KNOWLEDGE

CATEGORY_FOLLOWUPS = KNOWLEDGE / "followups.yml"
CUES = KNOWLEDGE / "retrieval" / "followup_cues.yml"
REQUIRED_KINDS = ("deadline", "documents", "where")  # every category answers at least these


@dataclass(frozen=True)
class Step:
    """A step or fact of a topic that a short follow-up names ("要做鉴定吗", "他没有签合同呢"), and the
    entry of the topic that answers it."""

    cue: re.Pattern[str]
    entry: str


@dataclass(frozen=True)
class CategoryFollowUps:
    followups: dict[str, dict[str, FollowUp]]  # category → kind → answer
    depends: dict[str, str]  # category → "这要看…"
    steps: dict[str, tuple[Step, ...]] = field(default_factory=dict)  # category → its steps, in order


@dataclass(frozen=True)
class Cues:
    kinds: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]  # in precedence order
    continuation: tuple[re.Pattern[str], ...]
    max_chars: int
    what_now: tuple[re.Pattern[str], ...] = ()  # "那怎么办": a follow-up of the topic
    actions: tuple[re.Pattern[str], ...] = ()  # 报警, 起诉…: answered from the answer just given
    actions_intro: str = ""
    own_refusal: tuple[re.Pattern[str], ...] = ()  # "可以不签字吗": not a refusal by the other side
    about_the_matter: tuple[re.Pattern[str], ...] = ()  # "他收入比我高呢": kept in the topic
    remarks: tuple[re.Pattern[str], ...] = ()  # "他凭什么扣", "我有照片": kept, and answered "这要看…"
    action_question_words: re.Pattern[str] | None = None  # what may surround the action asked about
    detail_max_chars: int = 20  # a detail told after an answer ("对方轻伤") is at most this long
    new_matter: tuple[re.Pattern[str], ...] = ()  # "还有个事…", "另外问一下": never a detail of the topic
    continue_words: re.Pattern[str] | None = None  # what "还有个问题", "好的" say on their own
    refers_back: tuple[re.Pattern[str], ...] = ()  # "她也能分吗": searched with the details told first
    question_words: re.Pattern[str] | None = None  # "对补偿不服怎么办" asks; "对方轻伤" tells
    linked: tuple[re.Pattern[str], ...] = ()  # "物业也不管": someone else fails the citizen too
    claims: tuple[re.Pattern[str], ...] = ()  # "他说我把墙弄脏了": what the other party claims
    fact_stopwords: frozenset[str] = frozenset()  # too common to tie a detail to a sentence of the answer
    facts_intro: str = ""
    steps_intro: str = ""
    tried: tuple[re.Pattern[str], ...] = ()  # "报警警察来了也就说两句": a step already taken
    tried_steps: tuple[re.Pattern[str], ...] = ()  # the words that tell which step of an answer was taken
    tried_intro: str = ""
    process: tuple[re.Pattern[str], ...] = ()  # "接下来会有什么流程": the steps of the answer just given


@dataclass(frozen=True)
class Reply:
    """What to say to a follow-up.

    source: "entry" (a whole FAQ entry: `entry`), "followup" (`text` + `citations`, a follow-up of
    `entry` or of the category), or "depends" (`text`, the honest answer with the human offer).
    """

    source: str
    category: str
    entry: FaqEntry | None = None
    text: str = ""
    citations: tuple[Citation, ...] = ()
    kind: str | None = None


@lru_cache(maxsize=4)
def load_category_followups(path: Path = CATEGORY_FOLLOWUPS) -> CategoryFollowUps:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    followups: dict[str, dict[str, FollowUp]] = {}
    depends: dict[str, str] = {}
    for category, items in (data.get("categories") or {}).items():
        if not isinstance(items, dict):
            raise FaqError(f"{path.name}: {category} must be a mapping of kinds")
        depends[category] = str(items.get("depends") or "").strip()
        followups[category] = {}
        for kind, item in items.items():
            if kind == "depends":
                continue
            if not isinstance(item, dict) or not item.get("text"):
                raise FaqError(f"{path.name}: {category} {kind} needs a text")
            followups[category][kind] = FollowUp(kind, str(item["text"]).strip(),
                                                 load_citations(item.get("citations"), path.name))
    steps: dict[str, tuple[Step, ...]] = {}
    for category, items in (data.get("steps") or {}).items():
        if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("cue") and i.get("entry")
                                                  for i in items):
            raise FaqError(f"{path.name}: steps of {category} must be a list of {{cue, entry}}")
        steps[category] = tuple(Step(re.compile(str(i["cue"])), str(i["entry"])) for i in items)
    return CategoryFollowUps(followups, depends, steps)


def step_entry(text: str, category: str | None, data: CategoryFollowUps | None = None) -> str | None:
    """The entry answering the step of the topic a short message names ("要做鉴定吗" in a medical
    dispute → the medical-damage appraisal entry), or None."""
    found = _step_match(text, category, data)
    return found[0] if found else None


def _step_match(text: str, category: str | None, data: CategoryFollowUps | None = None) -> tuple[str, str] | None:
    """(the step's entry, the message without the words naming the step), or None."""
    if not category:
        return None
    data = data or load_category_followups()
    t = normalize(text or "")
    if not t or len(t) > load_cues().max_chars:
        return None
    for step in data.steps.get(category, ()):
        if step.cue.search(t):
            return step.entry, step.cue.sub(" ", t)
    return None


@lru_cache(maxsize=4)
def load_cues(path: Path = CUES) -> Cues:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    unknown = set(data["kinds"]) - set(FOLLOWUP_KINDS)
    if unknown:
        raise ValueError(f"{path.name}: unknown follow-up kinds {sorted(unknown)}")
    kinds = tuple((k, tuple(re.compile(p) for p in pats)) for k, pats in data["kinds"].items())
    return Cues(kinds, tuple(re.compile(p) for p in data["continuation"]), int(data["max_chars"]),
                tuple(re.compile(p) for p in data.get("what_now") or ()),
                tuple(re.compile(p) for p in data.get("actions") or ()), str(data.get("actions_intro") or ""),
                tuple(re.compile(p) for p in data.get("own_refusal") or ()),
                tuple(re.compile(p) for p in data.get("about_the_matter") or ()),
                tuple(re.compile(p) for p in data.get("remarks") or ()),
                re.compile(data["action_question_words"]) if data.get("action_question_words") else None,
                int(data.get("detail_max_chars") or 20),
                tuple(re.compile(p) for p in data.get("new_matter") or ()),
                re.compile(data["continue_words"]) if data.get("continue_words") else None,
                tuple(re.compile(p) for p in data.get("refers_back") or ()),
                re.compile(data["question_words"]) if data.get("question_words") else None,
                tuple(re.compile(p) for p in data.get("linked") or ()),
                tuple(re.compile(p) for p in data.get("claims") or ()),
                frozenset(str(w) for w in data.get("fact_stopwords") or ()), str(data.get("facts_intro") or ""),
                str(data.get("steps_intro") or ""),
                tuple(re.compile(p) for p in data.get("tried") or ()),
                tuple(re.compile(p) for p in data.get("tried_steps") or ()), str(data.get("tried_intro") or ""),
                tuple(re.compile(p) for p in data.get("process") or ()))


def _short_and_matches(text: str, patterns: tuple[re.Pattern[str], ...], cues: Cues) -> bool:
    """A follow-up-length message (at most `max_chars`) that one of the patterns finds."""
    t = normalize(text or "")
    return bool(t) and len(t) <= cues.max_chars and any(p.search(t) for p in patterns)


def asks_process(text: str, cues: Cues | None = None) -> bool:
    """Whether the message asks what happens next ("接下来会有什么流程", "下一步怎么走")."""
    cues = cues or load_cues()
    return _short_and_matches(text, cues.process, cues)


def asks_what_now(text: str, cues: Cues | None = None) -> bool:
    """Whether the message only asks what to do now ("那怎么办", "怎么办好")."""
    cues = cues or load_cues()
    t = normalize(text or "")
    return bool(t) and any(p.search(t) for p in cues.what_now)


def remarks_on_the_matter(text: str, cues: Cues | None = None, searchable: bool = True) -> bool:
    """A short remark on the other party, their reasons or the evidence ("他收入比我高呢", "他凭什么扣",
    "我有照片"). `searchable=False`: only the remarks that searching cannot answer (why, evidence)."""
    cues = cues or load_cues()
    t = normalize(text or "")
    patterns = cues.remarks + (cues.about_the_matter if searchable else ())
    return bool(t) and len(t) <= cues.max_chars and any(p.search(t) for p in patterns)


# Chat addressed to the bot or laughing ("你是机器人吗", "哈哈好的"): never a detail of the matter.
_CHAT_WORDS = re.compile(r"你|哈|呵|嘻|嘿|~|～|啦|😂|🤣")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def tells_detail(text: str, cues: Cues | None = None) -> bool:
    """A short statement of the matter told after an answer ("对方轻伤", "说是要修路", "没有合同", "物业也不管"):
    at most `detail_max_chars`, at least two Chinese characters, not chat, and not opening another matter
    ("还有个事，我老公打我"). Whether the NLU names another matter for it is the caller's to weigh."""
    cues = cues or load_cues()
    t = normalize(text or "")
    return (bool(t) and len(t) <= cues.detail_max_chars and len(_HAN.findall(t)) >= 2
            and not _CHAT_WORDS.search(t) and not opens_new_matter(t, cues))


def opens_new_matter(text: str, cues: Cues | None = None) -> bool:
    """Whether the message opens another matter in so many words ("还有个事", "另外问一下", "换个问题")."""
    cues = cues or load_cues()
    t = normalize(text or "")
    return any(p.search(t) for p in cues.new_matter)


def says_more_than_continue(text: str, category: str | None, index: Index, cues: Cues | None = None) -> bool:
    """Whether a message the NLU calls "continue"/"affirm" tells a detail of the topic open besides
    ("我还有个姐姐已经出嫁了", "对，她早就出嫁了"), rather than only "还有个问题" or "好的"."""
    cues = cues or load_cues()
    t = normalize(text or "")
    if category not in CATEGORIES or cues.continue_words is None or not tells_detail(t, cues):
        return False
    rest = cues.continue_words.sub("", t)
    return len(_HAN.findall(rest)) >= 2 and ties_to_topic(t, category, index)


def is_detail(text: str, cues: Cues | None = None) -> bool:
    """A detail that asks nothing: not a follow-up question ("…吗", "那…", "对补偿不服怎么办"), only a statement
    of the matter."""
    cues = cues or load_cues()
    # "没有留下什么财产" says there is nothing; its 什么 asks nothing.
    told = _NOTHING.sub("没有", normalize(text or ""))
    asks = cues.question_words is not None and bool(cues.question_words.search(told))
    return tells_detail(text, cues) and not asks and not looks_like_followup(text, cues)


_NOTHING = re.compile(r"没有?[^，,。？?吗么]{0,4}什么(?![^，,。]{0,6}[吗么？?])|什么都(?=没|不)")


def _linked(text: str) -> bool:
    t = normalize(text or "")
    return any(p.search(t) for p in load_cues().linked)


def refers_back(text: str, cues: Cues | None = None) -> bool:
    """A short question pointing back at what was said ("她也能分吗", "那他这样算什么")."""
    cues = cues or load_cues()
    return _short_and_matches(text, cues.refers_back, cues)


# Parts of an answer: its sentences and numbered steps ("步骤：1.…；2.…。").
_ANSWER_PARTS = re.compile(r"[^。；;]+[。；;]?")
_PART_LEAD = re.compile(r"^(?:(?:步骤|怎么做|法律规定|证据|期限)[:：])?\s*(?:\d+[.、．])?\s*")


def same_entry_part(text: str, previous: FaqEntry | None, cues: Cues | None = None, said: str = "") -> str | None:
    """The part of the answer just given that says the action a short follow-up asks about ("可以报警吗"
    after a noise answer whose third step is calling 110), or None when the message names no action or
    the answer does not mention it."""
    if previous is None:
        return None
    cues = cues or load_cues()
    t = normalize(text or "")
    if not t or len(t) > cues.max_chars:
        return None
    parts: list[str] = []
    for action in cues.actions:
        found = action.search(t)
        if not found:
            continue
        rest = t[:found.start()] + t[found.end():]
        if cues.action_question_words is not None and len(cues.action_question_words.sub("", rest)) > 2:
            continue  # more than "can I do it?": "他们说要起诉我会坐牢吗" asks about jail
        for m in _ANSWER_PARTS.finditer(previous.answer):
            part = _PART_LEAD.sub("", m.group().strip()).rstrip("；;。")
            if action.search(part) and part not in parts and part not in said:  # said: told last turn already
                parts.append(part)
    if not parts:
        return None
    return cues.actions_intro + "；".join(parts[:2]) + "。"


def same_entry_facts(told: str, previous: FaqEntry | None, cues: Cues | None = None,
                     pattern: re.Pattern[str] | None = None) -> str | None:
    """The sentences of the answer just given that a detail concerns ("我还有个姐姐已经出嫁了" after the
    intestate-succession answer: "…出嫁的女儿同样有继承权"), tied by a word of two characters or more they
    share (or by `pattern`, a step of the topic the detail names: "没有合同" → "没签劳动合同的，可用工资流水…");
    None when no sentence is."""
    if previous is None:
        return None
    cues = cues or load_cues()
    shared = {w for w in words(normalize(told or "")) if len(w) >= 2 and w not in cues.fact_stopwords}
    parts: list[str] = []
    for m in _ANSWER_PARTS.finditer(previous.answer):
        part = _PART_LEAD.sub("", m.group().strip()).rstrip("；;。")
        if part.startswith("以上仅供参考") or part in parts:
            continue
        if (pattern.search(part) if pattern is not None else any(w in part for w in shared)):
            parts.append(part)
    if not parts:
        return None
    if pattern is None and len(parts) > 2:
        # The parts with the detail's rarest words ("合同上写的是订金": the 订金 sentences, not every one
        # that says 合同), in the answer's order.
        spread = {w: sum(w in p for p in parts) for w in shared}
        weight = {p: sum(1 / spread[w] for w in shared if spread[w] and w in p) for p in parts}
        best = sorted(parts, key=lambda p: -weight[p])[:2]
        parts = [p for p in parts if p in best]
    return cues.facts_intro + "；".join(parts[:2]) + "。"


def rule_of(previous: FaqEntry | None) -> str | None:
    """What the law says in the answer just given (its "法律规定：…" sentences), for a detail that changes
    nothing in it ("说是要修路" after the answer on a village taking a homestead back for public works)."""
    if previous is None or not previous.answer.startswith("法律规定"):
        return None
    rule = re.split(r"(?:步骤|怎么做|证据|要带)[:：]", previous.answer, maxsplit=1)[0]
    rule = re.sub(r"^法律规定[:：]", "", rule).strip()
    return load_cues().facts_intro + rule if rule else None


def tells_tried(text: str, cues: Cues | None = None) -> bool:
    """A short message telling a step the citizen already took ("报警了，警察来了也就说两句", "调解了两次没用")."""
    cues = cues or load_cues()
    return _short_and_matches(text, cues.tried, cues)


_NUMBERED_STEP = re.compile(r"(\d+)[.、．]([^；;。]+)")


def steps_after_tried(text: str, previous: FaqEntry | None, cues: Cues | None = None) -> str | None:
    """The steps of the answer just given after the first one naming the step the message says was taken
    ("报警警察来了也就说两句" after the noise answer whose third step is calling 110: its fourth, going to court;
    "村委会调解了两次没用": from "调解不成…" on); None when the message names no step of that answer or the
    step taken was its last."""
    cues = cues or load_cues()
    if previous is None or not tells_tried(text, cues):
        return None
    found = re.search(r"(?:步骤|怎么做)[:：](.+?)(?:证据[:：]|以上仅供参考|$)", previous.answer)
    if not found:
        return None
    steps = [m.group(2).strip() for m in _NUMBERED_STEP.finditer(found.group(1))]
    t = normalize(text or "")
    named = [p for p in cues.tried_steps if p.search(t)]
    taken = [i for i, step in enumerate(steps) if any(p.search(step) for p in named)]
    if not taken or taken[0] + 1 >= len(steps):
        return None
    rest = steps[taken[0] + 1:]
    return cues.tried_intro + "；".join(f"{n}.{s}" for n, s in enumerate(rest, 1)) + "。"


def steps_of(previous: FaqEntry | None) -> str | None:
    """What to do, from the answer just given (its "步骤：" or "怎么做：" part, without the evidence)."""
    if previous is None:
        return None
    found = re.search(r"(?:步骤|怎么做)[:：](.+?)(?:证据[:：]|以上仅供参考|$)", previous.answer)
    steps = found.group(1).strip().rstrip("；;。") if found else ""
    return f"{load_cues().steps_intro}{steps}。" if steps else None


def kind_of(text: str, cues: Cues | None = None) -> str | None:
    """The kind of follow-up a message asks (deadline, documents, …), or None."""
    kinds = kinds_of(text, cues)
    return kinds[0] if kinds else None


def kinds_of(text: str, cues: Cues | None = None) -> list[str]:
    """Every kind the message asks, first the one that wins ("医药费他不肯出": refusal, then cost)."""
    cues = cues or load_cues()
    t = normalize(text or "")
    own_refusal = any(p.search(t) for p in cues.own_refusal)
    return [kind for kind, patterns in cues.kinds if any(p.search(t) for p in patterns)
            and not (kind == "refusal" and own_refusal)]


def looks_like_followup(text: str, cues: Cues | None = None) -> bool:
    """A short message that asks a follow-up kind, reveals a side, continues ("那…", "…呢"), or remarks on
    the other party or the evidence ("他凭什么扣", "我有照片")."""
    cues = cues or load_cues()
    t = normalize(text or "")
    if not t or len(t) > cues.max_chars:
        return False
    return (kind_of(t, cues) is not None or bool(sides_mod.detect(t)) or asks_what_now(t, cues)
            or asks_process(t, cues) or any(p.search(t) for p in cues.continuation)
            or remarks_on_the_matter(t, cues))


# The NLU must be this sure of another category to leave the topic (0.8 until the tenth session's four-member
# model, whose probabilities are a little flatter: "离婚了还要还吗" after a spouse's debts, 0.75, is about divorce).
NEW_TOPIC_CONFIDENCE = 0.7
# Below every answer threshold of bot/scope.py: a category the classifier only guessed, answered because the
# retrieval confirmed it.
WEAK_CATEGORY_CONFIDENCE = 0.3
# What is left of a message naming a step of the topic ("工伤鉴定怎么做" without 鉴定) names a topic of its
# own when it matches an entry of the NLU's category this well (a few words: below the answer threshold).
OWN_TOPIC_CONFIDENCE = 0.2


def is_followup(text: str, *, intent: str, intent_confidence: float, context_category: str | None,
                index: Index, previous: FaqEntry | None = None) -> bool:
    """Whether the message continues the previous topic rather than asking a new question.

    The NLU's follow_up intent counts when there is a topic. Otherwise a short follow-up-looking
    message counts unless the NLU is sure it is another category and retrieval agrees ("工资不给怎么办"
    after a traffic answer is a new question; "医药费谁出啊" is not). Short generic messages match
    some entry of every category, so retrieval alone cannot decide."""
    if not context_category:
        return False
    if intent == FOLLOW_UP_INTENT:
        return True
    if opens_new_matter(text):
        return False  # "还有个事，我老公打我": another matter, in so many words
    if previous is not None and previous.category == context_category and same_entry_part(text, previous):
        # "能报警不" right after a noise answer that says when to call 110: about that answer, however
        # sure the NLU is that 报警 alone is a criminal matter.
        return True
    if tells_claim(text) or tells_tried(text):
        # What the other party says ("他说他失业了没钱" after child support, "开发商说是疫情原因"): their side of
        # this dispute, however sure the NLU is that 没钱 or 疫情 alone is another matter.
        return True
    if (intent in CATEGORIES and intent != context_category and intent_confidence < WEAK_CATEGORY_CONFIDENCE
            and continues_topic(text, context_category, index, nlu_best=(intent, intent_confidence))):
        # Another category only because the retrieval confirmed the classifier's weak guess (bot/scope.py):
        # read as a message the NLU could not place ("…把我也列成了被告" after a lent car's accident).
        return True
    step = _step_match(text, context_category)
    if step is not None:
        # "要做鉴定吗" in a medical dispute is that dispute's appraisal, however sure the NLU is that
        # 鉴定 alone is a notary/appraisal question; "离婚调解要多久" after a traffic answer names its own
        # topic besides the step (离婚) and is a new question.
        rest = step[1]
        # Only an NLU sure of the other matter takes it there ("没签合同，就是老乡介绍过去的" after wages
        # reads 介绍 as a broker's contract at 0.58).
        own_topic = (intent in CATEGORIES and intent != context_category and intent_confidence >= NEW_TOPIC_CONFIDENCE
                     and bool(normalize(rest).strip()))
        if own_topic:
            hits = index.search(rest, category=intent, k=1)
            own_topic = bool(hits) and hits[0].entry.category == intent and hits[0].confidence >= OWN_TOPIC_CONFIDENCE
        if not own_topic:
            return True
    if not looks_like_followup(text):
        # A detail told after the answer ("没有合同" after a fall at work) stays in the topic unless, read
        # alone, it is a matter of the NLU's other category ("邻居家狗咬人了"); one linked to the matter by
        # 也/都 ("物业也不管" after a leak) stays whatever its words alone suggest (物业 → housing). The NLU's
        # own call of the topic's category is answered as a question of the topic, as before.
        if not tells_detail(text):
            return False
        if intent == context_category:
            # The NLU's call of the topic itself: a question of the topic when retrieval answers it, else a
            # detail of it ("他没有留下什么财产" after an inherited debt), never "which matter is it?" again.
            return not index.is_confident(index.search(text, category=context_category, k=1))
        return _linked(text) or not _names_other_matter(text, intent, context_category, index)
    if intent in CATEGORIES and intent != context_category and intent_confidence >= NEW_TOPIC_CONFIDENCE:
        hits = index.search(text, category=intent, k=1)
        if index.is_confident(hits) and hits[0].entry.category == intent:
            return False
    return True


def _names_other_matter(text: str, intent: str, context_category: str, index: Index) -> bool:
    """A short message the NLU places in another category that retrieval, reading it alone, also places
    outside the topic with confidence ("公司不发工资" after a traffic answer). A bare fact ("没有合同") finds
    no confident entry alone, and stays a detail of the topic."""
    if intent not in CATEGORIES or intent == context_category:
        return False
    hits = index.search(text, k=3)
    # Both must name the same other matter: "现在我回娘家住了，暂时安全" after domestic abuse is read as
    # criminal by the NLU (0.11) and as a rural house by retrieval; that is no matter of its own.
    return index.is_confident(hits) and hits[0].entry.category == intent


# A detail the NLU could not place is read in the topic only when, searched alone within the topic, it
# matches an entry this well by words of the topic ("轻伤" in the criminal entries). Chit-chat the classifier
# could not place matches some entry too, more weakly (bench/followup_chitchat.py measures the cost).
DETAIL_TOPIC_CONFIDENCE = 0.3
# A detail the NLU could not place is read in the topic when its best guess is the topic this surely;
# chit-chat is often guessed as some category, weakly (bench/followup_chitchat.py).
DETAIL_NLU_CONFIDENCE = 0.3
# The entry a detail points to alone, for it to be answered rather than the answer just given's rule.
DETAIL_ALONE_CONFIDENCE = 0.3


def tells_claim(text: str, cues: Cues | None = None) -> bool:
    """A short message telling what the other party says ("他说我把墙弄脏了", "厂里说工资里已经包含加班费了")."""
    cues = cues or load_cues()
    return _short_and_matches(text, cues.claims, cues)


def what_is_claimed(text: str, cues: Cues | None = None) -> str:
    """What the other party says, without who says it ("开发商说是他们土地出让金没交清" → "他们土地出让金没交清"):
    searched alone, "开发商说" would find whichever entry quotes a developer's words."""
    cues = cues or load_cues()
    t = normalize(text or "")
    for p in cues.claims:
        found = p.search(t)
        if found and found.end() < len(t):
            return t[found.end():]
    return text


def ties_to_topic(text: str, category: str, index: Index) -> bool:
    """Whether a detail is about the topic by its words: searched alone within the topic, it matches an
    entry by a word of it well enough ("轻伤" in the criminal entries, "出嫁" in the inheritance ones), or
    tells what the other party claims ("他说我把墙弄脏了")."""
    if tells_claim(text):
        return True
    hits = [h for h in index.search(text, category=category, k=3) if h.entry.category == category]
    return bool(hits) and hits[0].bm25 > 0 and hits[0].confidence >= DETAIL_TOPIC_CONFIDENCE


def continues_topic(text: str, context_category: str | None, index: Index,
                    nlu_best: tuple[str, float] | None = None) -> bool:
    """For a message the NLU could not place: does it continue the current topic? A short
    follow-up-looking message does ("医药费谁出啊"), and so does a question that retrieval answers
    confidently within the topic ("自首能从轻吗" after a criminal answer), and a detail of the matter tied to
    the topic by its words (`ties_to_topic`: "对方轻伤" after a detention)."""
    if not context_category or not normalize(text or ""):
        return False
    if looks_like_followup(text) or step_entry(text, context_category) is not None:
        return True
    if tells_claim(text) or tells_tried(text):
        return True  # "我跟平台举报了，平台一直不删": a step of this matter taken, as in `is_followup`
    if (nlu_best and nlu_best[0] == context_category and nlu_best[1] >= DETAIL_NLU_CONFIDENCE
            and is_detail(text)):
        # Too unsure to answer alone, but the classifier's best guess is the topic itself ("他没有留下什么
        # 财产" after inherited debts): a detail of the topic, not "which matter is it?".
        return True
    if is_detail(text) and ties_to_topic(text, context_category, index):
        # "对方轻伤" after a detention, "说是要修路" after a homestead answer: the NLU could not place it
        # because it is a detail of the topic, not a matter of its own.
        return True
    hits = index.search(text, category=context_category, k=1)
    return index.is_confident(hits) and hits[0].entry.category == context_category


# A question the NLU could not place is read in the topic open when the topic is among the NLU's likeliest
# categories and the message has at least this many Chinese characters ("十万是不是太多了，这个到底怎么算" after a
# child's injury); chit-chat asks too, and more often in short lines (bench/followup_chitchat.py).
IN_TOPIC_CHARS = 8


def asks_in_topic(text: str, context_category: str | None, likeliest: list[str], cues: Cues | None = None) -> bool:
    """Whether a question the NLU could not place belongs to the topic open: the topic is among `likeliest`
    (the clarifying question's categories), it asks something, and it is not chat ("你…", "哈哈")."""
    if context_category not in CATEGORIES or context_category not in likeliest:
        return False
    cues = cues or load_cues()
    t = normalize(text or "")
    return (len(_HAN.findall(t)) >= IN_TOPIC_CHARS and not _CHAT_WORDS.search(t) and not opens_new_matter(t, cues)
            and cues.question_words is not None and bool(cues.question_words.search(t)))


def read_together(earlier: list[str], text: str, index: Index, categories: tuple[str, ...] = ()) -> str | None:
    """The earlier message and this one as one question, when together they find a confident answer
    (the citizen adding detail after a clarifying question); None otherwise. `categories`: the ones the
    clarifying question offered; the answer must be in one of them (after 医疗纠纷 / 家庭暴力 / 人身损害,
    "这个找谁赔" is not a question about a bus company's liability)."""
    if not earlier or not normalize(text or ""):
        return None
    together = f"{earlier[-1]} {text}"
    hits = index.search(together, k=5)
    if categories:
        hits = [h for h in hits if h.entry.category in categories]
    return together if index.is_confident(hits[:1]) else None


def topic_sides(index: Index, category: str) -> frozenset[str]:
    """The sides the topic's entries are written for (worker/employer for wages, none for a topic
    whose answers serve everyone)."""
    return index.sides_by_category.get(category, frozenset())


def _entry_reply(hit: Hit) -> Reply:
    return Reply("entry", hit.entry.category, entry=hit.entry)


def _followup_reply(category: str, f: FollowUp, entry: FaqEntry | None) -> Reply:
    return Reply("followup", category, entry=entry, text=f.text, citations=f.citations, kind=f.kind)


def resolve(index: Index, text: str, previous: FaqEntry | None, category: str,
            previous_question: str = "", data: CategoryFollowUps | None = None, said: str = "",
            given: tuple[str, ...] = ()) -> Reply:
    """The answer to a follow-up within `category` (the topic) and the side of the previous answer.
    `said`: what the bot said last turn; a follow-up answer given there is not given again word for
    word ("不是，我是说医药费他不肯出" after the refusal answer: the next kind the message asks, cost).
    `given`: the entries already answered in this conversation, not given again as "the next best"."""
    data = data or load_category_followups()
    kinds = kinds_of(text)
    kind = kinds[0] if kinds else None
    revealed = sides_mod.detect(text)
    previous_id = previous.id if previous else None
    context = previous.question if previous else previous_question
    category_followups = data.followups.get(category, {})

    def topic_hits(query: str, wanted: frozenset[str]) -> list[Hit]:
        hits = index.search(query, category=category, k=5, sides=wanted)
        return [h for h in hits if h.entry.id != previous_id and h.entry.id not in given
                and h.entry.category == category]

    # 1. The citizen reveals the other party's side ("我是被告呢"): that side's entry of the topic,
    #    else what the topic says about the other side. Only a side of the topic's own disputes counts:
    #    "孩子看病花了…" after a dog bite says who was treated, not that the citizen is the other party.
    revealed = revealed & topic_sides(index, category)
    if revealed and previous is not None and previous.side not in revealed:
        for h in topic_hits(f"{context} {text}", revealed):
            if h.entry.side in revealed and index.is_confident([h]):
                return _entry_reply(h)
        f = previous.followup("other_side") or category_followups.get("other_side")
        if f:
            return _followup_reply(category, f, previous)
    # 1b. A decisive fact the answer just given was written for, told after it ("他们是领了结婚证的" after the
    #     registered couple's 彩礼 answer): that answer's rule is the law for the case, not an entry the fact's
    #     own words find (how to register a marriage).
    told_now = facts_mod.detect(text)
    if previous is not None and not kinds and set(told_now.items()) & set(previous.facts):
        rule = rule_of(previous)
        if rule and rule not in said:
            return Reply("followup", category, entry=previous, text=rule, citations=previous.citations)
    # 2. A step of the topic the message names ("要做鉴定吗"): that step's entry, unless it was the
    #    answer just given (then the kind of question decides, below; a detail gets the sentences of
    #    that answer about the step: "没有合同" after the work-injury answer that says how to prove the work).
    # What the other party says names the step even with a kind's words ("他说没工作没钱给": an excuse, not a refusal).
    step = step_entry(text, category, data) if not kind or tells_claim(text) else None
    if step and step != previous_id and step in index.by_id:
        return Reply("entry", category, entry=index.by_id[step])
    detail = not kinds and not revealed and is_detail(text)
    if step and step == previous_id and detail:
        t = normalize(text)
        cue = next((st.cue for st in data.steps.get(category, ()) if st.entry == step and st.cue.search(t)), None)
        facts = same_entry_facts(text, previous, pattern=cue) if cue is not None else None
        if facts and facts not in said and previous is not None:
            return Reply("followup", category, entry=previous, text=facts, citations=previous.citations)
    # 2b. A step already taken ("报警警察来了也就说两句"): the steps of the answer just given after it.
    after = steps_after_tried(text, previous) if previous is not None and previous.category == category else None
    if after and after not in said:
        return Reply("followup", category, entry=previous, text=after, citations=previous.citations)
    # 3. A follow-up kind: the entry's own answer, else the category's; both kinds of a question that asks two
    #    ("去仲裁要钱吗，有没有时间限制": cost and deadline), not only the first.
    found: list[FollowUp] = []
    for k in kinds:
        for f in (previous.followup(k) if previous else None, category_followups.get(k)):
            if f and not (said and f.text in said):
                found.append(f)
                break
    if found:
        if len(found) == 1 or found[1].text == found[0].text:
            return _followup_reply(category, found[0], previous)
        both = FollowUp(found[0].kind, found[0].text + found[1].text,
                        found[0].citations + tuple(c for c in found[1].citations if c not in found[0].citations))
        return _followup_reply(category, both, previous)
    # 3a. What happens next ("接下来会有什么流程"): what to do, from the answer just given.
    if not kinds and asks_process(text):
        steps = steps_of(previous) if previous is not None and previous.category == category else None
        if steps and steps not in said and previous is not None:
            return Reply("followup", category, entry=previous, text=steps, citations=previous.citations)
        return Reply("depends", category, entry=previous, text=data.depends.get(category, ""), kind=None)
    # 3b. An action the answer just given already names ("可以报警吗" after a noise answer that says when to
    #     call 110): that part of the same entry, not another entry of the topic.
    # A part of the answer quoted last turn is not quoted again (the whole answer given last turn is no such part).
    quoted = said if previous is None or previous.answer not in said else ""
    part = same_entry_part(text, previous, said=quoted) if not kinds else None
    if part and previous is not None and part not in said:
        return Reply("followup", category, entry=previous, text=part, citations=previous.citations)
    # 3c. A detail ("物业也不管", "我还有个姐姐已经出嫁了"): the sentences of the answer just given it concerns;
    #     else the entry of the topic the detail itself points to, if the topic's question read with it finds
    #     it too; else the rule that answer stated ("说是要修路"); never the message searched alone over the
    #     topic, which lacks the matter. A question pointing back ("她也能分吗") first gets the sentences of
    #     the answer just given that the detail before it concerns, or that answer's rule.
    told = f"{previous_question or context} {text}"
    if detail:
        reply = _detail_reply(index, text, told, previous, category, given, said)
        if reply is not None:
            return reply
    last_detail = (previous_question or "").rsplit(" ", 1)[-1] if " " in (previous_question or "") else ""
    if not detail and refers_back(text) and not kinds and previous is not None:
        facts = same_entry_facts(f"{last_detail} {text}", previous)
        if facts and facts not in said:
            return Reply("followup", category, entry=previous, text=facts, citations=previous.citations)
        # The answer just given is the one the question points back at (the married-daughter entry, then
        # "那她也能分吗"): what the law says there.
        back = index.search(f"{last_detail} {text}", category=category, k=1) if last_detail else []
        rule = rule_of(previous)
        if back and back[0].entry.id == previous.id and rule and rule not in said:
            return Reply("followup", category, entry=previous, text=rule, citations=previous.citations)
    # "那怎么办" alone, or a remark ("他凭什么扣", "我有入住时的照片"), adds nothing to search with: the next
    # best entry for the topic's question would be a guess (the barking dog after a noise answer, a
    # tenant's right of first refusal after a deposit). The honest answer below instead.
    if (asks_what_now(text) or remarks_on_the_matter(text, searchable=False)) and not kinds:
        return Reply("depends", category, entry=previous, text=data.depends.get(category, ""), kind=None)
    # 4. The next best entry of the topic: first for the message alone ("自首能从轻吗"), then read
    #    with the previous question; on the previous answer's side unless the message tells. A detail
    #    ("对方轻伤", "我还有个姐姐已经出嫁了") is read only with what the citizen told before (alone it finds
    #    a random entry of the topic); a question pointing back ("她也能分吗") with it first.
    wanted = revealed or (frozenset({previous.side}) if previous and previous.side else frozenset())
    rule = rule_of(previous)
    claimed = what_is_claimed(text) if tells_claim(text) else text
    if detail:
        queries: tuple[str, ...] = ()
    elif refers_back(text):
        # "她" is whom the last detail named: that detail with the question first ("我还有个姐姐已经出嫁了 她也能分吗").
        queries = ((f"{last_detail} {text}",) if last_detail else ()) + (told, text)
    else:
        queries = (claimed, f"{context} {claimed}")
    # Read alone, does a message with words of its own ("我们做子女的必须还吗"; not "要赔多少") point at the
    # answer just given before the entry the topic's question finds with it? The context query always
    # finds the answer just given first (it holds its question), so only the message alone can tell.
    alone = ([h.entry.id for h in index.search(claimed, category=category, k=8) if h.entry.category == category]
             if previous is not None and not kinds and len(_content_words(claimed)) >= 2 else [])

    def points_back(candidate: str | None) -> bool:
        if previous is None or previous.id not in alone:
            return False
        return candidate not in alone or alone.index(previous.id) < alone.index(candidate)

    for query in queries:
        hits = topic_hits(query, wanted)
        best = hits[0].entry.id if hits else None
        if alone and (alone[0] == previous_id or (query != claimed and points_back(best))):
            # The question the answer just given answers ("订金跟定金有什么区别", "我们做子女的必须还吗" after
            # inherited debts): its sentences the question names, else what the law says there, else what to
            # do (whichever was not said last turn).
            assert previous is not None
            for part in (same_entry_facts(text, previous), rule, steps_of(previous)):
                if part and part not in said:
                    return Reply("followup", category, entry=previous, text=part, citations=previous.citations)
            break
        if hits and index.is_confident(hits[:1]) and (not wanted or hits[0].entry.side in wanted | {""}):
            return _entry_reply(hits[0])
    # 5. Honest: it depends, and a person can look at it.
    return Reply("depends", category, entry=previous, text=data.depends.get(category, ""), kind=kind)


def _detail_reply(index: Index, text: str, told: str, previous: FaqEntry | None, category: str,
                  given: tuple[str, ...], said: str) -> Reply | None:
    """See `resolve` 3c."""
    facts = same_entry_facts(text, previous)
    if facts and facts not in said and previous is not None:
        return Reply("followup", category, entry=previous, text=facts, citations=previous.citations)
    rule = rule_of(previous)
    excluded = {previous.id if previous else None, *given}
    with_topic = [h for h in index.search(told, category=category, k=8)
                  if h.entry.category == category and h.entry.id not in excluded]
    for hit in index.search(text, category=category, k=5):
        if previous is not None and hit.entry.id == previous.id:
            # Read alone, the detail points at the answer just given before any other entry ("他没有留下
            # 什么财产" after inherited debts): no other entry of the topic, what the law said there instead.
            break
        if hit.entry.category != category or hit.entry.id in excluded:
            continue
        match = next((h for h in with_topic if h.entry.id == hit.entry.id), None)
        # Both readings must be sure: read with the topic's question, a detail drifts to whatever entry that
        # question's words find.
        if match is not None and index.is_confident([match]) and hit.confidence >= DETAIL_ALONE_CONFIDENCE:
            return _entry_reply(match)
    if rule and rule not in said and previous is not None:
        return Reply("followup", category, entry=previous, text=rule, citations=previous.citations)
    return None


def _content_words(text: str) -> list[str]:
    """The words of a message that say what it is about ("子女", "必须"; not "多少", "那要")."""
    stop = load_cues().fact_stopwords
    return [w for w in words(normalize(text or "")) if len(w) >= 2 and w not in stop]


def category_followup_problems(data: CategoryFollowUps, categories: tuple[str, ...]) -> list[str]:
    """Structural problems of knowledge/followups.yml (quotes are checked by `kb check`)."""
    problems = []
    for category in categories:
        kinds = data.followups.get(category)
        if kinds is None:
            problems.append(f"followups.yml: category {category} has no follow-up answers")
            continue
        for kind in REQUIRED_KINDS:
            if kind not in kinds:
                problems.append(f"followups.yml: {category} lacks {kind}")
        if not data.depends.get(category):
            problems.append(f"followups.yml: {category} lacks depends")
    for category, kinds in data.followups.items():
        if category not in categories:
            problems.append(f"followups.yml: '{category}' is not a taxonomy category")
        for kind in kinds:
            if kind not in FOLLOWUP_KINDS:
                problems.append(f"followups.yml: {category} kind '{kind}' not one of {', '.join(FOLLOWUP_KINDS)}")
    return problems


def step_problems(data: CategoryFollowUps, categories_by_entry: dict[str, str]) -> list[str]:
    """Steps of knowledge/followups.yml whose entry is missing or belongs to another category."""
    problems = []
    for category, steps in data.steps.items():
        if category not in CATEGORIES:
            problems.append(f"followups.yml: steps of '{category}': not a taxonomy category")
        for step in steps:
            owner = categories_by_entry.get(step.entry)
            if owner is None:
                problems.append(f"followups.yml: steps of {category}: no entry {step.entry}")
            elif owner != category:
                problems.append(f"followups.yml: steps of {category}: {step.entry} is an entry of {owner}")
    return problems


def as_dict(reply: Reply) -> dict[str, Any]:
    """For logs and tests."""
    return {"source": reply.source, "category": reply.category, "entry": reply.entry.id if reply.entry else None,
            "kind": reply.kind, "text": reply.text}




# A follow-up the NLU turned away is rescued only when it reads like one: a short single question about
# the matter, not a chat addressed to the bot or a friend ("你什么时候来…"), laughing, or several clauses.
SCOPE_RESCUE_MAX_CHARS = 16
CHAT_MARKS = re.compile(r"你|哈|呵|嘻|嘿|~|～|啦|[，,。.！!…].")


def rescued_from_scope(text: str, context_category: str | None, index: Index) -> bool:
    """For a message the NLU would turn away as out of scope: is it, after all, a follow-up of the
    current legal topic ("家里人要准备什么" after a detention)? Only when it asks a follow-up kind or what to
    do now, names a step of the topic, remarks on the other party or the matter ("他收入比我高呢"), tells what
    the other party says ("佢话最近生意唔好") or a step already taken ("报警了也没用"). A bare
    "…吗" is not enough here (chit-chat ends in 吗 too: "你吃饭了吗"), and nothing rescues a message without
    a topic."""
    if context_category not in CATEGORIES:
        return False
    t = normalize(text or "")
    cues = load_cues()
    if t and not _CHAT_WORDS.search(t) and (tells_claim(t, cues) or tells_tried(t, cues)):
        return True  # a clause of its own is allowed: "佢话最近生意唔好，叫我等多个月先"
    if not t or len(t) > SCOPE_RESCUE_MAX_CHARS or CHAT_MARKS.search(t):
        return False
    return (kind_of(t, cues) is not None or asks_what_now(t, cues) or asks_process(t, cues)
            or remarks_on_the_matter(t, cues) or step_entry(t, context_category) is not None)
