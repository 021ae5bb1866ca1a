"""Typed application keys, in their own module so that `python -m bot.web.app` shares them."""

from aiohttp import web

from bot.knowledge_base import KnowledgeBase

KB_KEY = web.AppKey("kb", KnowledgeBase)
