"""The web side of `hotline run` on :8000 (aiohttp): agent assist now; the console and the citizen
chat page join this app later."""
