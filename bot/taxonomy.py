"""The hotline taxonomy: stable ids that other parts of the system and evaluations rely on."""

from __future__ import annotations

from typing import Final

# Consultation categories, in the order of the foundation issue.
CATEGORIES: Final[tuple[str, ...]] = (
    "wage_arrears",
    "labor_dispute",
    "work_injury",
    "marriage_family",
    "domestic_violence",
    "inheritance",
    "medical_dispute",
    "traffic_accident",
    "debt",
    "housing_property",
    "neighbor_dispute",
    "consumer",
    "contract",
    "personal_injury",
    "land_rural",
    "criminal",
    "administrative",
    "legal_aid",
    "notary_appraisal",
    "litigation_procedure",
    "other_legal",
)

CRISIS: Final = "crisis"
OUT_OF_SCOPE: Final = "out_of_scope"
NONE: Final = "none"

# Every label `hotline classify` may print.
LABELS: Final[tuple[str, ...]] = CATEGORIES + (CRISIS, OUT_OF_SCOPE, NONE)

# Dialogue intents: turns that are not consultations.
GREET: Final = "greet"
GOODBYE: Final = "goodbye"
THANK: Final = "thank"
AFFIRM: Final = "affirm"
DENY: Final = "deny"
REQUEST_HUMAN: Final = "request_human"
APPLY_LEGAL_AID: Final = "apply_legal_aid"
APPLY_MEDIATION: Final = "apply_mediation"
QUERY_STATUS: Final = "query_status"
CONTINUE_CONSULT: Final = "continue_consult"
FOLLOW_UP: Final = "follow_up"
SHOW_ARTICLES: Final = "show_articles"
NLU_FALLBACK: Final = "nlu_fallback"
# Set by the NLU guard, never predicted by the classifier.
EMPTY_MESSAGE: Final = "empty_message"
UNSUPPORTED_INPUT: Final = "unsupported_input"

DIALOGUE_INTENTS: Final[tuple[str, ...]] = (
    GREET,
    GOODBYE,
    THANK,
    AFFIRM,
    DENY,
    REQUEST_HUMAN,
    APPLY_LEGAL_AID,
    APPLY_MEDIATION,
    QUERY_STATUS,
    CONTINUE_CONSULT,
    FOLLOW_UP,
    SHOW_ARTICLES,
)


def category_of_intent(intent: str) -> str:
    """Maps an NLU intent to the label printed by `hotline classify`."""
    if intent in CATEGORIES or intent in (CRISIS, OUT_OF_SCOPE):
        return intent
    if intent == APPLY_LEGAL_AID:
        # "我想申请法律援助" is a legal-aid consultation in the taxonomy.
        return "legal_aid"
    return NONE
