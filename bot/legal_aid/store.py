"""Applications, their status history and an audit log (SQLAlchemy 1.4, 2.0 style).

An application is committed before the citizen is told its reference; a retried submission with the
same idempotency key returns the first application instead of creating a second one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (Column, DateTime, ForeignKey, Integer, MetaData, String, Table, Text, func, select)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot import clock
from bot.legal_aid import reference
from bot.legal_aid.secrets import fernet
from bot.masking import mask_id_number, mask_phone

metadata = MetaData()

applications = Table(
    "legal_aid_applications", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("reference", String(20), unique=True),
    Column("idempotency_key", String(128), nullable=False, unique=True),
    Column("sender_id", String(128), nullable=False),
    Column("name", String(100), nullable=False),
    Column("phone", String(20), nullable=False),
    Column("id_number_encrypted", Text, nullable=False),
    Column("id_number_masked", String(24), nullable=False),
    Column("region", String(100)),
    Column("matter", String(64)),
    Column("details", Text, nullable=False),  # JSON: the other answers of the form and the assessment
    Column("status", String(24), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

status_history = Table(
    "legal_aid_status_history", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("application_id", Integer, ForeignKey("legal_aid_applications.id"), nullable=False),
    Column("status", String(24), nullable=False),
    Column("reason", Text),
    Column("actor", String(100), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

audit_log = Table(
    "legal_aid_audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("actor", String(100), nullable=False),
    Column("action", String(50), nullable=False),
    Column("reference", String(20)),
    Column("at", DateTime(timezone=True), nullable=False),
)

# The workflow of 法律援助法第四十三条: review within 7 days, materials may be requested once.
TRANSITIONS = {
    "submitted": {"under_review"},
    "under_review": {"materials_needed", "approved", "rejected"},
    "materials_needed": {"under_review", "rejected"},
    "approved": {"assigned"},
    "rejected": set(),
    "assigned": set(),
}
MAX_DETAIL_CHARS = 2000


class WorkflowError(ValueError):
    """A status change the workflow does not allow, or a rejection without a reason."""


@dataclass(frozen=True)
class Application:
    reference: str
    sender_id: str
    name: str
    phone_masked: str
    id_number_masked: str
    region: str | None
    matter: str | None
    details: dict[str, Any]
    status: str
    created_at: datetime
    updated_at: datetime


_now = clock.now


def _row_to_application(row: Any) -> Application:
    return Application(row.reference, row.sender_id, row.name, mask_phone(row.phone), row.id_number_masked,
                       row.region, row.matter, json.loads(row.details), row.status, row.created_at,
                       row.updated_at)


def submit(engine: Engine, *, idempotency_key: str, sender_id: str, name: str, phone: str, id_number: str,
           region: str | None, matter: str | None, details: dict[str, Any], now: datetime | None = None) -> str:
    """Stores an application and returns its reference; the same key always returns the same one."""
    now = now or _now()
    details = {k: (v[:MAX_DETAIL_CHARS] if isinstance(v, str) else v) for k, v in details.items()}
    by_key = select(applications.c.reference).where(applications.c.idempotency_key == idempotency_key)
    try:
        with engine.begin() as conn:
            existing = conn.execute(by_key).scalar()
            if existing:
                return str(existing)
            new_id = conn.execute(applications.insert().values(
                idempotency_key=idempotency_key, sender_id=sender_id, name=name[:100], phone=phone,
                id_number_encrypted=fernet().encrypt(id_number.encode()).decode(),
                id_number_masked=mask_id_number(id_number), region=region, matter=matter,
                details=json.dumps(details, ensure_ascii=False), status="submitted", created_at=now,
                updated_at=now)).inserted_primary_key[0]
            ref = reference.make(now.year, int(new_id))
            conn.execute(applications.update().where(applications.c.id == new_id).values(reference=ref))
            conn.execute(status_history.insert().values(application_id=new_id, status="submitted", reason=None,
                                                        actor=f"citizen:{sender_id}", at=now))
            conn.execute(audit_log.insert().values(actor=f"citizen:{sender_id}", action="submit", reference=ref,
                                                   at=now))
        return ref
    except IntegrityError:
        # A concurrent retry with the same key won the race: answer with its reference.
        with engine.connect() as conn:
            return str(conn.execute(by_key).scalar())


def get(engine: Engine, ref: str, actor: str) -> Application | None:
    with engine.begin() as conn:
        row = conn.execute(select(applications).where(applications.c.reference == reference.normalise(ref))).first()
        conn.execute(audit_log.insert().values(actor=actor, action="view", reference=reference.normalise(ref),
                                               at=_now()))
    return _row_to_application(row) if row else None


def reveal_id_number(engine: Engine, ref: str, actor: str) -> str | None:
    """The decrypted ID number, for staff who need it; every reveal is audited."""
    with engine.begin() as conn:
        row = conn.execute(select(applications.c.id_number_encrypted)
                           .where(applications.c.reference == reference.normalise(ref))).first()
        conn.execute(audit_log.insert().values(actor=actor, action="reveal_id_number", reference=ref, at=_now()))
    return fernet().decrypt(row[0].encode()).decode() if row else None


def list_all(engine: Engine, status: str | None = None) -> list[Application]:
    query = select(applications).order_by(applications.c.created_at)
    if status:
        query = query.where(applications.c.status == status)
    with engine.connect() as conn:
        return [_row_to_application(r) for r in conn.execute(query)]


def latest_for_sender(engine: Engine, sender_id: str) -> str | None:
    """The reference of the conversation's latest application, for staff views that link to it."""
    with engine.connect() as conn:
        return conn.execute(select(applications.c.reference).where(applications.c.sender_id == sender_id)
                            .order_by(applications.c.id.desc()).limit(1)).scalar()


