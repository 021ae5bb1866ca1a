"""The assessment: scope (Arts. 24, 25, 29, 31, 32), exemption (Art. 42), means (Arts. 34, 41),
urgency (Art. 44) and the competent centre (Art. 38)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

import yaml

from bot.eligibility import standards as standards_mod
from bot.eligibility.model import Assessment, Decision, Facts, Reason
from bot.paths import KNOWLEDGE

TEXTS_FILE = KNOWLEDGE / "legal_aid" / "texts.yml"
ART31_MATTERS = {"state_compensation", "social_insurance_or_assistance", "pension_or_compensation", "maintenance",
                 "labor_relation_or_remuneration", "incapacity_declaration", "injury_compensation",
                 "environmental_damage"}
ART32 = {"hero_martyr_relative": "art32_hero_martyr_relative", "good_samaritan": "art32_good_samaritan",
         "retrial_acquittal_compensation": "art32_retrial_acquittal",
         "abuse_abandonment_dv_victim": "art32_abuse_dv_victim"}
# Art. 44(1): under seven days to a limitation period or deadline.
URGENT_DAYS = 7


@lru_cache(maxsize=1)
def _texts() -> dict[str, Any]:
    return yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))


def _reason(code: str) -> Reason:
    r = _texts()["reasons"][code]
    return Reason(code, r["article"], r["text"])


def _documents(*keys: str) -> tuple[str, ...]:
    docs = _texts()["documents"]
    out: list[str] = []
    for key in ("always", *keys):
        out += [d for d in docs.get(key, []) if d not in out]
    return tuple(out)


def _authority(facts: Facts) -> str:
    texts = _texts()["authority"]
    rule = texts["unknown" if facts.litigation is None else "litigation" if facts.litigation else "non_litigation"]
    place = "".join(p for p in (facts.province, facts.city) if p)
    return f"{place}：{rule}" if place else rule


def assess(facts: Facts, today: date | None = None,
           standards: tuple[standards_mod.Standard, ...] | None = None) -> Assessment:
    today = today or date.today()
    standards = standards_mod.load() if standards is None else standards
    urgent = facts.days_to_deadline is not None and facts.days_to_deadline < URGENT_DAYS
    tail = [_reason("art44_urgent")] if urgent else []
    tail.append(_reason("art43_decision_time"))

    def result(decision: Decision, reasons: list[Reason], docs: tuple[str, ...] = _documents(),
               missing: tuple[str, ...] = ()) -> Assessment:
        final = reasons + (tail if decision != Decision.OUT_OF_SCOPE else [])
        return Assessment(decision, tuple(final), urgent and decision != Decision.OUT_OF_SCOPE, docs,
                          _authority(facts), missing)

    if facts.has_lawyer:
        return result(Decision.OUT_OF_SCOPE, [_reason("art31_has_lawyer")])

    # Art. 32: these situations need no means test whatever the matter or income.
    situations = [s for s in facts.situations if s in ART32]
    if situations:
        return result(Decision.NO_MEANS_TEST, [_reason(ART32[s]) for s in situations],
                      _documents("art32_situation"))

    if facts.matter is None:
        return result(Decision.NEEDS_REVIEW, [], missing=("matter",))

    reasons: list[Reason] = []
    if facts.matter == "criminal_defense_or_victim":
        if facts.criminal_role == "suspect_or_defendant" and "minor" in facts.groups:
            # Art. 25(1): the authorities must appoint a defender for a minor; no means test.
            return result(Decision.NO_MEANS_TEST, [_reason("art25_mandatory_defense")])
        if facts.criminal_role is None:
            return result(Decision.NEEDS_REVIEW, [], missing=("criminal_role",))
        reasons.append(_reason("art24_criminal_defense" if facts.criminal_role == "suspect_or_defendant"
                               else "art29_criminal_victim"))
    elif facts.matter in ART31_MATTERS:
        reasons.append(_reason("art31_in_scope"))
    else:
        return result(Decision.OUT_OF_SCOPE, [_reason("art31_out_of_scope")])

    # Art. 42: exemptions from the means check, each tied to who the applicant is.
    groups = set(facts.groups)
    if groups & {"social_assistance_recipient", "judicial_aid_recipient", "entitled_group"}:
        return result(Decision.EXEMPT_FROM_MEANS_CHECK, reasons + [_reason("art42_2_assistance_recipient")],
                      _documents("art42_2_assistance_recipient"))
    if "migrant_worker" in groups:
        wages = facts.matter == "labor_relation_or_remuneration"
        work_injury = facts.matter == "injury_compensation" and facts.injury_kind == "work"
        if wages or work_injury:
            return result(Decision.EXEMPT_FROM_MEANS_CHECK, reasons + [_reason("art42_3_migrant_worker")],
                          _documents("art42_3_migrant_worker"))
        if facts.matter == "injury_compensation" and facts.injury_kind is None:
            return result(Decision.NEEDS_REVIEW, reasons, missing=("injury_kind",))
        reasons.append(_reason("art42_3_not_this_matter"))
    if groups & {"minor", "elderly", "disabled"}:
        if facts.has_fixed_income is None:
            return result(Decision.NEEDS_REVIEW, reasons, missing=("has_fixed_income",))
        if not facts.has_fixed_income:
            return result(Decision.EXEMPT_FROM_MEANS_CHECK, reasons + [_reason("art42_1_specific_group")],
                          _documents("art42_1_specific_group"))
        reasons.append(_reason("art42_1_has_income"))

    # Arts. 34 and 41: the means test against the sourced local standard.
    docs = _documents("means_test")
    missing = tuple(k for k in ("household_size", "monthly_household_income", "province")
                    if getattr(facts, k) in (None, "") or (k == "household_size" and facts.household_size == 0))
    if missing:
        return result(Decision.NEEDS_REVIEW, reasons + [_reason("art34_missing_facts")], docs, missing)
    standard = standards_mod.find(standards, facts.province, facts.city, today.isoformat())
    if standard is None:
        return result(Decision.NEEDS_REVIEW, reasons + [_reason("art34_no_standard")], docs)
    if facts.has_significant_assets:
        return result(Decision.NEEDS_REVIEW, reasons + [_reason("art34_assets_review")], docs)
    per_capita_fen = facts.monthly_household_income * 100 // facts.household_size  # type: ignore[operator]
    if per_capita_fen <= standard.monthly_per_capita_fen:
        return result(Decision.MEANS_TEST_PASSED, reasons + [_reason("art34_passed")], docs)
    return result(Decision.MEANS_TEST_FAILED, reasons + [_reason("art34_failed")], docs)
