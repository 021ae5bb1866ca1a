"""Fast offline measurement of the intent model on real text, for tuning (issue 13).

Reproduces the NLU pipeline of config.yml without Rasa's graph (normaliser → jieba with the legal
lexicon → LinearIntentModel → ScopeGuard → `hotline classify`'s mapping), so that a training-data or
model change is measured in a minute instead of a retrain plus four evaluation runs. `./hotline
evaluate` stays the reference: the figures in docs/nlu.md come from it.

Prints aggregate rates only: the even lines of the real sample (decided by), the odd lines (the
check, never looked at line by line), all 5,994 unlabelled real questions, the real chit-chat, and the
team's sets v1/v2. `--errors even` prints the even lines' errors (never the odd lines').

    .venv/bin/python bench/nlu_realq.py [--kind ensemble] [--answer 0.4] [--errors even]
                                        [--reference-weight 0.3]   # 0: the SVM without the FAQ's questions
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from bot import taxonomy  # noqa: E402
from bot.evaluation import (  # noqa: E402
    REALQ_QUESTIONS,
    chitchat_texts,
    read_jsonl,
    real_text_columns,
    realq_dir,
    resolve_labelled,
    score,
)
from bot.nlu import reference  # noqa: E402
from bot.nlu.linear import Examples, LinearIntentModel, LinearSettings  # noqa: E402
from bot.nlu.reference import faq_examples  # noqa: E402
from bot.normalize import normalize  # noqa: E402

CACHE = Path(os.environ.get("NLU_BENCH_CACHE", "/tmp/nlu_realq_cache.pkl"))


def tokens(text: str) -> list[str]:
    """As the pipeline cuts them: jieba with the legal lexicon (bot/lexicon.py)."""
    return reference.tokens(text)


def prepare(texts: list[str]) -> list[tuple[str, str, list[str]]]:
    """(original, normalised, tokens) for each text."""
    out = []
    for t in texts:
        n = normalize(t) if t else ""
        out.append((t, n, tokens(n) if n else []))
    return out


def training_data() -> tuple[list[str], list[list[str]], list[str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for path in sorted((ROOT / "intents").glob("*.yml")):
        if "nlu" in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}):
            examples += load_data(str(path)).intent_examples
    texts, labels = [], []
    for m in examples:
        if m.get("intent") == taxonomy.CRISIS or not m.get("text"):
            continue
        texts.append(normalize(m.get("text")))
        labels.append(m.get("intent"))
    return texts, [tokens(t) for t in texts], labels


def eval_sets() -> dict:
    key = (ROOT / "knowledge" / "normalize" / "variants.yml").read_text(encoding="utf-8") + \
        (ROOT / "knowledge" / "lexicon" / "legal_terms.txt").read_text(encoding="utf-8")
    if CACHE.is_file():
        cached = pickle.loads(CACHE.read_bytes())
        if cached.get("key") == key:
            return cached
    items = [json.loads(ln) for ln in (ROOT / "tests/data/realq_labels.jsonl").read_text().splitlines() if ln]
    labelled = resolve_labelled(items)
    allq = [r["text"] for r in read_jsonl(realq_dir() / REALQ_QUESTIONS)]
    chit = chitchat_texts()
    team = {}
    for name in ("heldout_classify.jsonl", "heldout_classify_v2.jsonl"):
        rows = [json.loads(ln) for ln in (ROOT / "tests/data" / name).read_text().splitlines() if ln.strip()]
        team[name] = (rows, prepare([r["text"] for r in rows]))
    sets = {"key": key, "labelled": labelled, "sample": prepare([it["text"] for it in labelled]),
            "all": prepare(allq), "chit": prepare(chit), "team": team}
    CACHE.write_bytes(pickle.dumps(sets))
    return sets


def guarded(model: LinearIntentModel, prepared: list[tuple[str, str, list[str]]], thresholds) -> list:
    """Each prepared text as a Rasa message after the intent model and ScopeGuard, as the pipeline leaves it."""
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.components import ORIGINAL_TEXT, ScopeGuard

    guard = ScopeGuard({"answer_threshold": thresholds.answer, "answer_legal_threshold": thresholds.answer_legal,
                        "reject_threshold": thresholds.reject,
                        "legal_doubt": thresholds.legal_doubt, "reject_strong": thresholds.reject_strong,
                        "legal_doubt_strong": thresholds.legal_doubt_strong,
                        "dialogue_threshold": thresholds.dialogue})
    live = [i for i, (_, n, _) in enumerate(prepared) if n]
    probs = model.probabilities([prepared[i][1] for i in live], [prepared[i][2] for i in live]) if live else []
    by_index = dict(zip(live, probs))
    out = []
    for i, (orig, norm, _) in enumerate(prepared):
        msg = Message({"text": norm})
        msg.set(ORIGINAL_TEXT, orig)
        if i in by_index:
            p = by_index[i]
            order = p.argsort()[::-1]
            ranking = [{"name": model.labels[j], "confidence": float(p[j])} for j in order]
            msg.set("intent", ranking[0])
            msg.set("intent_ranking", ranking)
        guard.process([msg])
        out.append(msg)
    return out


def classify(model: LinearIntentModel, prepared: list[tuple[str, str, list[str]]], thresholds) -> list:
    """`hotline classify`'s (category, decision) for each prepared text, through ScopeGuard."""
    from bot.classifier import from_parse

    out = []
    for (orig, _, _), msg in zip(prepared, guarded(model, prepared, thresholds)):
        parse = {"intent": msg.get("intent"), "intent_ranking": msg.get("intent_ranking"),
                 "safety": msg.get("safety"), "entities": []}
        c = from_parse(orig, parse)
        legal = [r["name"] for r in msg.get("intent_ranking") or [] if r["name"] in taxonomy.CATEGORIES]
        out.append((c.category, c.decision, c.confidence, legal[:3]))
    return out


