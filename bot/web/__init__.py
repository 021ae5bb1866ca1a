"""The web side of `hotline run` on :8000 (aiohttp): the citizen chat page, agent assist and the agent
console (bot.console)."""
