"""Dates are passed into the rules: every production call of a function that reads "today" (relative
dates, deadlines, the local means standard in force) passes it, from `bot.clock` at the edge (style
review 2026-12-01, L2: no production caller passed one, so the rules read the server's clock)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Qualified function → the 0-based position of its `today` parameter.
TAKES_TODAY = {
    "bot.eligibility.assess": 1,
    "bot.eligibility.assess.assess": 1,
    "bot.entities.extract_all": 1,
    "bot.legal_aid.intake.step": 5,
    "bot.legal_aid.intake.next_field": 2,
    "bot.legal_aid.intake.local_rule": 1,
    "bot.legal_aid.intake.record": 1,
    "bot.legal_aid.intake.parse_deadline": 2,
    "bot.kb.assist.suggest": 6,
}


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _aliases(tree: ast.Module) -> dict[str, str]:
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                names[a.asname or a.name] = f"{node.module}.{a.name}"
        elif isinstance(node, ast.Import):
            for a in node.names:
                names[a.asname or a.name] = a.name
    return names


def _callee(call: ast.Call, aliases: dict[str, str], here: str, defined: set[str]) -> str | None:
    f = call.func
    if isinstance(f, ast.Name):
        if f.id in aliases:
            return aliases[f.id]
        return f"{here}.{f.id}" if f.id in defined else None
    if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in aliases:
        return f"{aliases[f.value.id]}.{f.attr}"
    return None


def _calls_without_today() -> list[str]:
    missing = []
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "actions").rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        here, aliases = _module(path), _aliases(tree)
        defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            position = TAKES_TODAY.get(_callee(call, aliases, here, defined) or "")
            if position is None:
                continue
            if len(call.args) > position or any(k.arg == "today" for k in call.keywords):
                continue
            missing.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    return missing


def test_every_production_call_passes_today() -> None:
    assert _calls_without_today() == []


def test_the_check_resolves_a_module_alias() -> None:
    source = "from bot.legal_aid import intake\nintake.next_field({}, None)\nintake.next_field({}, None, today=d)\n"
    tree = ast.parse(source)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    targets = [_callee(c, _aliases(tree), "x", set()) for c in calls]
    assert targets == ["bot.legal_aid.intake.next_field"] * 2