def rates(results: list) -> dict:
    n = len(results)
    cats = Counter(r[0] for r in results)
    decs = Counter(r[1] for r in results)
    return {"n": n, "turned_away": cats[taxonomy.OUT_OF_SCOPE] / n, "crisis": cats[taxonomy.CRISIS] / n,
            "none": cats[taxonomy.NONE] / n, "clarify": decs["clarify"] / n, "answer": decs["answer"] / n}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kind", default="ensemble")
    ap.add_argument("--c", type=float, default=10.0)
    ap.add_argument("--svm-c", type=float, default=1.0)
    ap.add_argument("--reference-weight", type=float, default=LinearSettings.reference_weight,
                    help="weight of the FAQ's questions in the SVM (0: not read)")
    ap.add_argument("--naive-bayes", type=float, default=LinearSettings.naive_bayes_weight,
                    help="share of the naive Bayes member (0: left out)")
    ap.add_argument("--embedding", type=float, default=LinearSettings.embedding_weight,
                    help="share of the sentence-embedding member (0: left out)")
    ap.add_argument("--pooling", default=LinearSettings.pooling,
                    help="how the members are combined: mean or geometric; a comma list measures each in turn")
    ap.add_argument("--pooling-floor", type=float, default=LinearSettings.pooling_floor)
    ap.add_argument("--answer", type=float, default=None)
    ap.add_argument("--answer-legal", type=float, default=None)
    ap.add_argument("--errors", choices=("even", "team"), default=None)
    ap.add_argument("--sweep", action="store_true", help="right category among answered vs clarified")
    ap.add_argument("--no-team", action="store_true")
    ap.add_argument("--odd", action="store_true", help="also the odd lines' aggregate figures (the check)")
    args = ap.parse_args()
    from bot.scope import Thresholds

    t0 = time.time()
    sets = eval_sets()
    texts, toks, labels = training_data()
    model = LinearIntentModel(LinearSettings(kind=args.kind, c=args.c, svm_c=args.svm_c,
                                             reference_weight=args.reference_weight,
                                             naive_bayes_weight=args.naive_bayes,
                                             embedding_weight=args.embedding))
    reference = faq_examples() if args.reference_weight > 0 else Examples()
    model.fit(texts, toks, labels, reference=reference)
    print(f"trained on {len(texts)} examples and {len(reference.texts)} FAQ texts in {time.time() - t0:.0f}s",
          file=sys.stderr)
    th = Thresholds()
    if args.answer is not None:
        th = Thresholds(answer=args.answer, answer_legal=min(args.answer, th.answer_legal))
    if args.answer_legal is not None:
        th = Thresholds(answer=th.answer, answer_legal=args.answer_legal)
    # Each pooling reuses the members' probabilities of the first: the texts are embedded once.
    cache: dict[tuple[str, ...], object] = {}
    member_probabilities = model.member_probabilities

    def remembered(texts: list[str], tokens: list[list[str]]):
        key = tuple(texts)
        if key not in cache:
            cache[key] = member_probabilities(texts, tokens)
        return cache[key]

    model.member_probabilities = remembered  # type: ignore[method-assign]
    for pooling in args.pooling.split(","):
        model.settings.pooling, model.settings.pooling_floor = pooling, args.pooling_floor
        print(f"-- pooling {pooling}" + (f" (floor {args.pooling_floor:g})" if pooling == "geometric" else ""))
        labelled = sets["labelled"]
        res = classify(model, sets["sample"], th)
        # The odd lines are the check: printed only when asked (--odd), never line by line.
        for half, parity in (("even", 0), ("odd", 1))[: 2 if args.odd else 1]:
            pairs = [(it, r) for it, r in zip(labelled, res) if it["n"] % 2 == parity]
            cols = real_text_columns(((it["category"], r[0], r[1]) for it, r in pairs), [it.get("alt") for it, _ in pairs])
            print(f"{half:5} right {cols['right_category']:.1%} (alt {cols['right_or_alternative']:.1%}) "
                  f"away {cols['turned_away']:.1%} crisis {cols['sent_to_crisis']:.1%} none "
                  f"{cols['classified_none']:.1%} clarify {cols['clarified']:.1%}")
            legal = [(it, r) for it, r in pairs if it["category"] in taxonomy.CATEGORIES]
            answered = [(it, r) for it, r in legal if r[1] == "answer"]
            clarified = [(it, r) for it, r in legal if r[1] == "clarify"]
            print(f"      answered {len(answered) / len(legal):.1%}, right among them "
                  f"{sum(r[0] == it['category'] for it, r in answered) / max(1, len(answered)):.1%}; clarified: "
                  f"right among the 3 buttons {sum(it['category'] in r[3] for it, r in clarified) / max(1, len(clarified)):.1%}")
            if args.sweep and half == "even":
                legal = [(it, r) for it, r in pairs if it["category"] in taxonomy.CATEGORIES]
                for cut in (0.2, 0.25, 0.3, 0.35, 0.4):
                    ans = [(it, r) for it, r in legal if r[1] in ("answer", "clarify") and r[2] >= cut]
                    below = [(it, r) for it, r in legal if r[1] in ("answer", "clarify") and r[2] < cut]
                    acc = sum(r[0] == it["category"] for it, r in ans) / max(1, len(ans))
                    accb = sum(r[0] == it["category"] for it, r in below) / max(1, len(below))
                    alt = sum(r[0] in (it["category"], it.get("alt")) for it, r in ans) / max(1, len(ans))
                    top3 = sum(it["category"] in r[3] for it, r in below) / max(1, len(below))
                    print(f"   cut {cut:.2f}: answered {len(ans) / len(legal):.1%} right {acc:.1%} (alt {alt:.1%}); "
                          f"clarified: best right {accb:.1%}, right among the 3 buttons {top3:.1%}")
        r_all = rates(classify(model, sets["all"], th))
        print(f"all   n={r_all['n']} away {r_all['turned_away']:.1%} crisis {r_all['crisis']:.2%} none "
              f"{r_all['none']:.1%} clarify {r_all['clarify']:.1%}")
        r_chit = rates(classify(model, sets["chit"], th))
        print(f"chit  n={r_chit['n']} not answered {1 - r_chit['answer']:.1%} crisis {r_chit['crisis']:.2%}")
        if not args.no_team:
            for name, (rows, prepared) in sets["team"].items():
                got = classify(model, prepared, th)
                rep = score((row["category"], r[0]) for row, r in zip(rows, got))
                if args.errors == "team":
                    for row, r in zip(rows, got):
                        if row["category"] != r[0] and taxonomy.OUT_OF_SCOPE in (row["category"], r[0]):
                            print("   ", row["category"], "->", r[0], r[1], round(r[2], 2), row["text"])
                print(f"{name:28} macro-F1 {rep['macro_f1']:.3f} crisis recall {rep['crisis_recall']:.3f} "
                      f"OOS recall {rep['out_of_scope_recall']:.3f} legal→OOS {rep['wrongly_out_of_scope_rate']:.1%}")
        if args.errors == "even":
            errs = [(it, r) for it, r in zip(labelled, res) if it["n"] % 2 == 0 and r[0] != it["category"]]
            for it, r in errs:
                print(json.dumps({"n": it["n"], "gold": it["category"], "alt": it.get("alt"), "pred": r[0],
                                  "dec": r[1], "conf": round(r[2], 2), "text": it["text"][:160]}, ensure_ascii=False))
    print(f"total {time.time() - t0:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
