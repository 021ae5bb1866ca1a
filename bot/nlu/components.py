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

from bot import clock, taxonomy
from bot.entities import extract_all
from bot.legal_aid import reference, requests
from bot.nlu.linear import LinearIntentModel, LinearSettings
from bot.nlu.reference import faq_examples, faq_fingerprint
from bot.normalize import has_chinese, normalize
from bot.safety import CONCERN_INTENT, assess
from bot.scope import Thresholds, decide

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


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Intent probabilities from the linear char+word n-gram model (bot/nlu/linear.py).

    It ranks every intent it was trained on, so that the scope guard can weigh all the legal
    categories together. Intents in `excluded_intents` are not learnt: crisis is decided by the
    crisis phrases alone, never by the statistical classifier. With `faq_reference` the SVM also
    reads the curated FAQ's questions and paraphrases at `reference_weight` (bot/nlu/reference.py),
    and so do the naive Bayes and sentence-embedding members when their weights are above 0.
    """

    MODEL_FILE = "linear_intents.joblib"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"kind": "ensemble", "c": 10.0, "svm_c": 1.0, "char_ngrams": [1, 3], "word_ngrams": [1, 2],
                "excluded_intents": ["crisis"], "faq_reference": True, "reference_weight": 0.3,
                # The members' shares and settings as bot/nlu/linear.py ships them, written once there.
                "naive_bayes_weight": LinearSettings.naive_bayes_weight,
                "naive_bayes_alpha": LinearSettings.naive_bayes_alpha,
                "embedding_weight": LinearSettings.embedding_weight, "embedding_c": LinearSettings.embedding_c,
                "pooling": LinearSettings.pooling, "pooling_floor": LinearSettings.pooling_floor}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        # The FAQ is read from knowledge/faq, outside the training data Rasa fingerprints.
        return faq_fingerprint() if config.get("faq_reference", True) else None

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
                model = joblib.load(directory / cls.MODEL_FILE)
        except (ValueError, FileNotFoundError):
            return cls(config, model_storage, resource)
        # Pooling acts on the members' probabilities only: the configured one applies to any stored model.
        model.settings.pooling, model.settings.pooling_floor = str(config["pooling"]), float(config["pooling_floor"])
        model.compact()  # half the memory for serving (bot/nlu/linear.py)
        model.warm_up()  # the embedding engine loads now, not on the first citizen's message
        return cls(config, model_storage, resource, model)

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
                                  word_ngrams=tuple(self._config["word_ngrams"]),
                                  reference_weight=float(self._config["reference_weight"]),
                                  naive_bayes_weight=float(self._config["naive_bayes_weight"]),
                                  naive_bayes_alpha=float(self._config["naive_bayes_alpha"]),
                                  embedding_weight=float(self._config["embedding_weight"]),
                                  embedding_c=float(self._config["embedding_c"]),
                                  pooling=str(self._config["pooling"]),
                                  pooling_floor=float(self._config["pooling_floor"]))
        model = LinearIntentModel(settings)
        model.fit([m.get(TEXT) for m in examples], [self._tokens(m) for m in examples],
                  [m.get(INTENT) for m in examples],
                  reference=faq_examples() if self._config["faq_reference"] else None)
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
        today = clock.today()  # relative dates ("上个月", "明天") are read against the date in China
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            entities = [
                {"entity": e.entity, "value": e.value, "start": e.start, "end": e.end,
                 "extractor": type(self).__name__}
                for e in extract_all(text, today)
            ]
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        return messages


def retrieval_confirms(text: str, category: str) -> bool:
    """Whether the FAQ retrieval, reading the message alone, confidently finds an entry of `category`
    (bot/scope.py `Thresholds.confirmed_chars`)."""
    from bot import knowledge_base  # the knowledge base is loaded on the first long unsure message only

    index = knowledge_base.shared().index
    hits = index.search(text, k=1)
    return index.is_confident(hits) and hits[0].entry.category == category


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ScopeGuard(_ConfiguredOnly):
    """Turns the classifier's ranking into the decision the dialogue acts on. It runs last.

    - A crisis phrase beats any prediction: crisis recall must be total. The classifier alone never
      starts the crisis flow: a predicted crisis without a matching rule gives way to the next intent.
      The safety tier (crisis, concern or none) goes into the parse as `safety`.
    - Empty input, and input with no Chinese text (emoji, Latin, markup), get their own intents and a
      polite request for a question.
    - A message naming a legal-aid reference number is a status query; an explicit request to apply for
      legal aid, to ask an application's status or to decline it (bot/legal_aid/requests.py) is that, whatever
      matter it also tells. The classifier's ranking is kept behind it and the matter's category goes
      into the parse as `aid_request`, for the form to prefill. A question about legal aid ("我要不要申请
      法律援助") never starts the form, whatever the classifier says: the FAQ answers it.
    - Otherwise scope is a graded decision (bot/scope.py): out of scope only when confidently not
      legal, the best category when clear enough (or, for a long message, when the FAQ retrieval finds
      an entry of it with confidence), else a clarifying question (nlu_fallback) whose ranking puts the
      likeliest categories first, for the buttons.
    """

    # The ranking kept in the parse data after the decision (the tracker stores it every turn).
    RANKING_LENGTH = 10

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        t = Thresholds()
        return {"answer_threshold": t.answer, "answer_legal_threshold": t.answer_legal,
                "reject_threshold": t.reject, "legal_doubt": t.legal_doubt, "reject_strong": t.reject_strong,
                "legal_doubt_strong": t.legal_doubt_strong, "dialogue_threshold": t.dialogue}

    @property
    def _thresholds(self) -> Thresholds:
        c = {**self.get_default_config(), **self._config}
        return Thresholds(answer=float(c["answer_threshold"]), answer_legal=float(c["answer_legal_threshold"]),
                          reject=float(c["reject_threshold"]),
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
            elif (request := requests.detect(text)) is not None:
                self._request(message, request)
            else:
                if self._current_intent(message) == taxonomy.APPLY_LEGAL_AID and requests.asks_about_aid(text):
                    # "我要不要申请法律援助": a question about legal aid, though the classifier may call it
                    # the request; its probability goes to the legal-aid consultation, which the FAQ answers.
                    self._fold(message, taxonomy.APPLY_LEGAL_AID, requests.AID_CATEGORY)
                self._decide(message, text)
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

    def _request(self, message: Message, request: requests.Request) -> None:
        classified = message.get(INTENT_RANKING_KEY) or []
        matter = requests.matter_category(
            [(str(r.get(INTENT_NAME_KEY)), float(r.get(PREDICTED_CONFIDENCE_KEY) or 0.0)) for r in classified])
        ranking = [r for r in classified if r.get(INTENT_NAME_KEY) not in (request.intent, taxonomy.NLU_FALLBACK)]
        intent = {INTENT_NAME_KEY: request.intent, PREDICTED_CONFIDENCE_KEY: 1.0}
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent, *ranking][: self.RANKING_LENGTH], add_to_output=True)
        message.set(requests.PARSE_KEY, {"kind": request.kind, "phrase": request.phrase, "matter_category": matter},
                    add_to_output=True)

    @staticmethod
    def _fold(message: Message, source: str, into: str) -> None:
        """Moves the probability of intent `source` onto intent `into` in the ranking."""
        ranking = message.get(INTENT_RANKING_KEY) or []
        moved = sum(float(r.get(PREDICTED_CONFIDENCE_KEY) or 0.0) for r in ranking if r.get(INTENT_NAME_KEY) == source)
        if not moved:
            return
        kept = [r for r in ranking if r.get(INTENT_NAME_KEY) not in (source, into)]
        had = sum(float(r.get(PREDICTED_CONFIDENCE_KEY) or 0.0) for r in ranking if r.get(INTENT_NAME_KEY) == into)
        kept.append({INTENT_NAME_KEY: into, PREDICTED_CONFIDENCE_KEY: had + moved})
        kept.sort(key=lambda r: -float(r.get(PREDICTED_CONFIDENCE_KEY) or 0.0))
        message.set(INTENT_RANKING_KEY, kept, add_to_output=True)
        message.set(INTENT, kept[0], add_to_output=True)

    def _decide(self, message: Message, text: str) -> None:
        ranking = [(str(r.get(INTENT_NAME_KEY)), float(r.get(PREDICTED_CONFIDENCE_KEY) or 0.0))
                   for r in message.get(INTENT_RANKING_KEY) or []]
        decision = decide(ranking, text, self._thresholds, confirms=retrieval_confirms)
        intent = {INTENT_NAME_KEY: decision.intent, PREDICTED_CONFIDENCE_KEY: decision.confidence}
        kept = [{INTENT_NAME_KEY: n, PREDICTED_CONFIDENCE_KEY: p} for n, p in decision.ranking]
        if decision.intent == taxonomy.NLU_FALLBACK:
            kept = [intent] + kept
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, kept[: self.RANKING_LENGTH], add_to_output=True)

    @staticmethod
    def _current_intent(message: Message) -> str | None:
        return (message.get(INTENT) or {}).get(INTENT_NAME_KEY)

    @staticmethod
    def _override(message: Message, intent_name: str, confidence: float, keep_ranking: bool = False) -> None:
        intent = {INTENT_NAME_KEY: intent_name, PREDICTED_CONFIDENCE_KEY: confidence}
        message.set(INTENT, intent, add_to_output=True)
        ranking = [intent] + (message.get(INTENT_RANKING_KEY) or []) if keep_ranking else [intent]
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
