"""The replicated stack's pure parts: ports from the environment, generated nginx/Redis/endpoints
configuration, the supervisor's backoff (bot/replicas.py). No servers started."""

import shutil
import subprocess

import pytest

from bot import replicas
from bot.replicas import Ports


def test_ports_default_to_loopback_and_each_is_configurable() -> None:
    assert Ports.from_env({}).entry_host == "127.0.0.1" and Ports.from_env({}).entry == 8080
    ports = Ports.from_env({"HOTLINE_ENTRY_PORT": "9090", "HOTLINE_RASA_PORT": "6005", "HOTLINE_PG_PORT": "6543"})
    assert (ports.entry, ports.rasa, ports.postgres) == (9090, 6005, 6543)
    with pytest.raises(ValueError, match="HOTLINE_REDIS_PORT"):
        Ports.from_env({"HOTLINE_REDIS_PORT": "redis"})


def test_nginx_routes_every_public_path_and_binds_nothing_public(tmp_path) -> None:
    conf = replicas.nginx_conf(Ports(), 3, 2, tmp_path)
    assert "listen 127.0.0.1:8080;" in conf and "0.0.0.0" not in conf
    listens = [line.strip() for line in conf.splitlines() if line.strip().startswith("listen")]
    assert all(line.startswith("listen 127.0.0.1:") for line in listens)
    for path in ("/socket.io/", "/webhooks/", "/"):
        assert f"location {path} " in conf
    assert "ip_hash;" in conf and "proxy_set_header Upgrade $http_upgrade;" in conf  # sticky, websocket
    assert "location /webhooks/handoff/notify { return 403; }" in conf
    for port in (5005, 5006, 5007, 5055, 5056, 5057, 8000, 8001):
        assert f"127.0.0.1:{port} " in conf
    assert "127.0.0.1:8002" not in conf


def test_the_public_entry_never_repeats_a_message_already_sent(tmp_path) -> None:
    """A POST sent to a replica that died may have been handled: nginx must not send it to another one
    (`non_idempotent`); only the internal action pool, whose committing actions are idempotent, may."""
    conf = replicas.nginx_conf(Ports(), 3, 2, tmp_path)
    entry, internal = conf.split("# Internal", 1)
    assert "proxy_next_upstream error timeout" in entry and "non_idempotent" not in entry
    assert "non_idempotent" in internal


