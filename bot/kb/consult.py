"""One consultation turn decided from the message and the conversation so far, without Rasa.

The action (actions/consultation.py) reads the tracker, calls `decide` and renders the Turn.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot import taxonomy
from bot.kb import followup
from bot.kb import facts as facts_mod
from bot.kb import sides as sides_mod
from bot.kb.faq import OPPOSITE, Citation, FaqEntry
from bot.kb.retrieval import Hit, Index
from bot.normalize import normalize

ANSWER = "answer"  # a whole FAQ entry
FOLLOWUP = "followup"  # a short cited follow-up answer
DEPENDS = "depends"  # honest "这要看…" with the human offer
ASK_SIDE = "ask_side"  # the answers differ by side and the message does not tell
ASK_TOPIC = "ask_topic"  # a follow-up with no topic at all
GUIDANCE = "guidance"  # no confident entry: the category's guidance
SUGGEST = "suggest"  # "这要看…" was the last reply already: the likeliest questions of the topic as buttons
SUGGESTIONS = 3  # how many questions a suggestion offers
REMEMBER_CHARS = 200  # the topic's question as kept in the slot (actions/consultation.py keeps 200)


@dataclass(frozen=True)
class Turn:
    kind: str
    category: str
    entry: FaqEntry | None = None  # the entry answered, or the topic's entry for follow-ups
    text: str = ""  # follow-up or depends text; the side question
    citations: tuple[Citation, ...] = ()
    buttons: list[dict[str, str]] = field(default_factory=list)  # the side question's or the suggestions
    remember: str = ""  # what to keep as the question of the topic


def _from_reply(reply: followup.Reply, remember: str) -> Turn:
    if reply.source == "entry":
        return Turn(ANSWER, reply.category, reply.entry, remember=remember)
    kind = FOLLOWUP if reply.source == "followup" else DEPENDS
    return Turn(kind, reply.category, reply.entry, reply.text, reply.citations, remember=remember)


def _suggest(index: Index, text: str, turn: Turn, context: str) -> Turn:
    """Instead of the same "这要看…" twice in a row: the topic's questions closest to the message (read
    alone, then with the topic's question), as buttons that ask them. Kept as it was when none is near."""
    exclude = turn.entry.id if turn.entry else None
    entries: list[FaqEntry] = []
    for query in (text, f"{context} {text}"):
        for hit in index.search(query, category=turn.category, k=SUGGESTIONS + 2):
            e = hit.entry
            if e.category == turn.category and e.id != exclude and all(e.id != x.id for x in entries):
                entries.append(e)
    if not entries:
        return turn
    buttons = [{"title": e.question, "payload": e.question} for e in entries[:SUGGESTIONS]]
    return Turn(SUGGEST, turn.category, turn.entry, buttons=buttons, remember=turn.remember)


def decide(index: Index, text: str, *, intent: str, intent_confidence: float = 0.0, context_category: str | None,
           previous_id: str | None, previous_question: str = "", named_topic: str | None = None,
           asked_topic_last: bool = False, last_reply: str = "", earlier: tuple[str, ...] = (),
           given: tuple[str, ...] = (), in_topic: bool = False) -> Turn:
    """What to answer. `context_category`/`previous_id`/`previous_question`: the topic so far;
    `named_topic`: the category a follow-up-looking message names itself (from the NLU ranking);
    `asked_topic_last`: the bot's last turn asked for the topic (never ask again right after);
    `last_reply`: what the bot said last turn (never the same "这要看…" again right after);
    `earlier`: the citizen's earlier messages of the conversation (the side they already told);
    `given`: the entries answered earlier in the conversation (a follow-up does not get one again);
    `in_topic`: the caller has read the message as a question of the topic open (`followup.asks_in_topic`)."""
    # The decisive facts the citizen told, now or earlier ("已经领证了", "孩子七岁"): no answer written for
    # the other case, in any search of this turn.
    case_facts = facts_mod.told((*earlier, text))
    if case_facts:
        index = index.told(case_facts)
    turn = _decide(index, text, intent=intent, intent_confidence=intent_confidence, context_category=context_category,
                   previous_id=previous_id, previous_question=previous_question, named_topic=named_topic,
                   asked_topic_last=asked_topic_last, earlier=earlier, said=last_reply, given=given,
                   in_topic=in_topic)
    if turn.kind == DEPENDS and turn.text and turn.text in last_reply:
        previous = index.by_id.get(previous_id or "")
        return _suggest(index, text, turn, previous.question if previous else previous_question)
    return turn


