"""The stack a bench measures: started by the bench (`--start`) or already running, and its memory.

`--start` runs the launcher (`./hotline run --quiet`, or `./hotline run --replicas N --quiet` with
`--replicas N`) as a child and stops it afterwards; the whole stack is then every process below that
launcher, whatever it starts (Rasa servers, action servers, web apps, nginx, Redis, PostgreSQL) and the
launcher itself. Without `--start`, the bench finds the stack's processes by their command lines.

Run a bench that starts the stack under the machine's stack lock, e.g.
    HOTLINE_LIMIT_SENDER=0/0 flock /tmp/hotline-stack.lock .venv/bin/python bench/memory.py --start
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
SINGLE_URL = "http://127.0.0.1:5005"  # the embedded stack's Rasa server
NGINX_URL = "http://127.0.0.1:8080"  # the single entry of `hotline run --replicas N`
REST_PATH = "/webhooks/rest/webhook"

# What a process is, from its command line (first match wins).
KINDS = (
    ("rasa server", ("bot.rasa_server", " rasa run")),
    ("action server", ("bot.action_server", "rasa_sdk")),
    ("web app", ("bot.web.app",)),
    ("nginx", ("nginx",)),
    ("redis", ("redis-server",)),
    ("postgresql", ("postgres",)),
    ("launcher", ("hotline run", "bot.cli run", "bot/cli.py run")),
)


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def _cmdline(pid: int) -> str:
    try:
        return (Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")).strip()
    except OSError:
        return ""


def rss_kb(pid: int) -> int:
    for line in _read(Path(f"/proc/{pid}/status")).splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def pss_kb(pid: int) -> int:
    """Proportional set size: shared pages (PostgreSQL's shared buffers, libraries) split between the
    processes that map them, so a sum over processes counts them once."""
    for line in _read(Path(f"/proc/{pid}/smaps_rollup")).splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def _parents() -> dict[int, int]:
    out = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            stat = _read(proc / "stat")
            if stat:
                out[int(proc.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return out


def descendants(root: int) -> list[int]:
    parents = _parents()
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, ppid in parents.items() if ppid in frontier]
        found += frontier
    return [pid for pid in found if pid in parents]


def kind_of(cmd: str) -> str | None:
    for name, marks in KINDS:
        if any(m in cmd for m in marks):
            return name
    return None


def stack_pids(root: int | None) -> list[int]:
    if root is not None:
        return descendants(root)
    return [int(p.name) for p in Path("/proc").iterdir()
            if p.name.isdigit() and kind_of(_cmdline(int(p.name))) not in (None, "launcher", "nginx", "redis", "postgresql")]


def rss_by_kind(root: int | None, measure=rss_kb) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Resident memory in MB of the stack's processes, summed by kind ("other" for helpers of unknown
    kind, e.g. the shell of a launcher). `measure=pss_kb` for the proportional figure."""
    out: dict[str, float] = {}
    for pid in stack_pids(root):
        kb = measure(pid)
        if kb:
            name = kind_of(_cmdline(pid)) or "other"
            out[name] = out.get(name, 0.0) + kb / 1024
    return {k: round(v, 1) for k, v in sorted(out.items())}


@dataclass
class Stack:
    replicas: int = 0  # 0: the embedded single-process stack
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return NGINX_URL if self.replicas else SINGLE_URL

    def start(self, timeout: float = 420) -> None:
        cmd = [str(ROOT / "hotline"), "run", "--quiet"]
        if self.replicas:
            cmd += ["--replicas", str(self.replicas)]
        env = dict(os.environ, **self.env)
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{' '.join(cmd)} exited with {self.proc.returncode}; see var/logs")
            if _answers(self.base_url + REST_PATH, rest_headers(self.replicas)):
                return
            time.sleep(1)
        self.stop()
        raise RuntimeError(f"the stack did not answer at {self.base_url} within {timeout:.0f} s")

    @property
    def root_pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def stop(self) -> None:
        if not self.proc or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)  # the launcher stops what it started
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


@contextmanager
def bench_stack(args) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    """The stack a bench's arguments (add_stack_arguments) name: started with --start, and stopped
    afterwards whatever happens; without --start, the one already running at --url."""
    stack = Stack(replicas=args.replicas)
    # A SIGTERM (timeout, a colleague's kill) unwinds through `finally`, so the stack is stopped too.
    previous = signal.signal(signal.SIGTERM, exit_on_sigterm)
    try:
        if args.start:
            stack.start()
        yield stack
    finally:
        stack.stop()
        signal.signal(signal.SIGTERM, previous)


def exit_on_sigterm(*_: object) -> None:
    raise SystemExit(143)


def base_url(args, stack: Stack) -> str:  # type: ignore[no-untyped-def]
    return args.url or stack.base_url


def rest_headers(replicas: int) -> dict[str, str]:
    """Through nginx a REST call is not from the host itself: it needs the REST bearer token
    (bot/security/keys.py; docs/replicas.md)."""
    headers = {"Content-Type": "application/json"}
    if replicas:
        import sys

        sys.path.insert(0, str(ROOT))
        from bot.security import keys

        headers["Authorization"] = f"Bearer {os.environ.get(keys.REST_TOKEN.env) or keys.value(keys.REST_TOKEN)}"
    return headers


def _answers(url: str, headers: dict[str, str]) -> bool:
    req = urllib.request.Request(url, b'{"sender": "bench-probe", "message": "\\u4f60\\u597d"}', headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status == 200
    except OSError:
        return False


def add_stack_arguments(parser) -> None:  # type: ignore[no-untyped-def]
    parser.add_argument("--start", action="store_true",
                        help="start the stack (./hotline run --quiet) for this run and stop it afterwards")
    parser.add_argument("--replicas", type=int, default=0,
                        help="with --start: ./hotline run --replicas N, measured through nginx on :8080")
    parser.add_argument("--url", help="base URL of a running stack (default :5005, or :8080 with --replicas)")
