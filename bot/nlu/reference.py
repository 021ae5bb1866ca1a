"""Reference examples for the intent model: the curated FAQ's questions and paraphrases.

Each FAQ entry (knowledge/faq/<category>.yml) carries a question and about five colloquial
paraphrases written the way citizens ask, labelled by its file's category: about 3,900 texts that
the intents' examples do not repeat. The SVM of the intent model reads them at a weight below the
intents' own examples (bot/nlu/linear.py); on the real sample they moved the right category by 2–4
points (docs/nlu.md). Pure Python: no Rasa.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from bot import taxonomy
from bot.kb import faq
from bot.lexicon import jieba_with
from bot.nlu.linear import Examples
from bot.normalize import normalize


def tokens(text: str) -> list[str]:
    """The words of normalised `text`, as the pipeline's JiebaTokenizer gives them."""
    return [w for w, _, _ in jieba_with().tokenize(text)]


def faq_examples(faq_dir: Path = faq.FAQ_DIR) -> Examples:
    """Every FAQ question and paraphrase, normalised, with its entry's category."""
    out = Examples()
    for entry in faq.load(faq_dir):
        if entry.category not in taxonomy.CATEGORIES:
            continue
        for text in (entry.question, *entry.paraphrases):
            text = normalize(text)
            if text:
                out.texts.append(text)
                out.tokens.append(tokens(text))
                out.labels.append(entry.category)
    return out


def faq_fingerprint(faq_dir: Path = faq.FAQ_DIR) -> str:
    """Changes whenever an FAQ file does, so that Rasa retrains the classifier that reads them."""
    digest = hashlib.sha256()
    for path in sorted(faq_dir.glob("*.yml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
