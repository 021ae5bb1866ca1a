"""One loader puts the legal lexicon into jieba (bot/lexicon.py), through files it closes (style review
2026-12-01, "Left": jieba's unclosed dictionary file; retrieval, the reference examples and the NLU bench
each had their own loop)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Cut with the loaders as they were before (`jieba.load_userdict(str(path))`, each file once): the
# lexicon's words stay whole (书面劳动合同, 劳动仲裁, 工伤认定, 人身安全保护令).
BEFORE = {
    "老板拖欠三个月工资不给怎么办": ["老板", "拖欠", "三个", "月工资", "不", "给", "怎么办"],
    "没有签书面劳动合同可以要双倍工资吗": ["没有", "签", "书面劳动合同", "可以", "要", "双倍工资", "吗"],
    "申请劳动仲裁需要什么材料": ["申请", "劳动仲裁", "需要", "什么", "材料"],
    "交通事故对方全责不赔钱怎么办": ["交通事故", "对方", "全责", "不", "赔钱", "怎么办"],
    "离婚后孩子抚养权归谁": ["离婚", "后", "孩子", "抚养权", "归", "谁"],
    "朋友借钱不还可以起诉吗": ["朋友", "借钱", "不", "还", "可以", "起诉", "吗"],
    "工伤认定要多长时间": ["工伤认定", "要", "多长时间"],
    "被家暴了可以申请人身安全保护令吗": ["被", "家暴", "了", "可以", "申请", "人身安全保护令", "吗"],
}

OLD_LOADER = """
import json, sys
import jieba
from bot.paths import LEXICON
jieba.setLogLevel(60)
for path in sorted(LEXICON.glob("*")):
    jieba.load_userdict(str(path))
print(json.dumps([[w for w, _, _ in jieba.tokenize(t)] for t in json.loads(sys.argv[1])]))
"""

NEW_LOADER = """
import json, sys
from bot.nlu.reference import tokens
print(json.dumps([tokens(t) for t in json.loads(sys.argv[1])]))
"""

# Loads the lexicon with every warning an error and reports any warning raised while a file is finalised.
CLOSES = """
import gc, sys, warnings
warnings.simplefilter("error")
warnings.filterwarnings("ignore", category=DeprecationWarning)  # jieba 0.42 imports pkg_resources
unraisable = []
sys.unraisablehook = lambda u: unraisable.append(repr(u.exc_value))
{load}
gc.collect()
print(unraisable)
"""


def _run(code: str, *args: str) -> str:
    out = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True,
                         check=True, timeout=120)
    return out.stdout.strip().splitlines()[-1]


def test_the_tokens_are_those_of_the_loaders_before() -> None:
    from bot.normalize import normalize
    from bot.nlu.reference import tokens

    texts = [normalize(t) for t in BEFORE]
    assert [tokens(t) for t in texts] == list(BEFORE.values())
    # In fresh interpreters too, against the old loading itself (nothing else loaded before it).
    assert json.loads(_run(NEW_LOADER, json.dumps(texts))) == json.loads(_run(OLD_LOADER, json.dumps(texts)))


def test_retrieval_cuts_the_same_words_without_its_stopwords() -> None:
    from bot.kb.retrieval import _stopwords, words

    sentence = "没有签书面劳动合同可以要双倍工资吗"
    assert words(sentence) == [w for w in BEFORE[sentence] if w not in _stopwords()]


@pytest.mark.parametrize("load, unclosed", [
    ("from bot.lexicon import jieba_with; jieba_with()", False),
    # The probe sees an unclosed dictionary: jieba's own path loading leaves it open.
    ("import jieba\nfrom bot.lexicon import dictionaries\n"
     "for p in dictionaries(): jieba.load_userdict(str(p))", True),
])
def test_the_dictionary_files_are_closed(load: str, unclosed: bool) -> None:
    reported = _run(CLOSES.format(load=load))
    assert ("unclosed file" in reported and "knowledge/lexicon/" in reported) is unclosed, reported


def test_only_the_lexicon_module_loads_a_user_dictionary() -> None:
    callers = sorted(p.relative_to(ROOT).as_posix() for folder in ("bot", "actions", "bench")
                     for p in (ROOT / folder).rglob("*.py")
                     for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
                     if isinstance(node, ast.Attribute) and node.attr == "load_userdict")
    assert callers == ["bot/lexicon.py"]


def test_the_lexicon_is_loaded_once_and_no_unclosed_file_is_ignored() -> None:
    import tomllib

    from bot.lexicon import jieba_with

    assert jieba_with() is jieba_with()
    pytest_options = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]
    filters = pytest_options["ini_options"]["filterwarnings"]
    assert not [f for f in filters if "ResourceWarning" in f or "lexicon" in f]
