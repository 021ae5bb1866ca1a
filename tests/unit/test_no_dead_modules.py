"""Every module of `bot/` and `actions/` is used by the running system, not only by tests (style review
2026-12-01 §5: `bot/routing.py` and `bot/store/handoff_events.py` lived on with no caller)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "actions")
# Loaded by file path: Alembic reads its versions, rasa-sdk registers every module of `actions`.
LOADED_BY_PATH = ("bot/store/migrations/", "actions/")
CONFIG_FILES = ("config.yml", "endpoints.yml", "credentials.yml", "pyproject.toml", "hotline")


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _production_files() -> list[Path]:
    return [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")]


def _imported_names() -> set[str]:
    names: set[str] = set()
    for path in [*_production_files(), *(ROOT / "bench").glob("*.py")]:
        here = _module(path)
        package = here if path.name == "__init__.py" else here.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                names.add(base)
                names.update(f"{base}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names.update(re.findall(r"\b(?:bot|actions)(?:\.\w+)+", node.value))
    for name in CONFIG_FILES:
        names.update(re.findall(r"\b(?:bot|actions)(?:\.\w+)+", (ROOT / name).read_text(encoding="utf-8")))
    return names


def test_every_module_has_a_production_caller() -> None:
    used = _imported_names()
    dead = []
    for path in _production_files():
        rel = path.relative_to(ROOT).as_posix()
        if path.name in ("__init__.py", "__main__.py") or rel.startswith(LOADED_BY_PATH):
            continue
        module = _module(path)
        if not any(u == module or u.startswith(module + ".") for u in used):
            dead.append(rel)
    assert dead == []
