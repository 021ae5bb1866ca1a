"""Statute texts: parsing the official Markdown texts and the copies the project ships.

The project ships, in knowledge/statutes/, every article of every official text (about 2 MB), copied by
`hotline kb build-statutes` from the official texts in ../shared/reference/laws, so that the bot and
`hotline kb check` work without ../shared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.normalize import to_half_width
from bot.paths import KNOWLEDGE, PROJECT_ROOT

STATUTES_DIR = KNOWLEDGE / "statutes"
DEFAULT_REFERENCE = PROJECT_ROOT.parent / "shared" / "reference" / "laws"

_ARTICLE_RE = re.compile(r"^(第[零〇一二三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?)[ \u3000]*(.*)$")
_DATE_IN_NAME = re.compile(r"\((\d{4}-\d{2}-\d{2})\)\.md$")
_CN_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


@dataclass(frozen=True)
class Statute:
    law: str  # full official title, e.g. 中华人民共和国劳动合同法
    version: str  # date of the version, YYYY-MM-DD
    source: str  # the reference file it was copied from
    articles: dict[str, str]  # 第三十条 → article text (paragraphs joined by newlines)


def parse_reference(path: Path) -> Statute:
    """Parses one official text: title from the first heading, articles from '第X条' lines."""
    lines = path.read_text(encoding="utf-8").splitlines()
    law = lines[0].lstrip("#").strip()
    m = _DATE_IN_NAME.search(path.name)
    info_dates = [_CN_DATE.search(ln) for ln in lines[: next((i for i, ln in enumerate(lines) if "INFO END" in ln), 0)]]
    dates = [f"{d.group(1)}-{int(d.group(2)):02d}-{int(d.group(3)):02d}" for d in info_dates if d]
    version = m.group(1) if m else (dates[0] if dates else "")
    articles: dict[str, list[str]] = {}
    current: str | None = None
    for line in lines[1:]:
        line = line.strip()
        if not line or line.startswith("<!--"):
            continue
        if line.startswith("#"):
            current = None
            continue
        am = _ARTICLE_RE.match(line)
        if am:
            current = am.group(1)
            articles[current] = [am.group(2)] if am.group(2) else []
        elif current:
            articles[current].append(line)
    return Statute(law, version, path.name, {k: "\n".join(v) for k, v in articles.items()})


def load_reference(reference_dir: Path) -> dict[str, list[Statute]]:
    """All official texts by title; one title may span several files (the 民法典 books)."""
    by_law: dict[str, list[Statute]] = {}
    for path in sorted(reference_dir.glob("*.md")):
        if path.name == "README.md":
            continue
        statute = parse_reference(path)
        by_law.setdefault(statute.law, []).append(statute)
    return by_law


def _file_name(law: str) -> str:
    return re.sub(r"[\\/:*?\"<>|（）()《》]", "", law) + ".yml"


def build(citations: set[tuple[str, str]], reference_dir: Path, out_dir: Path = STATUTES_DIR) -> list[str]:
    """Ships every article of every official text into out_dir (the FAQ may then cite any of them,
    and agent assist searches them all); returns the citations the texts do not contain."""
    reference = load_reference(reference_dir)
    missing = [f"{law} {article}" for law, article in sorted(citations)
               if not any(article in s.articles for s in reference.get(law, []))]
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.yml"):
        old.unlink()
    for law, parts in sorted(reference.items()):
        entry: dict = {"law": law, "version": parts[0].version, "sources": [], "articles": {}}
        for s in parts:  # the 民法典 books are one law in several files
            entry["sources"].append(s.source)
            for article, text in s.articles.items():
                entry["articles"].setdefault(article, text)
        if not entry["articles"]:
            continue
        header = "# Copied by `hotline kb build-statutes` from the official text; do not edit by hand.\n"
        body = yaml.safe_dump(entry, allow_unicode=True, sort_keys=False, width=1000)
        (out_dir / _file_name(law)).write_text(header + body, encoding="utf-8")
    return missing


def load_shipped(statutes_dir: Path = STATUTES_DIR) -> dict[str, dict[str, str]]:
    """law → {article → text} from the shipped copies."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted(statutes_dir.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.setdefault(data["law"], {}).update(data["articles"])
    return out


def comparable(text: str) -> str:
    """Text as compared for quotes: whitespace removed, punctuation width unified."""
    return re.sub(r"\s+", "", to_half_width(text))


def short_title(law: str) -> str:
    """中华人民共和国劳动合同法 → 劳动合同法, as citizens and lawyers cite it."""
    return law.removeprefix("中华人民共和国")
