"""`hotline`: train, run, chat, classify, evaluate and test the 12348 assistant."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bot import clock  # noqa: E402
from bot.paths import PROJECT_ROOT, VAR  # noqa: E402

REST_URL = "http://127.0.0.1:5005/webhooks/rest/webhook"


def cmd_train(args: argparse.Namespace) -> int:
    from bot.model import ensure_trained

    ensure_trained(force=args.force)
    return 0


def stop_on_signals() -> Callable[[], bool]:
    """SIGTERM and SIGINT (Ctrl-C) ask a `run` to stop what it started, in order, rather than kill the
    launcher: the returned function tells whether one came."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    return stop.is_set


def cmd_run(args: argparse.Namespace) -> int:
    from bot import stack
    from bot.model import ensure_trained

    if args.dev:  # the public WeChat development token, with the Rasa server on loopback only
        os.environ["HOTLINE_DEV"] = "1"
    model = ensure_trained()
    if args.replicas is not None:
        return _run_replicas(model, args)
    _purge_at_start()
    print("启动中 (starting the action server, the Rasa server and the web app)…", flush=True)
    procs = stack.start(model, log_dir=VAR / "logs" if args.quiet else None)
    print(
        "\n12348 智能法律咨询已启动 (the bot is up):\n"
        "  网页咨询:  http://localhost:8000/chat/   ← 在浏览器中打开 (open in a browser)\n"
        f"  REST:      POST {REST_URL}  {{\"sender\": \"u1\", \"message\": \"你好\"}}\n"
        "  socket.io: http://127.0.0.1:5005/socket.io\n"
        "  微信公众号: http://127.0.0.1:5005/webhooks/wechat/webhook  (WECHAT_* 环境变量; 未设置则关闭, --dev 用开发配置)\n"
        "  坐席工作台: http://localhost:8000/console/  (账号: ./hotline users add NAME --role supervisor)\n"
        "  终端对话:  在另一个终端运行 ./hotline chat\n"
        "按 Ctrl-C 停止 (Ctrl-C stops everything).",
        flush=True,
    )
    stopping = stop_on_signals()
    try:
        while not stopping() and all(p.poll() is None for p in procs):
            time.sleep(0.5)
    finally:
        stack.stop(procs)
        print("已停止 (stopped).", flush=True)
    return 0


def _run_replicas(model: Path, args: argparse.Namespace) -> int:
    """`run --replicas N`: PostgreSQL, Redis, N Rasa and N action servers, two web apps behind nginx."""
    from bot import replicas

    stopping = stop_on_signals()

    def ready(ports: "replicas.Ports") -> None:
        entry = f"http://{ports.entry_host}:{ports.entry}"
        print(
            f"\n12348 智能法律咨询已启动 ({args.replicas} replicas behind nginx):\n"
            f"  网页咨询:  {entry}/chat/\n"
            f"  REST:      POST {entry}/webhooks/rest/webhook  (Authorization: Bearer $HOTLINE_REST_TOKEN)\n"
            f"  socket.io: {entry}/socket.io/\n"
            f"  微信公众号: {entry}/webhooks/wechat/webhook\n"
            f"  坐席工作台: {entry}/console/\n"
            f"  进程状态:  {VAR / 'replicas' / 'state.json'}\n"
            "按 Ctrl-C 停止 (Ctrl-C stops everything).",
            flush=True,
        )

    print(f"启动中 (starting PostgreSQL, Redis, {args.replicas}×Rasa, {args.replicas}×actions, 2×web, nginx)…",
          flush=True)
    try:
        replicas.run(model, args.replicas, quiet=args.quiet, fresh=args.fresh, stopping=stopping,
                     on_ready=ready)
    except RuntimeError as error:
        print(f"启动失败 (start failed): {error}", file=sys.stderr)
        return 1
    print("已停止 (stopped).", flush=True)
    return 0


def _purge_at_start() -> None:
    """Retention at start-up, before the servers hold conversations in memory. A failure is reported
    and does not keep the hotline from starting."""
    from bot.store import retention

    try:
        days = retention.retention_days()
        purged = retention.run(days)
    except Exception as exc:  # noqa: BLE001 - the hotline must still start
        print(f"retention purge failed (the bot starts anyway): {exc}", file=sys.stderr)
        return
    if any(purged.as_dict().values()):
        print(f"retention ({days} days): purged {purged.as_dict()}", flush=True)


