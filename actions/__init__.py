"""Rasa SDK custom actions: thin adapters over the pure modules in bot/."""
