"""Names shared by the Python code and the Rasa domain (domain.yml): slots, intents and forms that
actions read or set. One place, so a rename is one edit and `tests/unit/test_names.py` checks each
against the domain (style review 2026-12-01, §8: `SLOT_FAQ_ID` was typed twice, "crisis" as a literal).

Intent ids of the taxonomy (categories, `crisis`, `follow_up`, dialogue turns) live in bot/taxonomy.py;
the handoff relay's trigger intents in bot/handoff/tickets.py (TRIGGER_*) and relay.py (INTENT_*)."""

from __future__ import annotations

from typing import Final

# --- slots -------------------------------------------------------------------------------------
REQUESTED_SLOT: Final = "requested_slot"  # Rasa's own: the form's question being asked
SLOT_CATEGORY: Final = "category"
SLOT_FALLBACK_STREAK: Final = "fallback_streak"
SLOT_HANDOFF_REFERENCE: Final = "handoff_reference"
SLOT_FAQ_ID: Final = "faq_id"
SLOT_LAST_QUESTION: Final = "last_question"
SLOT_CRISIS_ACTIVE: Final = "crisis_active"
SLOT_CRISIS_KIND: Final = "crisis_kind"
SLOT_CRISIS_PHONE: Final = "crisis_phone"  # masked only
SLOT_CRISIS_CHECK: Final = "crisis_check"
SLOT_CALLBACK_PHONE: Final = "callback_phone"  # a Fernet token
SLOT_CALLBACK_WINDOW: Final = "callback_window"
SLOT_CALLBACK_REGION: Final = "callback_region"
SLOT_AID_REFERENCE: Final = "aid_reference"
SLOT_STATUS_REFERENCE: Final = "status_reference"
SLOT_STATUS_LAST4: Final = "status_phone_last4"

# --- forms -------------------------------------------------------------------------------------
FORM_CRISIS: Final = "crisis_form"

# --- intents the Python code acts on (besides the taxonomy's) ------------------------------------
INTENT_REQUEST_HUMAN: Final = "request_human"
INTENT_END_HANDOFF: Final = "end_handoff"
