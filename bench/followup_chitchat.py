"""What a legal topic being open costs on real chit-chat: how many of the real chit-chat turns of
../shared/realq would get an answer in the topic instead of what they get without one (issue 13, item 5).

Classifies every turn offline as the pipeline does (bench/nlu_realq.py: the intent model and ScopeGuard)
and follows the dialogue's routes with a topic open (the criminal detention answer, criminal-003, unless
--entry): out_of_scope → `followup.rescued_from_scope`; nlu_fallback → `followup.continues_topic`;
continue_consult/affirm → `followup.says_more_than_continue`. A turn the classifier puts in a legal category
gets a legal answer with or without a topic, and is counted apart. Prints counts only (evaluation data).

    .venv/bin/python bench/followup_chitchat.py [--entry criminal-003]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import nlu_realq  # noqa: E402

from bot import taxonomy  # noqa: E402
from bot.kb import faq, followup  # noqa: E402
from bot.kb.retrieval import Index  # noqa: E402


def intents(prepared: list[tuple[str, str, list[str]]]) -> list[tuple[str, tuple[str, float], list[str]]]:
    """The Rasa intent of each prepared text after ScopeGuard (nlu_fallback when unsure), the classifier's best
    legal category, and the categories the clarifying question would offer."""
    from bot.nlu.linear import LinearIntentModel, LinearSettings
    from bot.nlu.reference import faq_examples
    from bot.scope import Thresholds

    texts, toks, labels = nlu_realq.training_data()
    model = LinearIntentModel(LinearSettings())
    model.fit(texts, toks, labels, reference=faq_examples())
    out = []
    for msg in nlu_realq.guarded(model, prepared, Thresholds()):
        # The best legal category, as the clarifying question would offer it (actions/fallback.py).
        ranked = [(r["name"], float(r.get("confidence") or 0)) for r in msg.get("intent_ranking") or []
                  if r["name"] in taxonomy.CATEGORIES and float(r.get("confidence") or 0) >= 0.05]
        out.append(((msg.get("intent") or {}).get("name") or "", ranked[0] if ranked else ("", 0.0),
                    [name for name, _ in ranked[:3]]))
    return out


def route(text: str, intent: str, category: str, index: Index, best: tuple[str, float] = ("", 0.0),
          likeliest: list[str] | None = None) -> str:
    """What the turn gets with the topic open: "topic" (an answer in the topic), "legal" (a legal answer it
    gets without a topic too) or "other"."""
    if intent == taxonomy.OUT_OF_SCOPE:
        return "topic" if followup.rescued_from_scope(text, category, index) else "other"
    if intent == "nlu_fallback":
        if followup.continues_topic(text, category, index, nlu_best=tuple(best)):
            return "topic"
        return "topic" if followup.asks_in_topic(text, category, likeliest or []) else "other"
    if intent in ("continue_consult", "affirm"):
        return "topic" if followup.says_more_than_continue(text, category, index) else "other"
    if intent in taxonomy.CATEGORIES or intent == taxonomy.FOLLOW_UP:
        return "legal"
    return "other"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entry", default="criminal-003")
    ap.add_argument("--intents-cache", type=Path, help="keep the classifier's intents here (for repeated runs)")
    args = ap.parse_args()
    index = Index(faq.load())
    category = index.by_id[args.entry].category
    prepared = nlu_realq.eval_sets()["chit"]
    got = json.loads(args.intents_cache.read_text()) if args.intents_cache and args.intents_cache.is_file() else []
    if len(got) != len(prepared) or any(len(g) < 3 for g in got):  # none yet, or one kept before the categories
        got = intents(prepared)
        if args.intents_cache:
            args.intents_cache.write_text(json.dumps(got))
    by_route: Counter[tuple[str, str]] = Counter()
    for (orig, _, _), (intent, best, likeliest) in zip(prepared, got):
        kind = intent if intent in (taxonomy.OUT_OF_SCOPE, "nlu_fallback", "continue_consult", "affirm") else (
            "legal" if intent in taxonomy.CATEGORIES or intent == taxonomy.FOLLOW_UP else "dialogue")
        by_route[(kind, route(orig, intent, category, index, best, likeliest))] += 1
    n = len(prepared)
    print(f"real chit-chat turns: {n}; topic open: {category} ({args.entry})")
    for kind in (taxonomy.OUT_OF_SCOPE, "nlu_fallback", "continue_consult", "affirm", "legal", "dialogue"):
        total = sum(v for (k, _), v in by_route.items() if k == kind)
        print(f"  {kind:17} {total:6}  answered in the topic: {by_route[(kind, 'topic')]}")
    topic = sum(v for (_, r), v in by_route.items() if r == "topic")
    print(f"answered in the topic because one is open: {topic} ({topic / n:.2%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
