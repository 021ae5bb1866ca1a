"""Edges kept out of the core (style review 2026-12-01, §1 L3, L7 and the repeated names of §1/§7)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Domain loaders take their file as an argument; which file the deployment uses is read at the edge.
NO_ENVIRONMENT = ["bot/paths.py", "bot/handoff/roster.py", "bot/handoff/relay.py", "bot/handoff/tickets.py",
                  "bot/handoff/routing.py", "bot/eligibility/assess.py", "bot/eligibility/standards.py",
                  "bot/eligibility/model.py", "bot/legal_aid/intake.py", "bot/masking.py", "bot/safety.py",
                  "bot/scope.py", "bot/consultation.py", "bot/taxonomy.py", "bot/normalize.py"]


def _tree(path: str) -> ast.Module:
    return ast.parse((ROOT / path).read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", NO_ENVIRONMENT)
def test_a_domain_module_reads_no_environment_variable(path: str) -> None:
    reads = [node.lineno for node in ast.walk(_tree(path))
             if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv")]
    assert reads == [], f"{path} reads the environment at lines {reads}"


def test_the_roster_file_comes_from_the_caller(tmp_path, monkeypatch) -> None:
    from actions.common import current_roster
    from bot.handoff import roster

    own = tmp_path / "roster.yml"
    own.write_text(roster.ROSTER_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("HOTLINE_ROSTER", str(tmp_path / "does-not-exist.yml"))
    assert roster.load(own) == roster.load(roster.ROSTER_FILE)  # the domain loader ignores the variable
    monkeypatch.setenv("HOTLINE_ROSTER", str(own))
    assert current_roster() == roster.load(own)  # the actions (the edge) read it


def test_the_project_root_is_the_checkout_whatever_the_environment(monkeypatch) -> None:
    import importlib

    import bot.paths

    monkeypatch.setenv("HOTLINE_HOME", "/nonexistent")
    try:
        assert importlib.reload(bot.paths).PROJECT_ROOT == ROOT
    finally:
        monkeypatch.delenv("HOTLINE_HOME")
        importlib.reload(bot.paths)


def test_the_wechat_webhook_knows_no_sql_dialect(tmp_path) -> None:
    """The ledger says how many writers its database takes; the webhook sizes its pool from that (L7)."""
    from bot.channels.wechat.config import WeChatConfig
    from bot.channels.wechat.ledger import MessageLedger
    from bot.channels.wechat.webhook import Webhook
    from bot.store.db import engine

    source = (ROOT / "bot/channels/wechat/webhook.py").read_text(encoding="utf-8")
    assert "get_backend_name" not in source and "sqlite" not in source.lower()
    ledger = MessageLedger(engine(f"sqlite:///{tmp_path / 'w.db'}"))
    assert ledger.writers == 1  # SQLite: one writer

    class Ledger:
        writers = 3

    hook = Webhook(WeChatConfig(token="t", app_id="wx1", app_secret="s", encoding_aes_key="k" * 43),
                   ask_bot=None, ledger=Ledger(), client=None)  # type: ignore[arg-type]
    assert hook._db_threads._max_workers == 3


def _classes_named(name: str) -> list[str]:
    return sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "bot").rglob("*.py")
                  for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
                  if isinstance(node, ast.ClassDef) and node.name == name)


def test_one_class_is_called_message() -> None:
    # WeChat's inbound messages are WeChatMessage, the intake's replies Utterance; the ticket
    # transcript's Message stays (its store and the console are other work).
    assert _classes_named("Message") == ["bot/handoff/tickets.py"]


def test_the_wechat_channel_has_a_ledger_not_another_store() -> None:
    assert not (ROOT / "bot/channels/wechat/store.py").exists()
    assert (ROOT / "bot/channels/wechat/ledger.py").exists()


def _edge_uses(path: Path) -> list[str]:
    """What makes a module an edge object: a lock or thread, a file polled with stat(), a process global."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.split(".")[0] == "threading"]
        elif isinstance(node, ast.ImportFrom) and node.module == "threading":
            found.append("from threading")
        elif isinstance(node, ast.ImportFrom) and node.module == "bot.paths" and "VAR" in {a.name for a in node.names}:
            found.append("var/")
        elif isinstance(node, ast.Attribute) and node.attr == "stat":
            found.append(".stat()")
        elif isinstance(node, ast.Global):
            found.append("global")
    return found


def test_the_kb_package_holds_no_lock_stamp_file_or_singleton() -> None:
    """The knowledge-base service (locks, the reload stamp under var/, the process-wide instance) is the
    edge, in bot/knowledge_base.py; bot/kb is the pure part it builds from (review L5)."""
    assert not (ROOT / "bot/kb/service.py").exists()
    edges = {p.relative_to(ROOT).as_posix(): _edge_uses(p) for p in sorted((ROOT / "bot/kb").glob("*.py"))}
    assert {path: uses for path, uses in edges.items() if uses} == {}
    assert set(_edge_uses(ROOT / "bot/knowledge_base.py")) >= {"import threading", ".stat()", "global", "var/"}
