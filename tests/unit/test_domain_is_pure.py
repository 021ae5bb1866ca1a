"""The domain modules import no framework: no Rasa, web server or database (STYLE.md point 1; style
review 2026-12-01, §1 "Are the domain modules pure?"). Each is imported in a fresh interpreter and the
frameworks it pulled in are listed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORKS = ("rasa", "rasa_sdk", "aiohttp", "sanic", "sqlalchemy", "alembic")
DOMAIN = [
    "bot.clock", "bot.taxonomy", "bot.normalize", "bot.masking", "bot.safety", "bot.scope", "bot.consultation",
    "bot.entities", "bot.eligibility", "bot.legal_aid.intake", "bot.legal_aid.reference", "bot.legal_aid.requests",
    "bot.handoff.tickets", "bot.handoff.routing", "bot.handoff.roster", "bot.handoff.relay",
    "bot.kb.faq", "bot.kb.retrieval", "bot.kb.answer", "bot.kb.check", "bot.kb.statutes", "bot.kb.consult",
    "bot.lexicon",
    "bot.channels.wechat.crypto", "bot.channels.wechat.messages", "bot.channels.wechat.replies",
    "bot.channels.wechat.split",
]
# bot.handoff.relay is the pure rule; bot.handoff.intercept applies it to the ticket store (review L6).
# The intake keeps numbers encrypted with a cipher it is given: it needs no crypto library itself.
ALSO_FORBIDDEN = {"bot.legal_aid.intake": ("cryptography",)}

PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))
"""


def _pulled_in(module: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", PROBE, module], cwd=ROOT, capture_output=True, text=True,
                         check=True, timeout=120)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_the_probe_sees_a_framework() -> None:
    assert "sqlalchemy" in _pulled_in("bot.store.db")


@pytest.mark.parametrize("module", DOMAIN)
def test_a_domain_module_imports_no_framework(module: str) -> None:
    forbidden = (*FRAMEWORKS, *ALSO_FORBIDDEN.get(module, ()))
    assert sorted(_pulled_in(module) & set(forbidden)) == []