def for_sender(engine: Engine, sender_id: str) -> list[tuple[str, str, datetime]]:
    """(reference, status, created_at) of the conversation's applications, newest first: the history on
    a ticket page. No answers or personal data, so nothing to audit."""
    a = applications.c
    with engine.connect() as conn:
        rows = conn.execute(select(a.reference, a.status, a.created_at).where(a.sender_id == sender_id)
                            .order_by(a.id.desc()).limit(20)).all()
    return [(r.reference, r.status, r.created_at) for r in rows]


def set_status(engine: Engine, ref: str, status: str, actor: str, reason: str | None = None,
               now: datetime | None = None) -> Application:
    now = now or _now()
    if status == "rejected" and not (reason or "").strip():
        raise WorkflowError("a rejection needs a reason (法律援助法第四十三条：书面告知并说明理由)")
    with engine.begin() as conn:
        row = conn.execute(select(applications).where(applications.c.reference == reference.normalise(ref))
                           .with_for_update()).first()
        if row is None:
            raise WorkflowError(f"no application {ref}")
        if status not in TRANSITIONS.get(row.status, set()):
            raise WorkflowError(f"{row.status} → {status} is not allowed")
        conn.execute(applications.update().where(applications.c.id == row.id).values(status=status, updated_at=now))
        conn.execute(status_history.insert().values(application_id=row.id, status=status, reason=reason,
                                                    actor=actor, at=now))
        conn.execute(audit_log.insert().values(actor=actor, action=f"status:{status}", reference=row.reference,
                                               at=now))
        # Read back inside the same transaction: a status change is one audited action, not also a view.
        updated = conn.execute(select(applications).where(applications.c.id == row.id)).first()
    return _row_to_application(updated)


def status_for_citizen(engine: Engine, ref: str, phone_last4: str) -> str | None:
    """The status, if the reference exists and the phone matches; otherwise None, the same answer for
    a wrong phone as for an unknown reference so that nothing leaks."""
    if not reference.is_valid(ref) or not phone_last4.isdigit() or len(phone_last4) != 4:
        return None
    with engine.connect() as conn:
        row = conn.execute(select(applications.c.status, applications.c.phone)
                           .where(applications.c.reference == reference.normalise(ref))).first()
    return row.status if row and row.phone.endswith(phone_last4) else None


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(applications)).scalar() or 0)