def _decide(index: Index, text: str, *, intent: str, intent_confidence: float, context_category: str | None,
            previous_id: str | None, previous_question: str, named_topic: str | None, asked_topic_last: bool,
            earlier: tuple[str, ...] = (), said: str = "", given: tuple[str, ...] = (), in_topic: bool = False) -> Turn:
    previous = index.by_id.get(previous_id or "")
    intent_is_followup = intent == taxonomy.FOLLOW_UP
    remember_topic = previous.question if previous else previous_question
    read_in_topic = bool(in_topic and context_category)
    if previous is not None and facts_mod.contradicts(dict(previous.facts), index.case_facts):
        # A decisive fact that makes the answer just given the wrong law for the case ("其实我们领了证" after the
        # unregistered couple's 彩礼): the topic's entry for the case told, read with the question it answers.
        hits = [h for h in index.search(f"{previous_question or previous.question} {text}", category=previous.category,
                                        k=5) if h.entry.category == previous.category]
        if index.is_confident(hits[:1]):
            return Turn(ANSWER, previous.category, hits[0].entry, remember=remember_topic)
    if read_in_topic or followup.is_followup(
            text, intent=intent, intent_confidence=intent_confidence, context_category=context_category, index=index,
            previous=previous):
        assert context_category is not None
        reply = followup.resolve(index, text, previous, context_category, previous_question, said=said,
                                 given=given)
        if read_in_topic and reply.source == "entry":
            # A question only the caller placed in the topic: another entry would be a guess ("十万是不是太多了" →
            # school injuries); the topic's closest questions to pick from instead of "which matter is it?".
            depends = Turn(DEPENDS, context_category, previous, followup.load_category_followups().depends.get(
                context_category, ""), remember=remember_topic or text)
            return _suggest(index, text, depends, remember_topic)
        if followup.is_detail(text) or followup.refers_back(text):
            # What the citizen told is kept with the topic's question: "她也能分吗" after "我还有个姐姐已经出嫁了"
            # is searched with both.
            told = previous_question or remember_topic
            return _from_reply(reply, f"{told[:max(0, REMEMBER_CHARS - len(text) - 1)]} {text}".strip())
        return _from_reply(reply, remember_topic or text)

    category = intent if intent in taxonomy.CATEGORIES else context_category
    if intent_is_followup and not context_category:
        category = named_topic
        if category is None:
            # "那要多久" alone matches some entry of every category: only a message with its own
            # topic ("我想问下离婚的事") is searched.
            hits = [] if followup.looks_like_followup(text) else index.search(text, k=3)
            if index.is_confident(hits):
                return Turn(ANSWER, hits[0].entry.category, hits[0].entry, remember=text)
            if not asked_topic_last and not hits:
                return Turn(ASK_TOPIC, "other_legal")
            return Turn(GUIDANCE, "other_legal", remember=text)

    revealed = sides_mod.detect(text)
    # The NLU's own call counts as evidence with its confidence; the conversation's topic is sure.
    from_nlu = intent in taxonomy.CATEGORIES
    hits = index.search(text, category=category, k=5, sides=revealed,
                        category_confidence=intent_confidence if from_nlu else None)
    if not index.is_confident(hits):
        return Turn(GUIDANCE, category or "other_legal", remember=text)
    if revealed:
        # The writer told their side: never the other party's entry while one for them (or for both)
        # is confident ("我被车撞了，对方全责" is not the driver's "交警认定我没有责任").
        hits = [h for h in hits if index.is_confident([h]) and not _other_party(h.entry, revealed)] or hits
    else:
        hits = hits[:3]
        pair = sides_mod.differing(h.entry for h in hits if index.is_confident([h]))
        if pair:
            # The side of the answer just given counts as told: the citizen went on from it.
            told = (*earlier, cues_label(previous.side)) if previous is not None and previous.side else earlier
            answerable = _without_asking(index, text, hits, pair, told, category=category,
                                         category_confidence=intent_confidence if from_nlu else None)
            cues = sides_mod.load()
            if not answerable:
                return Turn(ASK_SIDE, hits[0].entry.category, text=cues.question,
                            buttons=sides_mod.side_question(pair, text, cues), remember=text)
            hits = answerable
            side = hits[0].entry.side
            if side and side == sides_mod.assumed(pair, cues) and not sides_mod.detect_in(told, cues) & set(pair):
                # Answered for the side assumed: the other side is one button away ("我是用人单位，…").
                other = [b for b in sides_mod.side_question(pair, text, cues) if b["title"] == cues.labels[OPPOSITE[side]]]
                return Turn(ANSWER, hits[0].entry.category, hits[0].entry, buttons=other, remember=text)
    entry = hits[0].entry
    if (previous is not None and entry.id != previous.id and entry.category == previous.category
            and _points_back(index, text, previous, previous_question)):
        # A short question in the matter just answered whose own words find another entry, but which, read with
        # the question before it, finds the answer just given ("我儿子会不会坐牢啊" after an e-bike collision):
        # the follow-up logic weighs that answer against the topic's other entries (followup.resolve).
        entry = previous
    if previous is not None and entry.id == previous.id and normalize(text) != normalize(previous_question):
        # Never the previous answer word for word: read it as a follow-up of that topic.
        reply = followup.resolve(index, text, previous, entry.category, previous_question, said=said)
        return _from_reply(reply, remember_topic)
    return Turn(ANSWER, entry.category, entry, remember=text)


