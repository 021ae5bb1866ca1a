"""Classification metrics for `hotline evaluate`: per-label precision, recall, F1 and the two
wrong-rejection rates that matter most on a legal hotline."""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from bot import taxonomy
from bot.paths import PROJECT_ROOT


@dataclass(frozen=True)
class LabelScore:
    precision: float
    recall: float
    f1: float
    support: int


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def score(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Scores (gold, predicted) pairs. Macro-F1 averages over the labels present in the gold data."""
    pairs = list(pairs)
    gold_counts = Counter(g for g, _ in pairs)
    pred_counts = Counter(p for _, p in pairs)
    hits = Counter(g for g, p in pairs if g == p)
    per_label = {}
    for label in [lb for lb in taxonomy.LABELS if gold_counts[lb] or pred_counts[lb]]:
        p = _ratio(hits[label], pred_counts[label])
        r = _ratio(hits[label], gold_counts[label])
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        per_label[label] = LabelScore(p, r, f1, gold_counts[label])
    gold_labels = [lb for lb in per_label if gold_counts[lb]]
    legal = [(g, p) for g, p in pairs if g in taxonomy.CATEGORIES]
    confusion = Counter(pairs)
    return {
        "n": len(pairs),
        "accuracy": _ratio(sum(hits.values()), len(pairs)),
        "macro_f1": sum(per_label[lb].f1 for lb in gold_labels) / len(gold_labels) if gold_labels else 0.0,
        "per_label": {lb: s.__dict__ for lb, s in per_label.items()},
        # A real legal question turned away as out of scope, or sent to crisis handling.
        "wrongly_out_of_scope_rate": _ratio(sum(p == taxonomy.OUT_OF_SCOPE for _, p in legal), len(legal)),
        "wrongly_crisis_rate": _ratio(sum(p == taxonomy.CRISIS for _, p in legal), len(legal)),
        "crisis_recall": per_label.get(taxonomy.CRISIS, LabelScore(0, 0, 0, 0)).recall,
        "out_of_scope_recall": per_label.get(taxonomy.OUT_OF_SCOPE, LabelScore(0, 0, 0, 0)).recall,
        "confusion": [{"gold": g, "predicted": p, "count": c} for (g, p), c in sorted(confusion.items())],
    }


def format_report(report: dict[str, Any]) -> str:
    lines = [f"{'label':<22}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}"]
    for label, s in report["per_label"].items():
        lines.append(f"{label:<22}{s['precision']:>10.3f}{s['recall']:>10.3f}{s['f1']:>10.3f}{s['support']:>9}")
    lines += [
        "",
        f"n={report['n']}  accuracy={report['accuracy']:.3f}  macro-F1={report['macro_f1']:.3f}",
        f"crisis recall={report['crisis_recall']:.3f}  out-of-scope recall={report['out_of_scope_recall']:.3f}",
        f"legal questions wrongly out-of-scope={report['wrongly_out_of_scope_rate']:.3%}  "
        f"wrongly crisis={report['wrongly_crisis_rate']:.3%}",
    ]
    return "\n".join(lines)


def plot_confusion(report: dict[str, Any], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    labels = list(report["per_label"])
    index = {lb: i for i, lb in enumerate(labels)}
    grid = np.zeros((len(labels), len(labels)), dtype=int)
    for cell in report["confusion"]:
        grid[index[cell["gold"]], index[cell["predicted"]]] += cell["count"]
    fig, ax = plt.subplots(figsize=(11, 10))
    ax.imshow(grid, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    for (i, j), v in np.ndenumerate(grid):
        if v:
            ax.text(j, i, str(v), ha="center", va="center", fontsize=7,
                    color="white" if v > grid.max() / 2 else "black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(f"macro-F1 {report['macro_f1']:.3f}")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


# --- Real text (../shared/realq): texts are read from there by row, never kept in the project. ---

REALQ_QUESTIONS = "hualv_questions.jsonl"
REALQ_CHITCHAT = ("lccc_chitchat.jsonl", "chatterbot_zh.jsonl")


def realq_dir() -> Path:
    """Where the real texts live: $HOTLINE_REALQ_DIR, else ../shared/realq beside the checkout."""
    env = os.environ.get("HOTLINE_REALQ_DIR")
    return Path(env) if env else PROJECT_ROOT.parent / "shared" / "realq"


class RealTextMissing(FileNotFoundError):
    """The real texts are not on this machine (a fresh clone has no ../shared)."""


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise RealTextMissing(str(path))
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def resolve_labelled(items: list[dict[str, Any]], directory: Path | None = None) -> list[dict[str, Any]]:
    """Labelled items as {text, category, ...}. Items that carry only a `row` and `source` (the real
    sample: ids and labels only) get their text from the real-question file; the source is checked so
    that a changed file cannot silently pair texts with the wrong labels."""
    if all("text" in item for item in items):
        return [{**item, "category": item.get("category") or item.get("label")} for item in items]
    rows = read_jsonl((directory or realq_dir()) / REALQ_QUESTIONS)
    out = []
    for item in items:
        row = rows[int(item["row"])]
        if row.get("source") != item.get("source"):
            raise ValueError(f"row {item['row']}: source {row.get('source')} != {item.get('source')}")
        out.append({**item, "text": row["text"], "category": item.get("category") or item["label"]})
    return out


def chitchat_texts(directory: Path | None = None) -> list[str]:
    base = directory or realq_dir()
    return [row["text"] for name in REALQ_CHITCHAT for row in read_jsonl(base / name)]


def real_text_columns(rows: Iterable[tuple[str, str, str]],
                      alts: Iterable[str | None] = ()) -> dict[str, Any]:
    """The four columns of issue 13 over (gold, predicted category, decision) triples whose gold is a
    legal category: right category; turned away as out of scope; sent to crisis; classified `none`.
    `clarified` is the share answered with a clarifying question (category buttons) instead."""
    triples = list(rows)
    alts = list(alts) or [None] * len(triples)
    legal = [(t, a) for t, a in zip(triples, alts) if t[0] in taxonomy.CATEGORIES]
    n = len(legal)
    return {
        "n_legal": n,
        "right_category": _ratio(sum(p == g for (g, p, _), _a in legal), n),
        "right_or_alternative": _ratio(sum(p == g or p == a for (g, p, _), a in legal), n),
        "turned_away": _ratio(sum(p == taxonomy.OUT_OF_SCOPE for (_, p, _), _a in legal), n),
        "sent_to_crisis": _ratio(sum(p == taxonomy.CRISIS for (_, p, _), _a in legal), n),
        "classified_none": _ratio(sum(p == taxonomy.NONE for (_, p, _), _a in legal), n),
        "clarified": _ratio(sum(d == "clarify" for (_, _, d), _a in legal), n),
    }


def chitchat_columns(decisions: Iterable[str]) -> dict[str, Any]:
    """Real chit-chat: the share NOT given a legal answer (the pipeline's decision is anything but a
    category answer: scope message, dialogue reply, clarifying question or crisis flow), and the share
    sent to the crisis flow."""
    decisions = list(decisions)
    counts = Counter(decisions)
    n = len(decisions)
    return {
        "n": n,
        "not_legal_answer": _ratio(n - counts["answer"], n),
        "sent_to_crisis": _ratio(counts["crisis"], n),
        "decisions": {k: _ratio(v, n) for k, v in sorted(counts.items())},
    }


def format_columns(columns: dict[str, Any]) -> str:
    return (f"real-text columns over {columns['n_legal']} legal questions: right category "
            f"{columns['right_category']:.1%} (label or alternative {columns['right_or_alternative']:.1%}), "
            f"turned away {columns['turned_away']:.1%}, sent to crisis {columns['sent_to_crisis']:.1%}, "
            f"none {columns['classified_none']:.1%}; clarifying question {columns['clarified']:.1%}")
