"""Where the project's data lives. Everything the bot reads at run time ships inside the clone.

Fixed by the checkout, never by the environment (review L3): a loader that wants another file takes it
as an argument.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = PROJECT_ROOT / "knowledge"
GAZETTEER = KNOWLEDGE / "gazetteer"
LEXICON = KNOWLEDGE / "lexicon"
MODELS = PROJECT_ROOT / "models"
VAR = PROJECT_ROOT / "var"
