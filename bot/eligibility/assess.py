"""The assessment, in the order of the 法律援助法: mandatory defence (Arts. 25, 36), the Art. 32 situations
(related rights only), scope (Arts. 24, 29, 31, 33), exemptions (Art. 42), means (Arts. 34, 41 and the
local rule of the place whose centre is competent), urgency (Art. 44) and the competent centre (Art. 38).

Facts about status (groups, suspect conditions, means) are those of the person the matter concerns
(受援人), whoever applies for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot import clock
from bot.eligibility import standards as standards_mod
from bot.eligibility.model import Assessment, Decision, Facts, Reason
from bot.paths import KNOWLEDGE

TEXTS_FILE = KNOWLEDGE / "legal_aid" / "texts.yml"
# Art. 31 items by matter; labour and injury matters are refined below by the kind of claim.
ART31_ITEMS = {"state_compensation": 1, "social_insurance_or_assistance": 2, "pension_or_compensation": 3,
               "maintenance": 4, "labor_relation_or_remuneration": 5, "incapacity_declaration": 6,
               "injury_compensation": 7, "environmental_damage": 8}
# 31(7): only these four kinds of accident.
ART31_7_KINDS = {"work", "traffic", "food_drug", "medical"}
ART32 = {"hero_martyr_relative": "art32_hero_martyr_relative", "good_samaritan": "art32_good_samaritan",
         "retrial_acquittal_compensation": "art32_retrial_acquittal",
         "abuse_abandonment_dv_victim": "art32_abuse_dv_victim"}
# Art. 25(1) items in order.
ART25_ITEMS = ("minor", "sensory_disability", "limited_understanding", "possible_life_or_death", "death_review",
               "in_absentia")
# Art. 44(1): under seven days to a limitation period or deadline.
URGENT_DAYS = 7
LABOR = "labor_relation_or_remuneration"
INJURY = "injury_compensation"


@dataclass(frozen=True)
class Texts:
    """The wording of reasons, documents and competent centres (knowledge/legal_aid/texts.yml)."""

    data: dict[str, Any]

    def reason(self, code: str, **params: Any) -> Reason:
        r = self.data["reasons"][code]
        return Reason(code, r["article"].format(**params), r["text"].format(**params))

    def documents(self, *keys: str) -> tuple[str, ...]:
        docs = self.data["documents"]
        out: list[str] = []
        for key in ("always", *keys):
            out += [d for d in docs.get(key, []) if d not in out]
        return tuple(out)

    def authority(self, facts: Facts, mandatory: bool = False) -> str:
        """Art. 38: the centre where the case is handled (litigation) or the dispute is handled or arose."""
        texts = self.data["authority"]
        key = ("mandatory_defense" if mandatory else "unknown" if facts.litigation is None
               else "litigation" if facts.litigation else "non_litigation")
        place = "".join(p for p in (facts.province, facts.city) if p)
        return f"{place}：{texts[key]}" if place else texts[key]


@lru_cache(maxsize=4)
def load_texts(path: Path = TEXTS_FILE) -> Texts:
    """The texts from `path` (the shipped file by default); `assess(texts=…)` takes another set."""
    return Texts(yaml.safe_load(path.read_text(encoding="utf-8")))


def _suspect_conditions(facts: Facts) -> tuple[str, ...] | None:
    """The Art. 25 conditions of the suspect. Groups describe the person the matter concerns, so a
    minor counts from them only when the suspect applies himself (or who applies is not known)."""
    conditions = set(facts.suspect_conditions or ())
    if facts.applicant in (None, "self") and "minor" in facts.groups:
        conditions.add("minor")
    if not conditions and facts.suspect_conditions is None:
        return None
    return tuple(c for c in ART25_ITEMS if c in conditions)


def _scope(facts: Facts, texts: Texts) -> tuple[str, list[Reason], tuple[str, ...]]:
    """("in", reasons, ()) within Arts. 24, 29, 31, 33; ("out", reasons, ()) outside the national list;
    ("missing", reasons, facts) when a fact decides it; ("no_means", reasons, ()) for Art. 24 其他原因."""
    matter = facts.matter
    if matter == "criminal_defense_or_victim":
        if facts.criminal_role is None:
            return "missing", [], ("criminal_role",)
        if facts.criminal_role == "victim":
            return "in", [texts.reason("art29_criminal_victim")], ()
        reasons = [texts.reason("art24_criminal_defense")]
        if facts.applicant == "relative":
            reasons.append(texts.reason("art24_relative_applies"))
        if facts.no_lawyer_reason == "other":
            return "no_means", reasons + [texts.reason("art24_other_reason")], ()
        return "in", reasons, ()
    if matter == "retrial_or_petition":
        if facts.retrial_started is None:
            return "missing", [texts.reason("art33_retrial")], ("retrial_started",)
        if not facts.retrial_started:
            return "out", [texts.reason("art33_not_yet")], ()
        return "in", [texts.reason("art33_retrial")], ()
    if matter == LABOR:
        claim = facts.labor_claim
        if claim in ("severance_or_damages", "other"):
            return "out", [texts.reason(f"art31_not_listed_labor_{claim}")], ()
        if claim == "social_insurance":
            return "in", [texts.reason("art31_in_scope_2")], ()
        if claim == "work_injury":
            return "in", [texts.reason("art31_in_scope_7")], ()
        return "in", [texts.reason("art31_in_scope_5")], ()
    if matter == INJURY:
        if facts.injury_kind is None:
            return "missing", [], ("injury_kind",)
        if facts.injury_kind not in ART31_7_KINDS:
            return "out", [texts.reason("art31_not_listed_injury")], ()
        return "in", [texts.reason("art31_in_scope_7")], ()
    if matter in ART31_ITEMS:
        return "in", [texts.reason(f"art31_in_scope_{ART31_ITEMS[matter]}")], ()
    return "out", [texts.reason("art31_out_of_scope")], ()


def _work_injury(facts: Facts) -> bool:
    return (facts.matter == INJURY and facts.injury_kind == "work") or \
        (facts.matter == LABOR and facts.labor_claim == "work_injury")


def assess(facts: Facts, today: date | None = None,
           standards: tuple[standards_mod.Standard, ...] | None = None, texts: Texts | None = None) -> Assessment:
    """The decision on `facts`. The local standards and the texts are the shipped files unless passed in."""
    today = today or clock.today()
    standards = standards_mod.load() if standards is None else standards
    texts = load_texts() if texts is None else texts
    urgent = (facts.days_to_deadline is not None and facts.days_to_deadline < URGENT_DAYS) \
        or bool(facts.needs_preservation)
    tail: list[Reason] = []
    if facts.days_to_deadline is not None and facts.days_to_deadline < URGENT_DAYS:
        tail.append(texts.reason("art44_urgent"))
    if facts.needs_preservation:
        tail.append(texts.reason("art44_preservation"))
    tail.append(texts.reason("art43_decision_time"))

    always, centre = texts.documents(), texts.authority

    def result(decision: Decision, reasons: list[Reason], docs: tuple[str, ...] = always,
               missing: tuple[str, ...] = ()) -> Assessment:
        final = reasons + (tail if decision not in (Decision.OUT_OF_SCOPE, Decision.MANDATORY_DEFENSE) else [])
        return Assessment(decision, tuple(final), urgent and decision != Decision.OUT_OF_SCOPE, docs,
                          centre(facts, decision == Decision.MANDATORY_DEFENSE), missing)

    if facts.has_lawyer:
        return result(Decision.OUT_OF_SCOPE, [texts.reason("art31_has_lawyer")])

    # Arts. 25 and 36: a suspect or defendant in one of these conditions gets a defender through the
    # authorities' notice, whoever is asking and whatever the means. Not reviewed under Art. 43.
    suspect = facts.matter == "criminal_defense_or_victim" and facts.criminal_role == "suspect_or_defendant"
    conditions = _suspect_conditions(facts) if suspect else None
    if conditions:
        defence = [texts.reason(f"art25_{c}", item=texts.data["item_numerals"][ART25_ITEMS.index(c)]) for c in conditions]
        return result(Decision.MANDATORY_DEFENSE, defence + [texts.reason("art36_notice")])

    # Art. 32: no means test, but only for the rights the situation concerns.
    reasons: list[Reason] = []
    situations = [s for s in facts.situations if s in ART32]
    if situations:
        own = [texts.reason(ART32[s]) for s in situations]
        if facts.situation_related is True:
            return result(Decision.NO_MEANS_TEST, own, texts.documents("art32_situation"))
        if facts.situation_related is None:
            return result(Decision.NEEDS_REVIEW, own + [texts.reason("art32_related_unknown")],
                          missing=("situation_related",))
        reasons.append(texts.reason("art32_not_related"))

    if facts.matter is None:
        return result(Decision.NEEDS_REVIEW, reasons, missing=("matter",))
    scope, scope_reasons, scope_missing = _scope(facts, texts)
    reasons += scope_reasons
    if suspect and conditions is None:
        reasons.append(texts.reason("art25_if_applicable"))
    if scope == "missing":
        return result(Decision.NEEDS_REVIEW, reasons, missing=scope_missing)
    if scope == "out":
        return result(Decision.OUT_OF_SCOPE, reasons)
    if scope == "no_means":
        return result(Decision.NO_MEANS_TEST, reasons)

    # Art. 42: exemptions from the means check, each tied to who the person is and, for 42(3), the claim.
    groups = set(facts.groups)
    if groups & {"social_assistance_recipient", "judicial_aid_recipient", "entitled_group"}:
        return result(Decision.EXEMPT_FROM_MEANS_CHECK, reasons + [texts.reason("art42_2_assistance_recipient")],
                      texts.documents("art42_2_assistance_recipient"))
    if "migrant_worker" in groups:
        wages = facts.matter == LABOR and facts.labor_claim in (None, "relation_or_remuneration")
        if wages or _work_injury(facts):
            return result(Decision.EXEMPT_FROM_MEANS_CHECK, reasons + [texts.reason("art42_3_migrant_worker")],
                          texts.documents("art42_3_migrant_worker"))
        reasons.append(texts.reason("art42_3_not_this_matter"))
    if groups & {"minor", "elderly", "disabled"}:
        if facts.has_fixed_income is None:
            return result(Decision.NEEDS_REVIEW, reasons, missing=("has_fixed_income",))
        if not facts.has_fixed_income:
            return result(Decision.EXEMPT_FROM_MEANS_CHECK, reasons + [texts.reason("art42_1_specific_group")],
                          texts.documents("art42_1_specific_group"))
        reasons.append(texts.reason("art42_1_has_income"))
    return _means(facts, reasons, standards, today, result, texts)


def _means(facts: Facts, reasons: list[Reason], standards: tuple[standards_mod.Standard, ...], today: date,
           result: Any, texts: Texts) -> Assessment:
    """Arts. 34 and 41: the local rule of the place whose centre is competent (Art. 38)."""
    docs = texts.documents("means_test")
    if not facts.province:
        return result(Decision.NEEDS_REVIEW, reasons + [texts.reason("art34_place_unknown")], docs, ("province",))
    standard = standards_mod.find(standards, facts.province, facts.city, today.isoformat())
    numbers = ("household_size", "monthly_household_income")
    numbers_missing = tuple(k for k in numbers
                            if getattr(facts, k) is None or (k == "household_size" and facts.household_size == 0))
    if standard is None:
        if numbers_missing:
            return result(Decision.NEEDS_REVIEW, reasons + [texts.reason("art34_missing_facts")], docs, numbers_missing)
        return result(Decision.NEEDS_REVIEW, reasons + [texts.reason("art34_no_standard")], docs)
    if facts.has_significant_assets:
        return result(Decision.NEEDS_REVIEW, reasons + [texts.reason("art34_assets_review")], docs)
    rule = dict(source=standard.source, effective=standard.effective, quote=standard.quote,
                benchmark=standard.benchmark, question=standard.question, caveat=standard.caveat)
    if standard.monthly_per_capita_fen is not None and facts.below_local_standard is None:
        # A sourced amount: the household figures decide.
        if numbers_missing:
            return result(Decision.NEEDS_REVIEW, reasons + [texts.reason("art34_missing_facts")], docs, numbers_missing)
        per_capita_fen = facts.monthly_household_income * 100 // facts.household_size  # type: ignore[operator]
        below = per_capita_fen <= standard.monthly_per_capita_fen
        return result(Decision.MEANS_TEST_PASSED if below else Decision.MEANS_TEST_FAILED,
                      reasons + [texts.reason("art34_passed" if below else "art34_failed", **rule)], docs)
    if facts.below_local_standard is None:
        return result(Decision.NEEDS_REVIEW, reasons + [texts.reason("art34_ask_local", **rule)], docs,
                      ("below_local_standard",))
    if facts.below_local_standard:
        return result(Decision.MEANS_TEST_PASSED, reasons + [texts.reason("art34_passed", **rule)], docs)
    if standard.kind == "threshold":
        return result(Decision.MEANS_TEST_FAILED, reasons + [texts.reason("art34_failed", **rule)], docs)
    # A floor only: above the benchmark the rule itself cannot tell; the current local standard decides.
    return result(Decision.NEEDS_REVIEW, reasons + [texts.reason("art34_floor_above", **rule)], docs)
