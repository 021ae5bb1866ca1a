"""Custom Rasa graph components for the Chinese pipeline in config.yml.

Each one delegates to a pure module so that the logic is tested without Rasa.
"""

from __future__ import annotations

from typing import Any

import joblib
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
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
from bot.nlu.linear import LinearIntentModel, LinearSettings
from bot.normalize import has_chinese, normalize
from bot.safety import detect_crisis
from bot.scope import Thresholds, decide

ORIGINAL_TEXT = "original_text"
CRISIS_MATCH = "crisis_match"


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


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Intent probabilities from the linear char+word n-gram model (bot/nlu/linear.py).

    It ranks every intent it was trained on, so that the scope guard can weigh all the legal
    categories together. Intents in `excluded_intents` are not learnt: crisis is decided by the
    crisis phrases alone, never by the statistical classifier.
    """

    MODEL_FILE = "linear_intents.joblib"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"kind": "ensemble", "c": 10.0, "svm_c": 1.0, "char_ngrams": [1, 3], "word_ngrams": [1, 2],
                "excluded_intents": ["crisis"]}

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 model: LinearIntentModel | None = None) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> LinearIntentClassifier:
        return cls({**cls.get_default_config(), **config}, model_storage, resource)

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> LinearIntentClassifier:
        config = {**cls.get_default_config(), **config}
        try:
            with model_storage.read_from(resource) as directory:
                return cls(config, model_storage, resource, joblib.load(directory / cls.MODEL_FILE))
        except (ValueError, FileNotFoundError):
            return cls(config, model_storage, resource)

    @staticmethod
    def _tokens(message: Message) -> list[str]:
        return [t.text for t in message.get(TOKENS_NAMES[TEXT]) or []]

    def train(self, training_data: TrainingData) -> Resource:
        excluded = set(self._config["excluded_intents"])
        examples = [m for m in training_data.intent_examples
                    if m.get(INTENT) not in excluded and m.get(TEXT)]
        settings = LinearSettings(kind=str(self._config["kind"]), c=float(self._config["c"]),
                                  svm_c=float(self._config["svm_c"]),
                                  char_ngrams=tuple(self._config["char_ngrams"]),
                                  word_ngrams=tuple(self._config["word_ngrams"]))
        model = LinearIntentModel(settings)
        model.fit([m.get(TEXT) for m in examples], [self._tokens(m) for m in examples],
                  [m.get(INTENT) for m in examples])
        self._model = model
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(model, directory / self.MODEL_FILE)
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if self._model is None or not text:
                continue
            ranking = [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: p}
                       for name, p in self._model.rank(text, self._tokens(message))]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages


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
    """Turns the classifier's ranking into the decision the dialogue acts on. It runs last.

    - A crisis phrase beats any prediction: crisis recall must be total.
    - Empty input, and input with no Chinese text (emoji, Latin, markup), get their own intents and a
      polite request for a question.
    - A message naming a legal-aid reference number is a status query.
    - Otherwise scope is a graded decision (bot/scope.py): out of scope only when confidently not
      legal, the best category when clear enough, else a clarifying question (nlu_fallback) whose
      ranking puts the likeliest categories first, for the buttons.
    """

    # The ranking kept in the parse data after the decision (the tracker stores it every turn).
    RANKING_LENGTH = 10

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        t = Thresholds()
        return {"answer_threshold": t.answer, "reject_threshold": t.reject, "legal_doubt": t.legal_doubt,
                "reject_strong": t.reject_strong, "legal_doubt_strong": t.legal_doubt_strong,
                "dialogue_threshold": t.dialogue}

    @property
    def _thresholds(self) -> Thresholds:
        c = {**self.get_default_config(), **self._config}
        return Thresholds(answer=float(c["answer_threshold"]), reject=float(c["reject_threshold"]),
                          legal_doubt=float(c["legal_doubt"]), reject_strong=float(c["reject_strong"]),
                          legal_doubt_strong=float(c["legal_doubt_strong"]),
                          dialogue=float(c["dialogue_threshold"]))

    @property
    def _fallback_threshold(self) -> float:
        """Below this the best category is not answered but asked about (the answer threshold)."""
        return self._thresholds.answer

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            original = message.get(ORIGINAL_TEXT) or text
            crisis = detect_crisis(text)
            if crisis is not None:
                self._override(message, taxonomy.CRISIS, 1.0)
                message.set(CRISIS_MATCH, {"kind": crisis.kind, "phrase": crisis.phrase}, add_to_output=True)
            elif not original.strip():
                self._override(message, taxonomy.EMPTY_MESSAGE, 1.0)
            elif not has_chinese(text):
                self._override(message, taxonomy.UNSUPPORTED_INPUT, 1.0)
            elif reference.find(original):
                # A legal-aid reference number (FY-2026-000123-5) is only ever written to ask its status.
                self._override(message, taxonomy.QUERY_STATUS, 1.0)
            else:
                self._decide(message, text)
        return messages

    def _decide(self, message: Message, text: str) -> None:
        ranking = [(str(r.get(INTENT_NAME_KEY)), float(r.get(PREDICTED_CONFIDENCE_KEY) or 0.0))
                   for r in message.get(INTENT_RANKING_KEY) or []]
        decision = decide(ranking, text, self._thresholds)
        intent = {INTENT_NAME_KEY: decision.intent, PREDICTED_CONFIDENCE_KEY: decision.confidence}
        kept = [{INTENT_NAME_KEY: n, PREDICTED_CONFIDENCE_KEY: p} for n, p in decision.ranking]
        if decision.intent == taxonomy.NLU_FALLBACK:
            kept = [intent] + kept
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, kept[: self.RANKING_LENGTH], add_to_output=True)

    @staticmethod
    def _override(message: Message, intent_name: str, confidence: float) -> None:
        intent = {INTENT_NAME_KEY: intent_name, PREDICTED_CONFIDENCE_KEY: confidence}
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
