"""Rasa NLU components: thin adapters over bot.normalize, bot.entities and bot.safety."""
