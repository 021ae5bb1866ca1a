"""The production manifests (deploy/, docs/operations.md) are valid as far as this machine can tell:
systemd's own verifier on the units, `nginx -t` on the site, and the endpoints file names what the
hotline needs. The tools are skipped where they are not installed."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot import stack
from bot.paths import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").iterdir())


def installed(tmp_path: Path) -> Path:
    """The units as they would be installed, with /opt/hotline and /etc/hotline under tmp_path."""
    opt, etc, units = tmp_path / "opt", tmp_path / "etc", tmp_path / "units"
    (opt / ".venv" / "bin").mkdir(parents=True)
    etc.mkdir()
    units.mkdir()
    (opt / ".venv" / "bin" / "python").symlink_to(sys.executable)
    (opt / ".venv" / "bin" / "hotline").symlink_to(sys.executable)
    (etc / "hotline.env").write_text((DEPLOY / "hotline.env.example").read_text(encoding="utf-8"), encoding="utf-8")
    for unit in UNITS:
        text = unit.read_text(encoding="utf-8").replace("/opt/hotline", str(opt)).replace("/etc/hotline", str(etc))
        name = unit.name.replace("@.", "@5005.") if "@." in unit.name else unit.name
        (units / name).write_text(text, encoding="utf-8")
    return units


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_every_unit(tmp_path: Path) -> None:
    units = installed(tmp_path)
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *sorted(str(u) for u in units.iterdir())],
                            capture_output=True, text=True, timeout=60)
    # Unknown keys and bad values are only warnings: any line about our files is a failure.
    ours = [ln for ln in (result.stdout + result.stderr).splitlines() if str(units) in ln or "hotline" in ln]
    assert result.returncode == 0 and not ours, result.stdout + result.stderr


def test_every_unit_runs_as_the_hotline_user_with_bounded_heaps() -> None:
    for unit in UNITS:
        text = unit.read_text(encoding="utf-8")
        if "[Service]" not in text:
            continue
        assert "User=hotline" in text and "NoNewPrivileges=yes" in text, unit.name
        if "@" in unit.name:  # the long-running servers
            assert "MALLOC_ARENA_MAX=2" in text and "Restart=always" in text and "MemoryMax=" in text, unit.name
            assert "${HOTLINE_PRIVATE_ADDRESS}" in text, unit.name  # never 0.0.0.0


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_accepts_the_site(tmp_path: Path) -> None:
    main = tmp_path / "nginx.conf"
    main.write_text(f"""pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{}}
http {{
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    include {DEPLOY / 'nginx' / 'hotline.conf'};
}}
""", encoding="utf-8")
    result = subprocess.run(["nginx", "-t", "-c", str(main), "-p", str(tmp_path)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr


def test_the_site_routes_every_public_entry_and_hides_the_internal_ones() -> None:
    site = (DEPLOY / "nginx" / "hotline.conf").read_text(encoding="utf-8")
    for location in ("/socket.io/", "/webhooks/", "/webhooks/handoff/notify", "/"):
        assert re.search(rf"location {re.escape(location)} ", site), location
    assert "hash $remote_addr consistent" in site  # sticky socket.io, the same choice on both machines
    assert "listen 127.0.0.1:5054" in site  # the action-server pool is internal


def test_the_public_entry_never_repeats_a_message_already_sent() -> None:
    """Only the internal action pool may repeat a POST already sent (its committing actions are
    idempotent); a citizen's message may have been handled by the replica that died."""
    site = (DEPLOY / "nginx" / "hotline.conf").read_text(encoding="utf-8")
    entry, internal = site.split("# Internal", 1)
    assert "proxy_next_upstream error timeout" in entry
    assert "non_idempotent" not in entry
    assert "non_idempotent" in internal


def test_the_production_endpoints_name_the_project_store_and_a_shared_lock_store() -> None:
    data = yaml.safe_load((DEPLOY / "endpoints.production.yml").read_text(encoding="utf-8"))
    assert data["tracker_store"]["type"] == stack.TRACKER_STORE
    assert data["tracker_store"]["dialect"] == "postgresql"
    assert data["lock_store"]["type"] == "bot.lock_store.AtomicRedisLockStore"
    assert data["action_endpoint"]["headers"]["X-Hotline-Action-Token"] == "${HOTLINE_ACTION_TOKEN}"


def test_every_variable_the_manifests_use_is_in_the_example_environment() -> None:
    example = (DEPLOY / "hotline.env.example").read_text(encoding="utf-8")
    defined = set(re.findall(r"^(\w+)=", example, flags=re.M))
    used = set()
    for path in [*UNITS, DEPLOY / "endpoints.production.yml"]:
        used |= set(re.findall(r"\$\{(\w+)\}", path.read_text(encoding="utf-8")))
    assert used <= defined, used - defined
    # No real secret in the example: every password, token and key is a placeholder or empty.
    assert not re.search(r"^\w*(PASSWORD|SECRET|TOKEN|_KEY)=(?!CHANGE_ME$|$)", example, flags=re.M)
