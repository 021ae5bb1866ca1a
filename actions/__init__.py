"""Rasa SDK custom actions: thin adapters over the pure modules in bot/."""

from bot import knowledge_base

# Build the FAQ index when the action server starts, not during the first citizen's turn.
knowledge_base.shared()
