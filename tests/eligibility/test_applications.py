"""Legal-aid applications in SQLite and in a real PostgreSQL server."""

import pytest

from bot.legal_aid import reference, store
from bot.store.db import engine

ID = "11010519491231002X"


def submit(eng, key: str = "k1", **extra) -> str:
    values = dict(idempotency_key=key, sender_id="wx-1", name="张三", phone="13812345678", id_number=ID,
                  region="河南省周口市", matter="labor_relation_or_remuneration",
                  details={"description": "包工头欠我三万五", "opposing_party": "某建筑公司"})
    values.update(extra)
    return store.submit(eng, **values)


@pytest.fixture(params=["sqlite", "postgres"])
def eng(request, tmp_path, monkeypatch):
    monkeypatch.setenv("HOTLINE_FERNET_KEY", "vOvH6sdmpNWjRRIqCc7rdxs01lwHzfr3-KMkSADKGTw=")
    if request.param == "sqlite":
        return engine(f"sqlite:///{tmp_path / 'aid.db'}")
    e = engine(request.getfixturevalue("postgres_url"))
    reset_schema(e)
    return e


def reset_schema(e) -> None:
    """An empty database at the latest migration, so each test starts clean."""
    from alembic import command
    from alembic.config import Config

    from bot.store import schema

    cfg = Config()
    cfg.set_main_option("script_location", str(schema.MIGRATIONS))
    with e.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    schema._done.discard(str(e.url))
    schema.upgrade(e)


def test_reference_numbers_carry_a_check_character() -> None:
    ref = reference.make(2026, 123)
    assert ref.startswith("FY-2026-000123-") and reference.is_valid(ref)
    assert not reference.is_valid(ref[:-1] + ("0" if ref[-1] != "0" else "1"))
    assert not reference.is_valid("FY-2026-12-3")


def test_submit_is_idempotent_and_stored_masked(eng) -> None:
    ref = submit(eng)
    assert submit(eng) == ref  # a retried submission creates nothing new
    assert store.count(eng) == 1
    app = store.get(eng, ref, actor="agent:1")
    assert app.id_number_masked == "110105********002X" and app.phone_masked == "138****5678"
    assert store.reveal_id_number(eng, ref, actor="supervisor:1") == ID


def test_id_number_is_encrypted_at_rest(eng) -> None:
    submit(eng)
    from sqlalchemy import select

    with eng.connect() as conn:
        raw = conn.execute(select(store.applications.c.id_number_encrypted)).scalar()
    assert ID not in raw


def test_sql_injection_is_stored_verbatim(eng) -> None:
    nasty = "Robert'); DROP TABLE legal_aid_applications;--"
    ref = submit(eng, key="k2", name=nasty)
    assert store.get(eng, ref, actor="agent:1").name == nasty
    assert store.count(eng) == 1


def test_workflow(eng) -> None:
    ref = submit(eng)
    store.set_status(eng, ref, "under_review", actor="agent:1")
    with pytest.raises(store.WorkflowError):
        store.set_status(eng, ref, "rejected", actor="agent:1")  # a rejection needs a reason
    with pytest.raises(store.WorkflowError):
        store.set_status(eng, ref, "assigned", actor="agent:1")  # not before approval
    store.set_status(eng, ref, "approved", actor="agent:1")
    assert store.set_status(eng, ref, "assigned", actor="agent:1").status == "assigned"


def test_status_query_never_tells_whether_a_reference_exists(eng) -> None:
    ref = submit(eng)
    assert store.status_for_citizen(eng, ref, "5678") == "submitted"
    assert store.status_for_citizen(eng, ref, "0000") is None
    assert store.status_for_citizen(eng, reference.make(2026, 999), "5678") is None
    assert store.status_for_citizen(eng, "FY-2026-000001", "5678") is None


def test_migrations_create_what_the_code_uses(eng) -> None:
    from sqlalchemy import inspect

    from bot.store import schema

    schema.upgrade(eng)
    tables = set(inspect(eng).get_table_names())
    assert "handoff_events" not in tables  # dropped by 0005: the first handoff records, replaced by tickets
    for table in store.metadata.tables.values():
        assert table.name in tables
        columns = {c["name"] for c in inspect(eng).get_columns(table.name)}
        assert columns == {c.name for c in table.columns}, table.name


def test_staff_cli(tmp_path, monkeypatch) -> None:
    import csv
    import io
    import subprocess
    import sys
    from pathlib import Path

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("HOTLINE_DB_URL", url)
    monkeypatch.setenv("HOTLINE_FERNET_KEY", "vOvH6sdmpNWjRRIqCc7rdxs01lwHzfr3-KMkSADKGTw=")
    ref = submit(engine(url))
    root = Path(__file__).resolve().parents[2]

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "bot.cli", "applications", *args], cwd=root, text=True,
                              capture_output=True, timeout=120)

    assert ref in cli("list").stdout
    assert "110105********002X" in cli("show", ref).stdout and ID not in cli("show", ref).stdout
    assert cli("set-status", ref, "approved").returncode == 1  # not from submitted
    assert cli("set-status", ref, "under_review").returncode == 0
    rows = list(csv.reader(io.StringIO(cli("export").stdout)))
    assert rows[1][:2] == [ref, "under_review"] and rows[1][4] == "138****5678"


def test_a_status_change_is_audited_once(eng) -> None:
    from sqlalchemy import select

    ref = submit(eng)
    store.set_status(eng, ref, "under_review", actor="agent:1")
    with eng.connect() as conn:
        actions = [r.action for r in conn.execute(select(store.audit_log).where(store.audit_log.c.actor == "agent:1"))]
    assert actions == ["status:under_review"]


def test_the_latest_application_of_a_conversation_is_found_by_its_sender(sqlite_url) -> None:
    from bot.legal_aid import store
    from bot.store.db import engine

    assert store.latest_for_sender(engine(), "nobody") is None
    refs = [store.submit(engine(), idempotency_key=f"k{i}", sender_id="conv-9", name="张三", phone="13812345678",
                         id_number="11010519491231002X", region=None, matter="other", details={}) for i in range(2)]
    assert store.latest_for_sender(engine(), "conv-9") == refs[-1]
