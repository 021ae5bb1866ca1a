"""Review M6: what the bot writes to disk is private, holds no database password, and SQL errors carry
no citizen data; the Fernet key can live apart from the database and be rotated."""

from __future__ import annotations

import logging
import os
import stat

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from bot.security import files
from bot.security.secrets import load_or_create


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    old = os.umask(0o022)  # as a shell would have it
    yield
    os.umask(old)


def test_sqlite_databases_are_created_0600_whatever_the_umask(tmp_path, open_umask) -> None:
    from bot.store.db import engine

    with engine(f"sqlite:///{tmp_path / 'hotline.db'}").begin() as conn:
        conn.execute(sa.text("create table t (x int)"))
    assert mode(tmp_path / "hotline.db") == 0o600
    assert all(mode(p) == 0o600 for p in tmp_path.glob("hotline.db-*"))


def test_the_tracker_database_is_0600(tmp_path, open_umask) -> None:
    from rasa.shared.core.domain import Domain

    from bot.tracker_store import CachedSQLTrackerStore

    CachedSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    assert mode(tmp_path / "t.db") == 0o600


def test_var_is_made_private_with_what_an_older_version_left_readable(tmp_path, open_umask) -> None:
    var = tmp_path / "var"
    (var / "logs").mkdir(parents=True)
    for name in ("hotline.db", "hotline.db-wal", "rasa_tracker.db", "endpoints.effective.yml"):
        (var / name).write_text("x")
    os.chmod(var, 0o755)
    files.secure_var(var)
    assert mode(var) == 0o700 and mode(var / "logs") == 0o700
    assert {p.name: mode(p) for p in var.iterdir() if p.is_file()} == dict.fromkeys(
        ["hotline.db", "hotline.db-wal", "rasa_tracker.db", "endpoints.effective.yml"], 0o600)


def test_the_effective_endpoints_hold_no_database_password(tmp_path, monkeypatch, open_umask) -> None:
    import rasa.shared.utils.io

    from bot import stack

    monkeypatch.setattr(stack, "VAR", tmp_path / "var")
    monkeypatch.setenv("HOTLINE_SECRETS_DIR", str(tmp_path / "secrets"))
    monkeypatch.setenv("HOTLINE_DB_URL", "postgresql://hotline:s3cret-Pa55@db.example:5432/hotline")
    path = stack.effective_endpoints()
    assert "s3cret-Pa55" not in path.read_text() and mode(path) == 0o600 and mode(tmp_path / "var") == 0o700
    env = stack.child_env()
    assert env["HOTLINE_DB_PASSWORD"] == "s3cret-Pa55"
    monkeypatch.setenv("HOTLINE_DB_PASSWORD", env["HOTLINE_DB_PASSWORD"])  # as the Rasa server's environment
    monkeypatch.setenv("HOTLINE_ACTION_TOKEN", env["HOTLINE_ACTION_TOKEN"])
    store = rasa.shared.utils.io.read_config_file(str(path))["tracker_store"]
    assert (store["password"], store["username"], store["url"]) == ("s3cret-Pa55", "hotline", "db.example")


def test_sql_errors_do_not_carry_the_citizens_data(tmp_path, caplog) -> None:
    from bot.store.db import engine

    eng = engine(f"sqlite:///{tmp_path / 'e.db'}")
    phone = "139" + "12345678"  # built, so that the traceback's source line does not show it
    with eng.begin() as conn:
        conn.execute(sa.text("create table apps (id int primary key, phone text)"))
        conn.execute(sa.text("insert into apps values (1, '13812345678')"))
    with pytest.raises(sa.exc.IntegrityError) as err, eng.begin() as conn:
        conn.execute(sa.text("insert into apps values (:id, :phone)"), {"id": 1, "phone": phone})
    logging.getLogger("t").exception("insert failed", exc_info=err.value)
    assert phone not in str(err.value) and phone not in caplog.text


def test_shared_secrets_are_created_once_0600_in_a_0700_directory(tmp_path, monkeypatch, open_umask) -> None:
    monkeypatch.setenv("HOTLINE_SECRETS_DIR", str(tmp_path / "secrets"))
    monkeypatch.delenv("HOTLINE_SECRET_RELAY_NOTIFY", raising=False)
    first = load_or_create("relay-notify")
    assert len(first) >= 40 and load_or_create("relay-notify") == first
    assert mode(tmp_path / "secrets") == 0o700 and mode(tmp_path / "secrets" / "relay-notify") == 0o600
    monkeypatch.setenv("HOTLINE_SECRET_RELAY_NOTIFY", "from-the-environment")
    assert load_or_create("relay-notify") == "from-the-environment"
    with pytest.raises(ValueError):
        load_or_create("../escape")


def test_the_fernet_key_can_live_in_its_own_file_and_be_rotated(tmp_path, monkeypatch) -> None:
    from bot.legal_aid import secrets

    old, new = Fernet.generate_key(), Fernet.generate_key()
    key_file = tmp_path / "elsewhere" / "fernet.key"
    key_file.parent.mkdir()
    key_file.write_bytes(old)
    monkeypatch.delenv("HOTLINE_FERNET_KEY", raising=False)
    monkeypatch.setenv("HOTLINE_FERNET_KEY_FILE", str(key_file))
    assert secrets.load_key() == old
    token = Fernet(old).encrypt(b"13812345678")
    monkeypatch.setenv("HOTLINE_FERNET_KEY", f"{new.decode()},{old.decode()}")  # rotation: new first
    rotated = secrets.fernet(secrets.load_key())
    assert rotated.decrypt(token) == b"13812345678"
    assert Fernet(new).decrypt(rotated.encrypt(b"x")) == b"x"


def test_what_staff_see_is_masked_however_the_number_was_typed(tmp_path, monkeypatch) -> None:
    """Ticket transcripts and the consultation log go through mask_text (review M6: spaced IDs)."""
    from datetime import datetime, timezone

    from bot.handoff import store as tickets
    from bot.store import consultation_log
    from bot.store.db import engine

    monkeypatch.setenv("HOTLINE_FERNET_KEY", Fernet.generate_key().decode())
    eng = engine(f"sqlite:///{tmp_path / 'h.db'}")
    now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    text = "身份证 110105 19491231 002X，电话１３８ １２３４ ５６７８"
    t = tickets.open_ticket(eng, sender_id="s1", channel="rest", reason="request_human", category=None,
                            summary={"category": None, "entities": {}, "faq_answers": [],
                                     "last_turns": [{"speaker": "citizen", "text": text}]}, now=now)
    tickets.record_citizen_message(eng, t.reference, text, now)
    consultation_log.record(eng, "s1", "none", text, False, now=now)
    shown = [m.text for m in tickets.transcript(eng, t.reference)]
    shown += [tickets.get(eng, t.reference).summary["last_turns"][0]["text"]]
    shown += [c.question for c in consultation_log.between(eng, now, now.replace(year=2027))]
    assert shown == ["身份证 110105********002X，电话138****5678"] * 3
