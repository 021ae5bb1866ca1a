"""FAQ retrieval metrics: top-1, top-3, MRR, and the quality of the "no confident answer" decision."""

from __future__ import annotations

from typing import Any


def score(results: list[dict[str, Any]], threshold: float) -> dict[str, Any]:
    """results: {gold: faq_id or None, ranked: [faq_id…], confidence}. Gold None = nothing answers it."""
    answerable = [r for r in results if r["gold"]]
    unanswerable = [r for r in results if not r["gold"]]

    def rank(r: dict[str, Any]) -> int | None:
        return r["ranked"].index(r["gold"]) + 1 if r["gold"] in r["ranked"] else None

    ranks = [rank(r) for r in answerable]
    declined = [r for r in results if r["confidence"] < threshold]
    answered = [r for r in results if r["confidence"] >= threshold]
    # A decline is right when nothing answers the question or the best match is wrong.
    right_declines = [r for r in declined if not r["gold"] or (r["ranked"][:1] != [r["gold"]])]
    right_answers = [r for r in answered if r["gold"] and r["ranked"][:1] == [r["gold"]]]
    n = len(answerable) or 1
    return {
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "top1": sum(1 for x in ranks if x == 1) / n,
        "top3": sum(1 for x in ranks if x and x <= 3) / n,
        "mrr": sum(1 / x for x in ranks if x) / n,
        "threshold": threshold,
        "no_answer_precision": len(right_declines) / len(declined) if declined else 1.0,
        "no_answer_recall_on_unanswerable": sum(1 for r in unanswerable if r in declined) / (len(unanswerable) or 1),
        "answered_precision": len(right_answers) / len(answered) if answered else 0.0,
        "declined_share_of_answerable": sum(1 for r in answerable if r in declined) / n,
    }


def format_report(report: dict[str, Any]) -> str:
    return (
        f"answerable={report['answerable']} unanswerable={report['unanswerable']}\n"
        f"top-1={report['top1']:.3f}  top-3={report['top3']:.3f}  MRR={report['mrr']:.3f}\n"
        f"threshold={report['threshold']:.2f}: no-answer precision={report['no_answer_precision']:.3f}, "
        f"unanswerable declined={report['no_answer_recall_on_unanswerable']:.3f}, "
        f"answered precision={report['answered_precision']:.3f}, "
        f"answerable declined={report['declined_share_of_answerable']:.3f}"
    )


def calibration_table(results: list[dict[str, Any]]) -> str:
    lines = ["threshold  answered_precision  no_answer_precision  unanswerable_declined  answerable_declined"]
    for t in [x / 100 for x in range(10, 61, 5)]:
        r = score(results, t)
        lines.append(f"{t:9.2f}  {r['answered_precision']:18.3f}  {r['no_answer_precision']:19.3f}  "
                     f"{r['no_answer_recall_on_unanswerable']:21.3f}  {r['declined_share_of_answerable']:19.3f}")
    return "\n".join(lines)
