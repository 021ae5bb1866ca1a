"""Protections of the public entries and of data at rest: service secrets, chat sessions, rate limits,
deployment settings, private file permissions.

Pure modules (no Rasa, Sanic or aiohttp imports) so that they are tested as worked examples; the
channels and servers that use them are thin adapters."""
