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
    url = request.getfixturevalue("postgres_url")
    e = engine(url)
    store.metadata.drop_all(e)
    return e


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