# A message longer than this is a question of its own, not one about the answer just given.
POINTS_BACK_CHARS = 40


def _points_back(index: Index, text: str, previous: FaqEntry, previous_question: str) -> bool:
    """Whether a short message of the same matter, read with the citizen's question before it, finds the
    answer just given first, and is no new matter ("另外问一下…")."""
    t = normalize(text)
    if len(t) > POINTS_BACK_CHARS or followup.opens_new_matter(t) or not previous_question:
        return False
    together = index.search(f"{previous_question} {text}", category=previous.category, k=1)
    return bool(together) and together[0].entry.id == previous.id and index.is_confident(together)


def cues_label(side: str) -> str:
    """The side's button label ("我是受害方"), which reveals it as a message would."""
    return sides_mod.load().labels.get(side, "")


def _other_party(entry: FaqEntry, revealed: frozenset[str]) -> bool:
    """Whether the entry is written for the other party of a side the writer revealed."""
    return bool(entry.side) and entry.side not in revealed and OPPOSITE.get(entry.side) in revealed


def _without_asking(index: Index, text: str, hits: list[Hit], pair: tuple[str, str], earlier: tuple[str, ...], *,
                    category: str | None, category_confidence: float | None) -> list[Hit]:
    """The hits to answer from when the best answers differ by side but the citizen need not be asked;
    empty when the side question is the honest reply.

    - The citizen told their side earlier in the conversation ("我前夫…说要砍我", then after the crisis
      "他这样能判刑吗"): search again on that side. Else the side a citizen is on unless they say otherwise
      (`sides.assumed`: the worker, the patient).
    - The two sides are the same kind of person in this matter (the two spouses of a divorce,
      knowledge/retrieval/sides.yml `same_law`): the best entry that serves both, else the best."""
    known = set(sides_mod.detect_in(earlier) & set(pair))
    if not known and (assumed := sides_mod.assumed(pair)):
        known = {assumed}
    if known:
        again = index.search(text, category=category, k=3, sides=frozenset(known),
                             category_confidence=category_confidence)
        mine = [h for h in [*again, *hits] if h.entry.side in known | {""} and index.is_confident([h])]
        return mine[:1]
    pair_category = next(h.entry.category for h in hits if h.entry.side in pair)
    if not sides_mod.asked_by_law(pair_category, pair):
        both = [h for h in hits if not h.entry.side and index.is_confident([h])]
        return both[:1] or hits[:1]
    return []
