"""How a turn's cost grows over a 200-turn conversation with a legal-aid application inside (issue 18:
the last turns cost at most 1.5x the first).

One citizen, one REST sender, no think time, one turn at a time. The first 10 and the last 10 turns
send the same 10 consultation questions, so the two windows do the same work; in between: citizens'
questions and buttons, and at turn 100 a whole legal-aid form (eligibility questions, name, phone, ID
number, region, opponent, facts, summary, submission). The figure is median(last 10) / median(first
10); `--runs` repeats it with fresh senders and reports the median of the runs' ratios too.

    HOTLINE_LIMIT_SENDER=0/0 flock /tmp/hotline-stack.lock .venv/bin/python bench/long_conversation.py --start
    ... --start --replicas 2      # through nginx, once `hotline run --replicas N` exists

The per-sender limit must be off: the bench sends faster than any person. Exit status 1 if the ratio
is over --limit or a turn failed.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stackproc import REST_PATH, ROOT, add_stack_arguments, base_url, bench_stack, rest_headers, rss_by_kind  # noqa: E402

TURNS = 200
WINDOW = 10
FORM_AT = 100
LIMIT = 1.5
# The same ten questions open and close the conversation (written for this bench).
BOOKENDS = [
    "老板拖欠了三个月工资不给怎么办", "离婚以后孩子的抚养权一般怎么判", "房东不退租房押金怎么办",
    "交通事故对方全责我能要求哪些赔偿", "朋友借了钱一直不还可以起诉吗", "父亲去世没留遗嘱房子怎么继承",
    "上班时受了伤怎么认定工伤", "网购买到假货商家不退款怎么维权", "邻居装修噪音太大影响休息怎么办",
    "医院误诊耽误了治疗怎么索赔",
]
# A whole legal-aid application (as tests/stack/test_legal_aid_chat.py), ending with its submission.
FORM = ["/apply_legal_aid", "没问题", "要工钱的", "还没有", "没有家暴", "我不是低保户，是农民工", "王五",
        "13812345678", "11010519491231002X", "河南省安阳市", "郑州某建筑公司", "包工头欠了三个月工钱",
        "仲裁、调解等", "郑州", "不清楚", "没错"]
BUTTONS = ["/continue_consult", "谢谢", "/continue_consult", "/show_articles"]
# Topics whose examples may open a ticket or a form (an agent-held conversation gets no bot answer).
SKIPPED = {"rules", "crisis", "handoff", "legal_aid", "legal_aid_form", "dialogue", "domestic_violence"}


def middle_pool(seed: int) -> list[str]:
    texts = []
    for path in sorted((ROOT / "intents").glob("*.yml")):
        if path.stem in SKIPPED:
            continue
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            texts += [ln[2:].strip() for ln in block["examples"].splitlines() if ln.strip()]
    random.Random(seed).shuffle(texts)
    return texts


def script(seed: int, turns: int = TURNS) -> list[str]:
    rng = random.Random(seed)
    pool = middle_pool(seed)
    middle = [rng.choice(pool) if rng.random() < 0.8 else rng.choice(BUTTONS)
              for _ in range(turns - 2 * WINDOW - len(FORM))]
    at = FORM_AT - 1 - WINDOW
    return BOOKENDS + middle[:at] + FORM + middle[at:] + BOOKENDS


def say(url: str, headers: dict[str, str], sender: str, text: str) -> tuple[float | None, str]:
    """(seconds, the replies' text), or (None, "") for a failed turn."""
    req = urllib.request.Request(url, json.dumps({"sender": sender, "message": text}).encode(), headers)
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            replies = json.load(resp)
            ok = resp.status == 200 and isinstance(replies, list)
    except (OSError, ValueError):
        ok = False
    if not ok:
        return None, ""
    return time.perf_counter() - start, " ".join(str(r.get("text") or "") for r in replies if isinstance(r, dict))


def _median_ok(seconds: list[float]) -> float:
    """The median of the turns that were answered (NaN marks a failed one); NaN if none was."""
    ok = [x for x in seconds if x == x]
    return statistics.median(ok) if ok else float("nan")


def one_run(url: str, headers: dict[str, str], sender: str, messages: list[str]) -> dict:
    latencies: list[float] = []
    errors = 0
    submitted, form_reply = False, ""
    for i, text in enumerate(messages):
        seconds, said = say(url, headers, sender, text)
        if i == FORM_AT - 1 + len(FORM) - 1:  # the form's last answer: the application is stored
            submitted, form_reply = "受理编号" in said, said[:160]
        if seconds is None:
            errors += 1
            seconds = float("nan")
        latencies.append(seconds)
    first, last = _median_ok(latencies[:WINDOW]), _median_ok(latencies[-WINDOW:])
    return {"sender": sender, "errors": errors, "form_submitted": submitted, "form_reply": form_reply, "first_ms": round(1000 * first, 1), "last_ms": round(1000 * last, 1),
            "ratio": round(last / first, 2), "per_turn_ms": [round(1000 * x, 1) for x in latencies]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_stack_arguments(parser)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=12348)
    parser.add_argument("--limit", type=float, default=LIMIT)
    parser.add_argument("--json", help="also write the result to this file")
    args = parser.parse_args()
    with bench_stack(args) as stack:
        url = base_url(args, stack) + REST_PATH
        messages = script(args.seed)
        runs = []
        for r in range(args.runs):
            run = one_run(url, rest_headers(args.replicas), f"bench-long-{time.time_ns():x}-{r}", messages)
            runs.append(run)
            windows = [statistics.median(run["per_turn_ms"][i:i + 20]) for i in range(0, TURNS, 20)]
            print(f"run {r + 1}: first {WINDOW} p50 {run['first_ms']} ms, last {WINDOW} p50 {run['last_ms']} ms, "
                  f"ratio {run['ratio']}x, errors {run['errors']}, form submitted {run['form_submitted']}; p50 per 20 turns: "
                  + " ".join(f"{w:.0f}" for w in windows), flush=True)
        rss = rss_by_kind(stack.root_pid)
    ratio = statistics.median(r["ratio"] for r in runs)
    errors = sum(r["errors"] for r in runs)
    result = {"replicas": args.replicas, "runs": runs, "ratio": ratio, "errors": errors,
              "first_ms": statistics.median(r["first_ms"] for r in runs),
              "last_ms": statistics.median(r["last_ms"] for r in runs), "rss_mb": rss}
    print(f"\n200 turns x {args.runs} runs ({args.replicas or 'single'} replicas): first {WINDOW} turns p50 "
          f"{result['first_ms']} ms, last {WINDOW} p50 {result['last_ms']} ms; median ratio {ratio}x "
          f"(limit {args.limit}x), errors {errors}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if errors or ratio > args.limit else 0


if __name__ == "__main__":
    sys.exit(main())