@pytest.mark.skipif(not shutil.which("nginx") and not shutil.which("/usr/sbin/nginx"), reason="nginx not installed")
def test_the_generated_nginx_configuration_is_valid(tmp_path) -> None:
    (tmp_path / "tmp").mkdir()
    (tmp_path / "nginx.conf").write_text(replicas.nginx_conf(Ports(), 2, 2, tmp_path))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    done = subprocess.run([nginx, "-t", "-e", str(tmp_path / "error.log"), "-p", str(tmp_path),
                           "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_replica_endpoints_use_the_redis_lock_store_and_the_action_pool() -> None:
    base = {"action_endpoint": {"url": "http://127.0.0.1:5055/webhook", "headers": {"X": "${T}"}},
            "tracker_store": {"type": "bot.tracker_store.CachedSQLTrackerStore", "dialect": "postgresql"}}
    data = replicas.replica_endpoints(Ports(), base)
    assert data["lock_store"]["type"] == "bot.lock_store.AtomicRedisLockStore" and data["lock_store"]["port"] == 6390
    assert data["lock_store"]["password"] == "${HOTLINE_REDIS_PASSWORD}"  # never on disk
    assert data["action_endpoint"] == {"url": "http://127.0.0.1:5054/webhook", "headers": {"X": "${T}"}}
    assert data["tracker_store"] == base["tracker_store"]


def test_redis_binds_loopback_with_a_password(tmp_path) -> None:
    conf = replicas.redis_conf(Ports(), tmp_path, "s3cret")
    assert "bind 127.0.0.1" in conf and "requirepass s3cret" in conf and "port 6390" in conf


def test_backoff_doubles_while_a_child_keeps_dying_and_resets_after_a_minute_up() -> None:
    delays, d = [], 0.0
    for _ in range(7):
        d = replicas.backoff(d, up_seconds=2)
        delays.append(d)
    assert delays == [1, 2, 4, 8, 16, 30, 30]
    assert replicas.backoff(30, up_seconds=61) == 1


def test_the_supervisor_restarts_a_dead_child_after_its_backoff_and_logs_it(tmp_path, caplog) -> None:
    import sys
    import time

    sup = replicas.Supervisor(tmp_path, tmp_path / "state.json")
    child = replicas.Child("sleeper", [sys.executable, "-c", "import time; time.sleep(60)"], 0, lambda: True)
    sup.start(child, 10)
    first = child.proc.pid
    try:
        child.proc.kill()
        child.proc.wait()
        deadline = time.monotonic() + 5
        while child.restarts == 0 and time.monotonic() < deadline:
            sup.check()
            time.sleep(0.1)
        assert child.restarts == 1 and child.alive and child.proc.pid != first
        assert "sleeper (pid" in caplog.text and "restarting in 1 s" in caplog.text
        import json

        state = json.loads((tmp_path / "state.json").read_text())
        assert state["processes"]["sleeper"]["restarts"] == 1 and state["processes"]["sleeper"]["pid"] == child.proc.pid
    finally:
        sup.stop()
    assert not child.alive


def test_children_die_with_a_launcher_killed_without_stopping_them(tmp_path) -> None:
    import os
    import signal
    import sys
    import textwrap
    import time

    script = tmp_path / "launcher.py"
    script.write_text(textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from bot import replicas
        sup = replicas.Supervisor(Path({str(tmp_path)!r}), Path({str(tmp_path / 'state.json')!r}))
        sup.start(replicas.Child("sleeper", [sys.executable, "-c", "import time; time.sleep(60)"], 0, lambda: True), 10)
        print(sup.children[0].proc.pid, flush=True)
        time.sleep(60)
    """))
    import subprocess

    launcher = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    child = int(launcher.stdout.readline())
    launcher.send_signal(signal.SIGKILL)
    launcher.wait()
    launcher.stdout.close()  # an open pipe left to the collector is a ResourceWarning, and warnings fail tests
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(child, signal.SIGKILL)
    raise AssertionError("the child outlived its launcher")


def test_a_child_can_run_as_another_user_with_the_parent_death_signal(tmp_path) -> None:
    """PostgreSQL runs as `postgres` when the launcher is root (a regression: the child's setup failed)."""
    import os
    import pwd

    if os.geteuid() != 0:
        pytest.skip("needs root")
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("no postgres user")
    sup = replicas.Supervisor(tmp_path, tmp_path / "state.json")
    child = replicas.Child("as-postgres", ["id", "-un"], 0, lambda: True, user="postgres")
    sup.children.append(child)
    sup.spawn(child)
    child.proc.wait(timeout=10)
    assert child.proc.returncode == 0 and (tmp_path / "as-postgres.log").read_text().strip() == "postgres"


def test_the_action_pool_takes_a_long_conversation_s_whole_tracker(tmp_path) -> None:
    """Rasa posts the whole tracker to the action server; nginx's entry limit (256k) refused it after
    about a hundred turns (413), and the legal-aid form of a long conversation was never submitted."""
    from bot import action_server

    conf = replicas.nginx_conf(Ports(), 2, 2, tmp_path)
    pool = conf[conf.index("listen 127.0.0.1:5054;"):]
    assert f"client_max_body_size {action_server.DEFAULT_MAX_BODY // 1024}k;" in pool
    assert replicas.ACTION_MAX_BODY == action_server.DEFAULT_MAX_BODY
    entry = conf[conf.index("listen 127.0.0.1:8080;"):conf.index("listen 127.0.0.1:5054;")]
    assert "client_max_body_size" not in entry  # the public entry keeps the global 256k
