"""Custom Rasa graph components for the Chinese pipeline in config.yml.

Each one delegates to a pure module so that the logic is tested without Rasa.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import taxonomy
from bot.entities import extract_all
from bot.legal_aid import reference
from bot.normalize import has_chinese, normalize
from bot.safety import CONCERN_INTENT, assess
from bot.scope import legal_cue

ORIGINAL_TEXT = "original_text"
CRISIS_MATCH = "crisis_match"
SAFETY = "safety"  # bot.safety.Signal.as_dict() or None, on every parse


class _ConfiguredOnly(GraphComponent):
    """A component with no trained state: built from its config alone."""

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls({**cls.get_default_config(), **config})


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class TextNormalizer(_ConfiguredOnly):
    """Rewrites the text to its normal form (Simplified, half-width, tidy whitespace) before jieba."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._normalize(message)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._normalize(message)
        return messages

    @staticmethod
    def _normalize(message: Message) -> None:
        text = message.get(TEXT)
        if not text:
            return
        message.set(ORIGINAL_TEXT, text)
        message.set(TEXT, normalize(text))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class HotlineEntityExtractor(_ConfiguredOnly, EntityExtractorMixin):
    """Money, durations, dates, regions, mobile numbers and ID numbers, with normalised values."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            entities = [
                {"entity": e.entity, "value": e.value, "start": e.start, "end": e.end,
                 "extractor": type(self).__name__}
                for e in extract_all(text)
            ]
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ScopeGuard(_ConfiguredOnly):
    """Overrides the statistical classifier where rules must win. It runs last, after the fallback.

    - A crisis phrase beats any prediction: crisis recall must be total. The classifier alone never
      starts the crisis flow: a predicted crisis without a matching rule gives way to the next intent.
      The safety tier (crisis, concern or none) goes into the parse as `safety`.
    - Empty input, and input with no Chinese text (emoji, Latin, markup), get their own intents and a
      polite request for a question.
    - A message naming a legal-aid reference number is a status query.
    - A message with a dispute cue is never rejected as out of scope: it takes the best legal
      category, or the fallback question when that category is too uncertain.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"fallback_threshold": 0.5}

    @property
    def _fallback_threshold(self) -> float:
        return float(self._config["fallback_threshold"])

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            original = message.get(ORIGINAL_TEXT) or text
            signal = assess(text)
            message.set(SAFETY, signal.as_dict() if signal else None, add_to_output=True)
            if signal is not None and signal.is_crisis:
                self._override(message, taxonomy.CRISIS, 1.0)
                message.set(CRISIS_MATCH, {"kind": signal.kind, "phrase": signal.phrase}, add_to_output=True)
                continue
            self._drop_predicted_crisis(message)
            if not original.strip():
                self._override(message, taxonomy.EMPTY_MESSAGE, 1.0)
            elif not has_chinese(text):
                self._override(message, taxonomy.UNSUPPORTED_INPUT, 1.0)
            elif reference.find(original):
                # A legal-aid reference number (FY-2026-000123-5) is only ever written to ask its status.
                self._override(message, taxonomy.QUERY_STATUS, 1.0)
            elif self._top_intent(message) == taxonomy.OUT_OF_SCOPE and legal_cue(text):
                self._prefer_legal_category(message)
            if signal is not None and self._current_intent(message) in (taxonomy.OUT_OF_SCOPE, taxonomy.NLU_FALLBACK):
                # A concern is not turned away or asked to rephrase: it gets the number first.
                self._override(message, CONCERN_INTENT, 1.0, keep_ranking=True)
        return messages

    def _drop_predicted_crisis(self, message: Message) -> None:
        """A crisis predicted by the classifier with no safety rule behind it gives way to the next intent
        ("我想辞职，辞职了还能拿什么钱" must get its answer, not 110)."""
        ranking = message.get(INTENT_RANKING_KEY) or []
        intent = message.get(INTENT) or {}
        if intent.get(INTENT_NAME_KEY) != taxonomy.CRISIS and not any(
                r.get(INTENT_NAME_KEY) == taxonomy.CRISIS for r in ranking):
            return
        rest = [r for r in ranking if r.get(INTENT_NAME_KEY) != taxonomy.CRISIS]
        best = next((r for r in rest if r.get(INTENT_NAME_KEY) != taxonomy.NLU_FALLBACK), None)
        if best is None or best[PREDICTED_CONFIDENCE_KEY] < self._fallback_threshold:
            fallback = {INTENT_NAME_KEY: taxonomy.NLU_FALLBACK, PREDICTED_CONFIDENCE_KEY: self._fallback_threshold}
            chosen = fallback
            rest = [fallback] + [r for r in rest if r.get(INTENT_NAME_KEY) != taxonomy.NLU_FALLBACK]
        else:
            chosen = {INTENT_NAME_KEY: best[INTENT_NAME_KEY], PREDICTED_CONFIDENCE_KEY: best[PREDICTED_CONFIDENCE_KEY]}
        if intent.get(INTENT_NAME_KEY) in (taxonomy.CRISIS, taxonomy.NLU_FALLBACK):
            message.set(INTENT, chosen, add_to_output=True)
        message.set(INTENT_RANKING_KEY, rest, add_to_output=True)

    @staticmethod
    def _top_intent(message: Message) -> str | None:
        """The classifier's own best intent, looking through the fallback."""
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != taxonomy.NLU_FALLBACK]
        return ranking[0].get(INTENT_NAME_KEY) if ranking else None

    def _prefer_legal_category(self, message: Message) -> None:
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != taxonomy.NLU_FALLBACK]
        legal = [r for r in ranking if r.get(INTENT_NAME_KEY) in taxonomy.CATEGORIES]
        if not legal:
            return
        best = legal[0]
        reordered = [best] + [r for r in ranking if r is not best]
        if best[PREDICTED_CONFIDENCE_KEY] < self._fallback_threshold:
            # Too uncertain to answer: ask the citizen to say more rather than turn them away.
            fallback = {INTENT_NAME_KEY: taxonomy.NLU_FALLBACK, PREDICTED_CONFIDENCE_KEY: self._fallback_threshold}
            message.set(INTENT, fallback, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [fallback] + reordered, add_to_output=True)
        else:
            message.set(INTENT, {INTENT_NAME_KEY: best[INTENT_NAME_KEY],
                                 PREDICTED_CONFIDENCE_KEY: best[PREDICTED_CONFIDENCE_KEY]}, add_to_output=True)
            message.set(INTENT_RANKING_KEY, reordered, add_to_output=True)

    @staticmethod
    def _current_intent(message: Message) -> str | None:
        return (message.get(INTENT) or {}).get(INTENT_NAME_KEY)

    @staticmethod
    def _override(message: Message, intent_name: str, confidence: float, keep_ranking: bool = False) -> None:
        intent = {INTENT_NAME_KEY: intent_name, PREDICTED_CONFIDENCE_KEY: confidence}
        message.set(INTENT, intent, add_to_output=True)
        ranking = [intent] + (message.get(INTENT_RANKING_KEY) or []) if keep_ranking else [intent]
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
