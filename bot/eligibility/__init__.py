"""Legal-aid pre-screening under the 法律援助法 (2021): a pure library, no Rasa, no I/O but data files.

`assess(facts, today=…)` returns an explicit decision with the articles it rests on. Missing facts
give `needs_review` with the facts named, never a guess.
"""

from bot.eligibility.assess import assess
from bot.eligibility.model import Assessment, Decision, Facts

__all__ = ["Assessment", "Decision", "Facts", "assess"]
