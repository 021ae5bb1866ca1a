"""What the bot does with a citizen's message when a human is involved (no Rasa here).

- A ticket is claimed: the bot is silent; the message goes into the ticket's transcript. "结束人工"
  closes the ticket and the bot takes over again, asking for a rating.
- A ticket is open (waiting): the bot answers as usual; the message is added to the transcript so the
  agent who claims it sees it. "结束人工" cancels the request.
- A closed ticket waits for feedback: a score 1–5, then an optional comment, are stored.

`decide` is the pure rule and this module has no database in it (review L6);
`bot.handoff.intercept` applies the rule to the store. The Rasa server adapter (`bot.handoff.channel`)
rewrites the message to the returned payload or drops it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from bot.entities.phone import extract_phones
from bot.entities.regions import extract_regions
from bot.handoff import tickets as T
from bot.paths import KNOWLEDGE

PHRASES_FILE = KNOWLEDGE / "handoff_phrases.yml"

PASS = "pass"  # the bot handles the message as usual
SILENCE = "silence"  # a human has the conversation: no bot reply
REWRITE = "rewrite"  # the bot handles `payload` instead of the text

# Payloads the bot's rules answer (domain.yml); `step` tells the action which reply to give.
INTENT_END = "end_handoff"
INTENT_FEEDBACK = "rate_service"
INTENT_REGION = "handoff_region"  # a waiting citizen answered "which province or city?"
INTENT_PHONE = "handoff_phone"  # a waiting mediation request got its phone number
REGION_ANSWER_CHARS = 20  # longer messages are questions that happen to name a place
STEP_ENDED = "ended"  # the citizen ended a claimed ticket: ask for the rating
STEP_ENDED_UNRATED = "ended_unrated"  # the same for a crisis: no rating request (console review B1)
STEP_CANCELLED = "cancelled"  # the citizen withdrew a request nobody had claimed yet
STEP_NONE = "none"  # 结束人工 with no ticket
STEP_RATED = "rated"  # score stored: ask for a comment
STEP_COMMENTED = "commented"  # comment stored (or skipped): thanks
STEP_NOT_EXPECTED = "not_expected"  # a rating button pressed with nothing to rate

_STRIP = re.compile(r"[\s,.!?;:，。！？；：、~～…]+")
_SCORE = re.compile(r"([1-5])\s*(?:分|星)?")
_PAYLOAD = re.compile(r"^/(\w+)(\{.*\})?$", re.S)


@dataclass(frozen=True)
class Decision:
    action: str  # PASS | SILENCE | REWRITE
    payload: str | None = None  # for REWRITE


def payload(intent: str, step: str) -> str:
    return f'/{intent}{{"handoff_step":"{step}"}}'


@lru_cache(maxsize=1)
def phrases() -> dict[str, Any]:
    return yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8"))


def _bare(text: str) -> str:
    return _STRIP.sub("", text or "")


def _parse_payload(text: str) -> tuple[str, dict[str, Any]] | None:
    m = _PAYLOAD.match((text or "").strip())
    if not m:
        return None
    try:
        entities = json.loads(m.group(2)) if m.group(2) else {}
    except ValueError:
        entities = {}
    return m.group(1), entities if isinstance(entities, dict) else {}


def is_end_request(text: str) -> bool:
    parsed = _parse_payload(text)
    if parsed is not None:
        return parsed[0] == INTENT_END
    return _bare(text) in phrases()["end_handoff"]


def is_skip(text: str) -> bool:
    return _bare(text) in phrases()["skip"]


def parse_score(text: str) -> int | None:
    """1–5 from "5", "5分", "五星", "非常满意" or a rating button's payload; None otherwise."""
    parsed = _parse_payload(text)
    if parsed is not None:
        intent, entities = parsed
        if intent != INTENT_FEEDBACK:
            return None
        try:
            score = int(entities.get("rating_score") or "")  # absent: ValueError
        except (TypeError, ValueError):
            return None
        return score if score in T.RATING_RANGE else None
    bare = _bare(text)
    m = _SCORE.fullmatch(bare)
    if m:
        return int(m.group(1))
    for score, words in phrases()["scores"].items():
        if bare in words:
            return int(score)
    return None


def is_rating_button(text: str) -> bool:
    parsed = _parse_payload(text)
    return parsed is not None and parsed[0] == INTENT_FEEDBACK


def region_in(text: str) -> str | None:
    """The first region named in the text (canonical name from the gazetteer), if any."""
    found = extract_regions(text or "") if not (text or "").startswith("/") else []
    return str(found[0].value) if found else None


def phone_in(text: str) -> str | None:
    """The one mobile number written in a short answer, if any."""
    if (text or "").startswith("/") or len(_bare(text)) > REGION_ANSWER_CHARS + 11:
        return None
    found = extract_phones(text or "")
    return str(found[0].value) if len(found) == 1 else None


def asks_bot_identity(text: str) -> bool:
    """"你是机器人还是真人": a question about the bot, not a request for a human."""
    return bool(re.search(phrases()["bot_identity_pattern"], (text or "").lower()))


def decide(text: str, active: T.Ticket | None, feedback: T.Ticket | None) -> Decision:
    """The rule, without side effects: what happens to `text` given the conversation's tickets."""
    if is_end_request(text):
        if active is None:
            return Decision(REWRITE, payload(INTENT_END, STEP_NONE))
        step = STEP_ENDED if active.status == T.CLAIMED else STEP_CANCELLED
        if step == STEP_ENDED and active.is_crisis:
            step = STEP_ENDED_UNRATED  # a citizen in danger is not asked to score the service
        return Decision(REWRITE, payload(INTENT_END, step))
    if active is not None:
        if active.status == T.CLAIMED:
            return Decision(SILENCE)
        if active.kind == T.MEDIATION and active.callback_phone_masked is None and phone_in(text):
            return Decision(REWRITE, f"/{INTENT_PHONE}")
        if active.region is None and len(_bare(text)) <= REGION_ANSWER_CHARS and region_in(text):
            return Decision(REWRITE, f"/{INTENT_REGION}")
        return Decision(PASS)
    if feedback is not None:
        if feedback.feedback_state == T.FEEDBACK_RATING_ASKED:
            if parse_score(text) is not None:
                return Decision(REWRITE, payload(INTENT_FEEDBACK, STEP_RATED))
            return Decision(PASS)  # the citizen moved on: the bot answers
        if feedback.feedback_state == T.FEEDBACK_COMMENT_ASKED:
            if _parse_payload(text) is not None and not is_rating_button(text):
                return Decision(PASS)  # a menu button: no comment
            return Decision(REWRITE, payload(INTENT_FEEDBACK, STEP_COMMENTED))
    if is_rating_button(text):
        return Decision(REWRITE, payload(INTENT_FEEDBACK, STEP_NOT_EXPECTED))
    return Decision(PASS)

