"""`hotline evaluate-faq` on the held-out FAQ questions (never indexed), through the real CLI."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_faq_retrieval_meets_its_targets(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "bot.cli", "evaluate-faq", "tests/data/heldout_faq.jsonl", "--out",
                    str(tmp_path)], cwd=ROOT, check=True, capture_output=True, timeout=1800)
    report = json.loads((tmp_path / "faq_report.json").read_text(encoding="utf-8"))
    assert report["answerable"] >= 300
    assert report["top1"] >= 0.85
    assert report["top3"] >= 0.95
    # When the bot does answer, it is right most of the time; it declines most unanswerable questions.
    assert report["answered_precision"] >= 0.85
    assert report["no_answer_recall_on_unanswerable"] >= 0.5
