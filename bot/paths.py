"""Where the project's data lives. Everything the bot reads at run time ships inside the clone."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("HOTLINE_HOME", Path(__file__).resolve().parent.parent))
KNOWLEDGE = PROJECT_ROOT / "knowledge"
GAZETTEER = KNOWLEDGE / "gazetteer"
LEXICON = KNOWLEDGE / "lexicon"
MODELS = PROJECT_ROOT / "models"
VAR = PROJECT_ROOT / "var"
