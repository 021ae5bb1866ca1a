"""The legal-aid data files and the eligibility model name the same things (style review 2026-12-01,
§6: no structural test tied intake.yml's choices to model.py, or assess.py's reason codes to texts.yml).
A choice value the model does not know, or a reason with no text, would only fail in a citizen's chat."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
import yaml

from bot import taxonomy
from bot.eligibility import model
from bot.legal_aid.store import TRANSITIONS

assess_mod = importlib.import_module("bot.eligibility.assess")  # the package re-exports the function

ROOT = Path(__file__).resolve().parents[2]
INTAKE = yaml.safe_load((ROOT / "knowledge" / "legal_aid" / "intake.yml").read_text(encoding="utf-8"))
TEXTS = yaml.safe_load((ROOT / "knowledge" / "legal_aid" / "texts.yml").read_text(encoding="utf-8"))


def _values(slot: str) -> list[str]:
    return [c["value"] for c in INTAKE["choices"][slot]]


@pytest.mark.parametrize(("slot", "enum"), [
    ("aid_matter", model.MATTERS), ("aid_injury_kind", model.INJURY_KINDS), ("aid_labor_claim", model.LABOR_CLAIMS),
    ("aid_criminal_role", model.CRIMINAL_ROLES), ("aid_applicant", model.APPLICANTS),
    ("aid_suspect_conditions", model.SUSPECT_CONDITIONS), ("aid_no_lawyer_reason", model.NO_LAWYER_REASONS),
    ("aid_situations", model.SITUATIONS), ("aid_groups", model.GROUPS),
])
def test_every_choice_is_a_value_of_the_model_and_back(slot: str, enum: tuple[str, ...]) -> None:
    values = _values(slot)
    assert len(values) == len(set(values)), slot
    assert set(values) == set(enum)


def test_the_category_shortcuts_name_model_values_and_taxonomy_categories() -> None:
    for key, enum in [("matter_from_category", model.MATTERS), ("injury_kind_from_category", model.INJURY_KINDS),
                      ("labor_claim_from_category", model.LABOR_CLAIMS)]:
        assert set(INTAKE[key]) <= set(taxonomy.CATEGORIES), key
        assert set(INTAKE[key].values()) <= set(enum), key


def test_every_decision_and_status_has_its_citizen_wording() -> None:
    assert set(INTAKE["decisions"]) == {d.value for d in model.Decision}
    assert set(INTAKE["statuses"]) == set(TRANSITIONS)


def _reason_codes_in_assess() -> tuple[set[str], set[str]]:
    """Literal codes passed to `texts.reason`, and the prefixes of codes built with an f-string."""
    literals, prefixes = set(), set()
    tree = ast.parse(Path(assess_mod.__file__).read_text(encoding="utf-8"))
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        if not (isinstance(call.func, ast.Attribute) and call.func.attr == "reason" and call.args):
            continue
        arg = call.args[0]
        if isinstance(arg, ast.Constant):
            literals.add(arg.value)
        elif isinstance(arg, ast.JoinedStr) and isinstance(arg.values[0], ast.Constant):
            prefixes.add(arg.values[0].value)
        else:  # a name: only ART32's values are passed that way
            literals.update(assess_mod.ART32.values())
    return literals, prefixes


def test_every_reason_code_used_by_the_rules_has_a_text_and_an_article() -> None:
    literals, prefixes = _reason_codes_in_assess()
    families = {
        "art31_in_scope_": {str(i) for i in assess_mod.ART31_ITEMS.values()},
        "art25_": set(assess_mod.ART25_ITEMS),
        "art31_not_listed_labor_": {"severance_or_damages", "other"},
    }
    assert prefixes <= set(families), prefixes - set(families)
    codes = literals | {p + s for p in prefixes for s in families[p]}
    assert len(codes) > 30
    missing = sorted(c for c in codes if c not in TEXTS["reasons"])
    assert missing == []
    assert all(TEXTS["reasons"][c].get("article") and TEXTS["reasons"][c].get("text") for c in codes)
