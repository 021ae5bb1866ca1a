"""The legal lexicon (knowledge/lexicon/*) loaded into jieba: the one loader for the project's own code.

The FAQ retrieval (bot/kb/retrieval.py), the intent model's reference examples (bot/nlu/reference.py) and
the NLU bench (bench/nlu_realq.py) cut words with jieba's process-wide tokenizer and this lexicon.
config.yml's JiebaTokenizer reads the same directory (every file in it) into the model through Rasa's own
loader. Each dictionary is read through a file we open and close (jieba 0.42's `load_userdict(path)`
leaves its file open). Pure: no Rasa.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.paths import LEXICON


def dictionaries(directory: Path = LEXICON) -> list[Path]:
    """The dictionary files of `directory`, in name order: every file, as Rasa's JiebaTokenizer reads it."""
    return sorted(p for p in directory.glob("*") if p.is_file())


@lru_cache(maxsize=None)
def jieba_with(directory: Path = LEXICON) -> Any:
    """jieba with the dictionaries of `directory` loaded, once per process and directory: loading a
    dictionary again would add its frequencies to jieba's total a second time."""
    import jieba

    jieba.setLogLevel(60)
    for path in dictionaries(directory):
        with path.open("rb") as f:
            jieba.load_userdict(f)
    return jieba
