"""Staff labels live in knowledge/console/labels.yml, one per code the code can produce (style review
2026-12-01, §4: resolution codes, decision and status names were typed in Python and a template)."""

from pathlib import Path

import yaml

from bot.eligibility.model import Decision
from bot.handoff import tickets
from bot.legal_aid.store import TRANSITIONS

LABELS = yaml.safe_load((Path(__file__).resolve().parents[2] / "knowledge" / "console" / "labels.yml")
                        .read_text(encoding="utf-8"))


def test_every_resolution_code_has_exactly_one_label() -> None:
    assert list(LABELS["resolutions"]) == list(tickets.RESOLUTIONS)
    assert tickets.RESOLUTION_CODES["crisis_handled"] == "危机已处置"


def test_every_eligibility_decision_has_a_label() -> None:
    assert set(LABELS["decisions"]) == {d.value for d in Decision} | {"not_assessed"}


def test_every_application_status_has_a_label() -> None:
    statuses = set(TRANSITIONS) | {s for targets in TRANSITIONS.values() for s in targets}
    assert set(LABELS["application_statuses"]) == statuses


def test_labels_are_chinese_and_not_empty() -> None:
    for group in ("resolutions", "decisions", "application_statuses"):
        assert all(isinstance(v, str) and v.strip() for v in LABELS[group].values()), group
