"""Consultation classification with the trained Rasa model, loaded in-process (no server)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot import taxonomy
from bot.legal_aid import requests
from bot.safety import CONCERN_INTENT, assess

# A follow-up-looking message whose best legal category reaches this confidence names its own topic.
FOLLOW_UP_TOPIC_CONFIDENCE = 0.2


# What the pipeline does with a message (`decision` in `hotline classify`).
ANSWER = "answer"  # a category answer: the message is treated as that legal question
CLARIFY = "clarify"  # a clarifying question with the likeliest categories as buttons
REJECT = "out_of_scope"  # the scope message: confidently not a legal question
DIALOGUE = "dialogue"  # a greeting, thanks, farewell or another dialogue turn
CRISIS = "crisis"  # the crisis flow
DECISIONS = (ANSWER, CLARIFY, REJECT, DIALOGUE, CRISIS)


@dataclass(frozen=True)
class Classification:
    text: str
    category: str  # one of taxonomy.LABELS
    confidence: float
    entities: list[dict[str, Any]] = field(default_factory=list)
    intent: str = ""  # the NLU intent behind the category
    decision: str = ANSWER  # one of DECISIONS
    safety: str | None = None  # "crisis" | "concern" | None (bot.safety); crisis iff category is crisis

    @property
    def legal_answer(self) -> bool:
        """True when the citizen gets a category's legal answer (not a question back, not a refusal)."""
        return self.decision == ANSWER

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "category": self.category, "confidence": round(self.confidence, 4),
                "decision": self.decision, "entities": self.entities, "safety": self.safety}


def decision_of(intent: str) -> str:
    """The pipeline's decision for the final NLU intent (after the scope guard)."""
    if intent == taxonomy.NLU_FALLBACK:
        return CLARIFY
    if intent == taxonomy.CRISIS:
        return CRISIS
    if intent in (taxonomy.OUT_OF_SCOPE, taxonomy.EMPTY_MESSAGE, taxonomy.UNSUPPORTED_INPUT):
        return REJECT
    if taxonomy.category_of_intent(intent) in taxonomy.CATEGORIES:
        return ANSWER
    return DIALOGUE


def named_topic(parse: dict[str, Any]) -> str | None:
    """The legal category a follow-up-looking message names itself, if any.

    "需要什么材料" alone is a dialogue turn; in "办公证需要带什么" the topic shows as a strong runner-up.
    """
    legal = [r for r in parse.get("intent_ranking") or [] if r.get("name") in taxonomy.CATEGORIES]
    if legal and float(legal[0]["confidence"]) >= FOLLOW_UP_TOPIC_CONFIDENCE:
        return str(legal[0]["name"])
    return None


def from_parse(text: str, parse: dict[str, Any]) -> Classification:
    """Turns Rasa parse data into a taxonomy label.

    Below the fallback threshold the chat asks the citizen to rephrase; here we report the best
    real intent with its confidence, so that evaluation sees what the model believes.
    """
    intent = parse.get("intent") or {}
    name, confidence = intent.get("name") or "", float(intent.get("confidence") or 0.0)
    if name == CONCERN_INTENT:
        # A concern the classifier would have turned away: report the classifier's own call.
        behind = [r for r in parse.get("intent_ranking") or [] if r.get("name") != CONCERN_INTENT]
        if behind:
            name, confidence = behind[0]["name"], float(behind[0]["confidence"])
    decision = decision_of(name)
    if name == taxonomy.NLU_FALLBACK:
        # The clarifying question's likeliest category (behind a concern the ranking also holds the
        # concern intent itself, which is not a category).
        ranked = [r for r in parse.get("intent_ranking") or []
                  if r.get("name") not in (taxonomy.NLU_FALLBACK, CONCERN_INTENT)]
        if ranked:
            name, confidence = ranked[0]["name"], float(ranked[0]["confidence"])
    if name == taxonomy.FOLLOW_UP:
        topic = named_topic(parse)
        if topic:
            name = topic
            confidence = next(float(r["confidence"]) for r in parse["intent_ranking"] if r.get("name") == topic)
            decision = ANSWER
    if name in (taxonomy.EMPTY_MESSAGE, taxonomy.UNSUPPORTED_INPUT):
        category = taxonomy.OUT_OF_SCOPE
    else:
        category = taxonomy.category_of_intent(name)
    request = parse.get(requests.PARSE_KEY) or {}
    if request.get("kind") in (requests.APPLY, requests.STATUS):
        # "我想申请法律援助，老板欠我工资" starts the application, but the matter it tells is wage arrears;
        # a request with no matter is a legal-aid consultation.
        matter = request.get("matter_category")
        category = matter if matter in taxonomy.CATEGORIES else requests.AID_CATEGORY
    entities = [
        {"entity": e["entity"], "value": e["value"], "start": e["start"], "end": e["end"]}
        for e in parse.get("entities") or []
    ]
    return Classification(text, category, confidence, entities, name, decision, _safety_tier(text, parse))


def _safety_tier(text: str, parse: dict[str, Any]) -> str | None:
    """The tier ScopeGuard put in the parse; computed here for a parse that lacks it."""
    if "safety" in parse:
        return (parse["safety"] or {}).get("tier")
    signal = assess(text)
    return signal.tier if signal else None


class Classifier:
    """Loads a trained model once and classifies texts with it."""

    def __init__(self, model_path: Path) -> None:
        from rasa.core.agent import Agent

        self._agent = Agent.load(str(model_path))
        self._loop = asyncio.new_event_loop()

    def parse(self, text: str) -> dict[str, Any]:
        return self._loop.run_until_complete(self._agent.parse_message(text))

    def classify(self, text: str) -> Classification:
        return from_parse(text, self.parse(text))
