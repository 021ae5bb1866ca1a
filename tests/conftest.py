import glob
import os
import shutil
import subprocess
import tempfile
import time

import pytest

from tests.net import free_port

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
WECHAT_API_PORT = 18191


@pytest.fixture
def sqlite_url(tmp_path, monkeypatch) -> str:
    """A fresh SQLite database configured as the bot's store."""
    url = f"sqlite:///{tmp_path / 'hotline.db'}"
    monkeypatch.setenv("HOTLINE_DB_URL", url)
    return url


class RunningStack:
    """The servers of `hotline run`; a test may kill them as a crash would and start them again."""

    def __init__(self, model, log_dir) -> None:  # type: ignore[no-untyped-def]
        from bot import stack

        self._stack, self._model, self._log_dir = stack, model, log_dir
        self.procs = stack.start(model, log_dir=log_dir)

    def crash_and_restart(self) -> None:
        """kill -9 of every server (no clean shutdown), then a normal start on the same databases."""
        import signal

        for p in self.procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        self.procs = self._stack.start(self._model, log_dir=self._log_dir)

    def stop(self) -> None:
        self._stack.stop(self.procs)


@pytest.fixture(scope="session")
def wechat_api():
    """The test suite's one fake WeChat API (tests/fake_wechat.py), on a fixed loopback port for the stack."""
    from tests.fake_wechat import ThreadedFakeWeChatAPI

    api = ThreadedFakeWeChatAPI(WECHAT_API_PORT)
    yield api
    api.close()


@pytest.fixture(scope="session")
def running_stack(tmp_path_factory, wechat_api):
    """The whole stack (action server, Rasa server, web app, SQLite stores) on loopback, once per session.
    Its WeChat channel talks to a fake WeChat API on loopback (`wechat_api`)."""
    from bot.model import ensure_trained
    from bot.paths import VAR

    os.environ.setdefault("WECHAT_API_BASE_URL", wechat_api.base_url)
    os.environ["HOTLINE_DB_URL"] = f"sqlite:///{tmp_path_factory.mktemp('db') / 'hotline.db'}"
    # Agents on duty at any hour, so handoff tests do not depend on the clock (bot/handoff/roster.py).
    os.environ.setdefault("HOTLINE_ROSTER", os.path.join(os.path.dirname(__file__), "handoff", "roster_always_open.yml"))
    # Development mode: the Rasa server on loopback, and WeChat on its public development token.
    os.environ.setdefault("HOTLINE_DEV", "1")
    running = RunningStack(ensure_trained(), VAR / "logs" / "tests")
    yield running
    running.stop()


# A throwaway PostgreSQL cluster from Debian's packages, started once for the session.
# initdb refuses root, so the cluster runs as the `postgres` user with its socket in the cluster
# directory, on a free port (a cluster left running by an interrupted run must not block the next one).
# Outside CI the tests skip when PostgreSQL is not installed; in CI they fail instead.


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@pytest.fixture(scope="session")
def postgres_url():
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not initdb or not pg_ctl:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed (apt-get install postgresql)")
        pytest.skip("PostgreSQL is not installed")
    root = tempfile.mkdtemp(prefix="hotline-pg-")
    port = free_port()
    data = os.path.join(root, "data")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    subprocess.run(_as_postgres([initdb, "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8"]),
                   check=True, capture_output=True)
    subprocess.run(_as_postgres([pg_ctl, "-D", data, "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1",
                                 "-l", os.path.join(root, "log"), "-w", "start"]), check=True, capture_output=True)
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    try:
        from sqlalchemy import create_engine, text

        for _ in range(50):
            try:
                with create_engine(url, future=True).connect() as conn:
                    conn.execute(text("select 1"))
                break
            except Exception:  # noqa: BLE001 - still starting
                time.sleep(0.2)
        yield url
    finally:
        subprocess.run(_as_postgres([pg_ctl, "-D", data, "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