def cmd_purge(args: argparse.Namespace) -> int:
    from bot.store import retention

    try:
        days = args.days if args.days is not None else retention.retention_days()
        if days < 1:
            raise retention.RetentionError("--days must be at least 1")
    except retention.RetentionError as exc:
        print(exc, file=sys.stderr)
        return 2
    purged = retention.run(days, dry_run=args.dry_run)
    verb = "would purge" if args.dry_run else "purged"
    print(json.dumps({"retention_days": days, verb.replace(" ", "_"): purged.as_dict()}, ensure_ascii=False))
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    import urllib.error
    import urllib.request
    import uuid

    sender = args.sender or f"terminal-{uuid.uuid4().hex[:8]}"
    print("12348 智能法律咨询（输入 /quit 退出）")
    while True:
        try:
            text = input("您> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if text.strip() in ("/quit", "/exit"):
            return 0
        body = json.dumps({"sender": sender, "message": text}).encode()
        req = urllib.request.Request(REST_URL, body, {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                replies = json.load(resp)
        except urllib.error.URLError:
            print("连接不上机器人，请先在另一个终端运行 ./hotline run")
            return 1
        for reply in replies:
            if reply.get("text"):
                print("助手>", reply["text"])
            for i, button in enumerate(reply.get("buttons") or [], 1):
                print(f"      [{i}] {button['title']}  ({button['payload']})")


def _read_jsonl(stream) -> list[dict]:  # type: ignore[no-untyped-def]
    items = []
    for lineno, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise SystemExit(f"line {lineno}: not JSON ({exc.msg})") from None
    return items


def _classifier():  # type: ignore[no-untyped-def]
    import logging

    import structlog

    # Rasa's structured log would otherwise print a debug line per parse on stdout.
    logging.disable(logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    from bot.classifier import Classifier
    from bot.model import ensure_trained

    return Classifier(ensure_trained())


def cmd_classify(args: argparse.Namespace) -> int:
    items = _read_jsonl(sys.stdin)
    clf = _classifier()
    for item in items:
        text = item.get("text") if isinstance(item, dict) else None
        result = clf.classify(text if isinstance(text, str) else "")
        print(json.dumps(result.as_dict(), ensure_ascii=False), flush=True)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from bot.evaluation import (
        RealTextMissing,
        format_columns,
        format_report,
        plot_confusion,
        real_text_columns,
        resolve_labelled,
        score,
    )

    with open(args.file, encoding="utf-8") as f:
        items = _read_jsonl(f)
    try:
        # The real sample keeps ids and labels only; its texts are read from ../shared/realq.
        items = resolve_labelled(items)
    except RealTextMissing as exc:
        print(f"跳过 (skipped): the real texts are not on this machine ({exc})", file=sys.stderr)
        return 0
    if args.half:
        # The real sample is tuned on its even lines; the odd lines are the untouched check.
        items = [it for i, it in enumerate(items) if int(it.get("n", i)) % 2 == (args.half == "odd")]
    clf = _classifier()
    pairs, triples, alts, errors = [], [], [], []
    for item in items:
        result = clf.classify(item["text"])
        pairs.append((item["category"], result.category))
        triples.append((item["category"], result.category, result.decision))
        alts.append(item.get("alt"))
        if result.category != item["category"]:
            errors.append({"n": item.get("n"), "text": item["text"], "gold": item["category"],
                           "alt": item.get("alt"), "predicted": result.category, "decision": result.decision,
                           "confidence": round(result.confidence, 3)})
    report = score(pairs)
    report["real_text_columns"] = real_text_columns(triples, alts)
    report["errors"] = errors
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report_json = json.dumps(report, ensure_ascii=False, indent=2)
    (out / "classify_report.json").write_text(report_json, encoding="utf-8")
    plot_confusion(report, str(out / "confusion_matrix.png"))
    print(format_report(report))
    print(format_columns(report["real_text_columns"]))
    print(f"\nreport: {out / 'classify_report.json'}  confusion matrix: {out / 'confusion_matrix.png'}")
    return 0


def cmd_evaluate_chitchat(args: argparse.Namespace) -> int:
    from bot.evaluation import RealTextMissing, chitchat_columns, chitchat_texts

    try:
        texts = chitchat_texts()
    except RealTextMissing as exc:
        print(f"跳过 (skipped): the real chit-chat is not on this machine ({exc})", file=sys.stderr)
        return 0
    clf = _classifier()
    results = [clf.classify(t) for t in texts]
    columns = chitchat_columns(r.decision for r in results)
    answered = [{"text": r.text, "category": r.category, "confidence": round(r.confidence, 3)}
                for r in results if r.legal_answer or r.decision == "crisis"]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report_json = json.dumps({**columns, "answered_or_crisis": answered}, ensure_ascii=False, indent=2)
    (out / "chitchat_report.json").write_text(report_json, encoding="utf-8")
    print(f"real chit-chat n={columns['n']}: not given a legal answer {columns['not_legal_answer']:.1%}, "
          f"sent to crisis {columns['sent_to_crisis']:.2%}  decisions {columns['decisions']}")
    return 0


def _suggester():  # type: ignore[no-untyped-def]
    """suggest(text) with the NLU category, as the chat would use it."""
    from bot.kb import assist
    from bot.knowledge_base import KnowledgeBase
    from bot.taxonomy import CATEGORIES

    clf = _classifier()
    kb = KnowledgeBase()

    def run(text: str) -> dict:
        c = clf.classify(text)
        category = c.category if c.category in CATEGORIES else None
        return assist.suggest(kb.index, text, category, c.confidence if category else None,
                              today=clock.today())

    return kb, run


def cmd_suggest(args: argparse.Namespace) -> int:
    items = _read_jsonl(sys.stdin)
    _, run = _suggester()
    for item in items:
        text = item.get("text") if isinstance(item, dict) else None
        print(json.dumps(run(text if isinstance(text, str) else ""), ensure_ascii=False), flush=True)
    return 0


def cmd_evaluate_faq(args: argparse.Namespace) -> int:
    from bot.kb.evaluation import calibration_table, format_report, score

    with open(args.file, encoding="utf-8") as f:
        items = _read_jsonl(f)
    kb, run = _suggester()
    results = []
    for item in items:
        out = run(item["question"])
        results.append({"question": item["question"], "gold": item.get("faq_id"),
                        "ranked": [s["faq_id"] for s in out["suggestions"]],
                        "confidence": out["suggestions"][0]["score"] if out["suggestions"] else 0.0})
    report = score(results, kb.index.answer_threshold)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "faq_report.json").write_text(json.dumps({**report, "results": results}, ensure_ascii=False,
                                                        indent=2), encoding="utf-8")
    print(format_report(report))
    if args.calibrate:
        print(calibration_table(results))
    return 0


def cmd_eligibility(args: argparse.Namespace) -> int:
    from bot.eligibility import Facts, assess

    for lineno, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            facts = Facts.from_dict(json.loads(line))
            out = assess(facts, clock.today()).as_dict()
        except (json.JSONDecodeError, ValueError, TypeError) as exc:
            out = {"error": f"line {lineno}: {exc}"}
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return 0


def cmd_applications(args: argparse.Namespace) -> int:
    """Staff access to legal-aid applications; personal data stays masked, every view is audited."""
    import csv

    from bot.legal_aid import store
    from bot.store.db import engine

    eng = engine()
    actor = f"staff-cli:{os.environ.get('USER', 'unknown')}"
    if args.action == "list":
        for app in store.list_all(eng, args.status):
            print(f"{app.reference}  {app.status:<16} {app.created_at:%Y-%m-%d %H:%M}  {app.name}  "
                  f"{app.phone_masked}  {app.region or '-'}  {app.matter or '-'}")
        return 0
    if args.action == "show":
        app = store.get(eng, args.reference, actor)
        if app is None:
            print("未找到该申请 (not found)", file=sys.stderr)
            return 1
        print(json.dumps({**app.__dict__, "created_at": app.created_at.isoformat(),
                          "updated_at": app.updated_at.isoformat()}, ensure_ascii=False, indent=2))
        return 0
    if args.action == "set-status":
        try:
            app = store.set_status(eng, args.reference, args.status, actor, args.reason)
        except store.WorkflowError as exc:
            print(f"refused: {exc}", file=sys.stderr)
            return 1
        print(f"{app.reference} → {app.status}")
        return 0
    from bot.spreadsheet import safe_cell

    writer = csv.writer(sys.stdout)
    writer.writerow(["reference", "status", "created_at", "name", "phone", "id_number", "region", "matter"])
    for app in store.list_all(eng, args.status):  # names and regions are the citizen's text: no formulas
        writer.writerow([safe_cell(v) for v in (app.reference, app.status, app.created_at.isoformat(), app.name,
                                                app.phone_masked, app.id_number_masked, app.region or "",
                                                app.matter or "")])
    return 0


def console_roles() -> tuple[str, ...]:
    from bot.console.policy import ROLES

    return ROLES


def cmd_users(args: argparse.Namespace) -> int:
    """Console accounts. Passwords are read from a prompt (or stdin), never from the command line."""
    import getpass

    from bot.console import users
    from bot.store.db import engine

    eng = engine()
    try:
        if args.action == "add":
            if args.password_stdin:
                password = sys.stdin.readline().rstrip("\n")
            else:
                password = getpass.getpass("密码 (password): ")
                if getpass.getpass("再输一次 (again): ") != password:
                    print("两次输入的密码不一致 (passwords differ)", file=sys.stderr)
                    return 1
            user = users.add_user(eng, args.username, password, args.role, args.name, args.region)
            print(f"已创建 {user.username} ({user.role})")
        elif args.action in ("disable", "enable"):
            users.set_disabled(eng, args.username, args.action == "disable")
            print(f"{args.username}: {'已停用 (disabled, sessions ended)' if args.action == 'disable' else '已启用'}")
        else:
            for user in users.list_users(eng):
                print(f"{user.username:<20} {user.role:<18} {'disabled' if user.disabled else 'active':<8} "
                      f"{user.display_name}  {user.region or '-'}")
    except users.UserError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    from bot.model import ensure_trained

    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false")
    steps = [
        # Lint first: under a second, and an unused import or undefined name fails before the slow steps.
        [sys.executable, "-m", "ruff", "check", "--quiet", "."],
        # Types of the pure domain (the files in pyproject's [tool.mypy]): about 20 s cold, 3 s cached.
        [sys.executable, "-m", "mypy"],
        [sys.executable, "-m", "rasa", "data", "validate", "--domain", "domain.yml", "--data", "intents",
         "--config", "config.yml"],
    ]
    for step in steps:
        print("$", " ".join(step[2:]), flush=True)
        subprocess.run(step, cwd=PROJECT_ROOT, env=env, check=True)
    model = ensure_trained()
    print("$ rasa test core (conversation tests)", flush=True)
    subprocess.run(
        [sys.executable, "-m", "rasa", "test", "core", "--model", str(model), "--stories", "tests/conversations",
         "--out", str(VAR / "results" / "conversations"), "--fail-on-prediction-errors"],
        cwd=PROJECT_ROOT, env=env, check=True,
    )
    print("$ pytest", flush=True)
    return subprocess.call([sys.executable, "-m", "pytest", *args.pytest_args], cwd=PROJECT_ROOT, env=env)


def cmd_kb(args: argparse.Namespace) -> int:
    from bot.kb import check as kb_check
    from bot.kb import faq, statutes

    if args.kb_command == "reload":
        from bot.knowledge_base import request_reload

        problems = kb_check.check()
        if problems:
            print("\n".join(problems))
            print("kb reload refused: the running bot keeps the last good base", file=sys.stderr)
            return 1
        request_reload()
        print("kb reload requested: the running bot answers from the new base from its next message")
        return 0
    if args.kb_command == "build-statutes":
        reference = Path(args.reference)
        if not reference.is_dir():
            print(f"reference texts not found: {reference}", file=sys.stderr)
            return 2
        citations = {(c.law, c.article) for e in faq.load() for c in e.citations}
        missing = statutes.build(citations, reference)
        shipped = statutes.load_shipped()
        print(f"shipped {sum(len(a) for a in shipped.values())} articles of {len(shipped)} laws to "
              f"{statutes.STATUTES_DIR}; {len(citations) - len(missing)} cited articles found")
        for m in missing:
            print(f"not found in the reference texts: {m}", file=sys.stderr)
        return 1 if missing else 0
    problems = kb_check.check()
    for p in problems:
        print(p)
    if problems:
        print(f"\nkb check: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    entries = faq.load()
    print(f"kb check: OK — {len(entries)} entries, {sum(len(e.citations) for e in entries)} citations verified")
    flagged = [e.id for e in entries if e.review_flag]
    if flagged:
        print(f"flagged for a lawyer's review (review_flag): {', '.join(flagged)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    # Everything the bot writes (databases, logs, secrets, results) is private to its user (review M6).
    from bot.security.files import PRIVATE_UMASK

    os.umask(PRIVATE_UMASK)
    parser = argparse.ArgumentParser(prog="hotline", description="12348 legal-consultation assistant")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("train", help="train the model if the data or config changed")
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=cmd_train)
    p = sub.add_parser("run", help="run the whole stack on embedded defaults")
    p.add_argument("--quiet", action="store_true", help="send server logs to var/logs")
    p.add_argument("--dev", action="store_true",
                   help="development mode: Rasa on 127.0.0.1 and the public WeChat development token")
    p.add_argument("--replicas", type=int, metavar="N",
                   help="N Rasa and N action servers, two web apps, PostgreSQL and Redis behind nginx on :8080 "
                        "(docs/replicas.md)")
    p.add_argument("--fresh", action="store_true", help="with --replicas: start from an empty database")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("purge", help="delete conversations and consultation logs past HOTLINE_RETENTION_DAYS "
                                     "(default 180); open tickets and applications are kept")
    p.add_argument("--days", type=int, help="override HOTLINE_RETENTION_DAYS")
    p.add_argument("--dry-run", action="store_true", help="count only")
    p.set_defaults(func=cmd_purge)
    p = sub.add_parser("chat", help="chat in the terminal with a running bot")
    p.add_argument("--sender")
    p.set_defaults(func=cmd_chat)
    p = sub.add_parser("classify", help="JSON lines {text} on stdin → classifications on stdout")
    p.set_defaults(func=cmd_classify)
    p = sub.add_parser("evaluate", help="score a labelled JSON-lines file {text, category} or the real "
                       "sample {n, row, source, label} (texts from ../shared/realq)")
    p.add_argument("file")
    p.add_argument("--out", default=str(VAR / "results"))
    p.add_argument("--half", choices=("even", "odd"), help="only the even or odd lines (by n)")
    p.set_defaults(func=cmd_evaluate)
    p = sub.add_parser("evaluate-chitchat", help="share of real chit-chat (../shared/realq) not given a "
                       "legal answer, and sent to crisis")
    p.add_argument("--out", default=str(VAR / "results"))
    p.set_defaults(func=cmd_evaluate_chitchat)
    p = sub.add_parser("suggest", help="JSON lines {text} on stdin → agent-assist suggestions on stdout")
    p.set_defaults(func=cmd_suggest)
    p = sub.add_parser("evaluate-faq", help="score FAQ retrieval on JSON lines {question, faq_id}")
    p.add_argument("file")
    p.add_argument("--out", default=str(VAR / "results"))
    p.add_argument("--calibrate", action="store_true", help="also print precision by threshold")
    p.set_defaults(func=cmd_evaluate_faq)
    p = sub.add_parser("eligibility", help="JSON lines of facts on stdin → legal-aid assessments on stdout")
    p.set_defaults(func=cmd_eligibility)
    p = sub.add_parser("applications", help="legal-aid applications: list, show, set-status, export (CSV)")
    apps = p.add_subparsers(dest="action", required=True)
    a = apps.add_parser("list")
    a.add_argument("--status")
    a = apps.add_parser("show")
    a.add_argument("reference")
    a = apps.add_parser("set-status")
    a.add_argument("reference")
    a.add_argument("status", choices=["under_review", "materials_needed", "approved", "rejected", "assigned"])
    a.add_argument("--reason")
    a = apps.add_parser("export", help="CSV on stdout, personal data masked")
    a.add_argument("--status")
    p.set_defaults(func=cmd_applications)
    p = sub.add_parser("users", help="console accounts: add, disable, enable, list")
    us = p.add_subparsers(dest="action", required=True)
    u = us.add_parser("add", help="create an account (asks for the password)")
    u.add_argument("username")
    u.add_argument("--role", required=True, choices=list(console_roles()),
                   help="agent, mediator, supervisor, or legal_aid_officer (decides legal-aid applications)")
    u.add_argument("--name", help="display name, e.g. 张坐席")
    u.add_argument("--region")
    u.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    for action in ("disable", "enable"):
        us.add_parser(action).add_argument("username")
    us.add_parser("list")
    p.set_defaults(func=cmd_users)
    p = sub.add_parser("kb", help="the FAQ knowledge base")
    kb = p.add_subparsers(dest="kb_command", required=True)
    kb.add_parser("check", help="schema, duplicates, citations verified word for word, disclaimers, sizes")
    kb.add_parser("reload", help="check the base, then make the running bot answer from it")
    b = kb.add_parser("build-statutes", help="copy every article of the official texts into knowledge/statutes")
    b.add_argument("--reference", default=str(PROJECT_ROOT.parent / "shared" / "reference" / "laws"))
    p.set_defaults(func=cmd_kb)
    p = sub.add_parser("test", help="validate data, train if needed, run conversation tests and pytest")
    p.add_argument("pytest_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_test)
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
