"""`hotline run`: the action server, the Rasa server and the web app as child processes, stopped together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import yaml

from bot import heap
from bot.paths import PROJECT_ROOT, VAR
from bot.security import keys, settings
from bot.security.secrets import write_private

RASA_PORT = 5005
ACTIONS_PORT = 5055
WEB_PORT = 8000
TRACKER_STORE = "bot.tracker_store.CachedSQLTrackerStore"
DB_PASSWORD_VAR = "HOTLINE_DB_PASSWORD"  # the tracker store's password, for endpoints.effective.yml
# Largest request body the Rasa server reads (Sanic's default is 100 MB): a chat message is at most
# 1,000 characters, a WeChat message 64 KB.
RASA_MAX_BODY = 128 * 1024


def child_env() -> dict[str, str]:
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", PYTHONUNBUFFERED="1")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("MALLOC_ARENA_MAX", heap.MALLOC_ARENA_MAX)  # bounded per-thread heaps (bot/heap.py)
    # Every server on 127.0.0.1 unless HOTLINE_<NAME>_HOST says otherwise (README "Security").
    env["HOTLINE_RASA_HOST"] = settings.bind_host("RASA")
    from bot.channels.wechat.config import DEV_ENV, development_mode

    # credentials.yml reads these and Rasa refuses unset ones. The public development values only in
    # development mode on loopback (review M2); otherwise empty, which switches WeChat off unless the
    # deployment set its own.
    defaults = DEV_ENV if development_mode(env) else {}
    for name in DEV_ENV:
        env.setdefault(name, defaults.get(name, ""))
    password = db_password(env)
    if password:
        env[DB_PASSWORD_VAR] = password
    keys.export_all(env)  # shared secrets (var/secrets/, 0600) unless set in the environment
    env.setdefault("SANIC_REQUEST_MAX_SIZE", str(RASA_MAX_BODY))  # Sanic reads SANIC_* at start
    env["COMPRESS_ACTION_SERVER_REQUEST"] = "false"  # the action server refuses compressed bodies
    return env


def effective_endpoints() -> Path:
    """endpoints.yml with the tracker store pointed at HOTLINE_DB_URL when one is set."""
    data = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    url = os.environ.get("HOTLINE_DB_URL")
    if url:
        from sqlalchemy.engine import make_url

        u = make_url(url)
        data["tracker_store"] = {
            "type": TRACKER_STORE, "dialect": u.drivername.split("+")[0], "url": u.host, "port": u.port,
            "db": u.database, "username": u.username,
            # Never on disk (review M6): Rasa reads ${VAR} from the environment child_env() passes on.
            "password": "${" + DB_PASSWORD_VAR + "}" if u.password else None,
        }
    else:
        data["tracker_store"].update(type=TRACKER_STORE, db=str(VAR / "rasa_tracker.db"))
    secure_var_dir()
    out = VAR / "endpoints.effective.yml"
    out.unlink(missing_ok=True)
    write_private(out, yaml.safe_dump(data, allow_unicode=True).encode("utf-8"))
    return out


def db_password(env: dict[str, str]) -> str | None:
    url = env.get("HOTLINE_DB_URL")
    if not url:
        return None
    from sqlalchemy.engine import make_url

    return make_url(url).password


def secure_var_dir() -> None:
    """var/ 0700 and what is in it private (also what older versions left world-readable)."""
    from bot.security.files import secure_var

    secure_var(VAR)


def wait_http(url: str, timeout: float, procs: list[subprocess.Popen]) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            return False
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except OSError:
            time.sleep(0.5)
    return False


def start(model: Path, log_dir: Path | None = None) -> list[subprocess.Popen]:
    """Starts the servers and waits until they answer; raises if any fails.

    With `log_dir`, each server logs to its own file there; otherwise to this terminal.
    """
    env = child_env()
    procs: list[subprocess.Popen] = []
    if log_dir:
        log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)

    def spawn(name: str, cmd: list[str]) -> None:
        if log_dir:
            with open(log_dir / f"{name}.log", "ab") as log:  # the child keeps its own copy open
                procs.append(subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=log,
                                              stderr=subprocess.STDOUT, start_new_session=True))
        else:
            procs.append(subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, start_new_session=True))
    # Every server on 127.0.0.1 unless HOTLINE_<NAME>_HOST says otherwise (README "Security").
    spawn("actions", [sys.executable, "-m", "bot.action_server", "--actions", "actions",
                      "--host", settings.bind_host("ACTIONS"), "--port", str(ACTIONS_PORT)])
    spawn("rasa", [sys.executable, "-m", "bot.rasa_server", "run", "--model", str(model),
                   "--endpoints", str(effective_endpoints()), "--credentials", "credentials.yml",
                   "--interface", settings.bind_host("RASA"), "--port", str(RASA_PORT),
                   "--cors", *settings.public_origins()])
    spawn("web", [sys.executable, "-m", "bot.web.app", "--host", settings.bind_host("WEB"), "--port", str(WEB_PORT)])
    ok = (wait_http(f"http://127.0.0.1:{ACTIONS_PORT}/health", 120, procs)
          and wait_http(f"http://127.0.0.1:{WEB_PORT}/healthz", 120, procs)
          and wait_http(f"http://127.0.0.1:{RASA_PORT}/", 300, procs))
    if not ok:
        stop(procs)
        raise RuntimeError("the bot did not start; see the logs above or in var/logs")
    return procs


def stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
