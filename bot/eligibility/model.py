"""Facts in, assessment out: the wire types of the eligibility engine."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from enum import Enum
from typing import Any

MATTERS = (
    "state_compensation",  # 31(1) 国家赔偿
    "social_insurance_or_assistance",  # 31(2)
    "pension_or_compensation",  # 31(3) 抚恤金
    "maintenance",  # 31(4) 赡养费、抚养费、扶养费
    "labor_relation_or_remuneration",  # 31(5)
    "incapacity_declaration",  # 31(6)
    "injury_compensation",  # 31(7) 工伤、交通、食品药品、医疗事故人身损害
    "environmental_damage",  # 31(8)
    "criminal_defense_or_victim",  # 24, 25, 29
    "retrial_or_petition",  # 33 申诉、再审
    "other",
)
SITUATIONS = ("hero_martyr_relative", "good_samaritan", "retrial_acquittal_compensation", "abuse_abandonment_dv_victim")
GROUPS = ("migrant_worker", "minor", "elderly", "disabled", "social_assistance_recipient", "judicial_aid_recipient",
          "entitled_group")
# 31(7) names four kinds of accident; "other" (an assault, a dog bite, a fall) is outside the national list.
INJURY_KINDS = ("work", "traffic", "food_drug", "medical", "other")
CRIMINAL_ROLES = ("suspect_or_defendant", "victim")
# Who applies (Arts. 24, 33: 本人及其近亲属; Art. 40: 法定代理人). Means and Art. 25 facts are those of the
# person the matter concerns (受援人), not of whoever is chatting.
APPLICANTS = ("self", "relative", "legal_representative")
# Art. 25(1)-(6): conditions of the suspect or defendant that make the defence mandatory.
SUSPECT_CONDITIONS = ("minor", "sensory_disability", "limited_understanding", "possible_life_or_death",
                      "death_review", "in_absentia")
# Only relation_or_remuneration is 31(5), work_injury 31(7), social_insurance 31(2); the others are outside
# the national list (Art. 31(9) leaves them to local rules).
LABOR_CLAIMS = ("relation_or_remuneration", "work_injury", "severance_or_damages", "social_insurance", "other")
NO_LAWYER_REASONS = ("economic", "other")  # Art. 24: 因经济困难或者其他原因


class Decision(str, Enum):
    MANDATORY_DEFENSE = "mandatory_defense"  # Arts. 25, 36: the authorities must notify the centre
    NO_MEANS_TEST = "no_means_test"  # Art. 32 (related rights only), Art. 24 其他原因
    EXEMPT_FROM_MEANS_CHECK = "exempt_from_means_check"  # Art. 42
    MEANS_TEST_PASSED = "means_test_passed"
    MEANS_TEST_FAILED = "means_test_failed"
    NEEDS_REVIEW = "needs_review"  # facts or a sourced local standard missing
    OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Facts:
    """What the citizen told us. None means not known yet."""

    matter: str | None = None
    situations: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    has_fixed_income: bool | None = None
    household_size: int | None = None
    monthly_household_income: int | None = None  # yuan
    has_significant_assets: bool | None = None
    province: str | None = None
    city: str | None = None
    days_to_deadline: int | None = None
    has_lawyer: bool | None = None
    injury_kind: str | None = None  # for injury_compensation: work | traffic | food_drug | medical
    criminal_role: str | None = None  # for criminal matters: suspect_or_defendant | victim
    litigation: bool | None = None  # a court case (True) or not (False), for the competent centre
    # Who applies, and the facts of the person the matter concerns.
    applicant: str | None = None  # self | relative | legal_representative
    suspect_conditions: tuple[str, ...] | None = None  # Art. 25; () = none of them, None = not asked
    labor_claim: str | None = None  # for labour matters, which claim (Arts. 31(5), 42(3))
    situation_related: bool | None = None  # the matter is the one the Art. 32 situation concerns
    no_lawyer_reason: str | None = None  # Art. 24: economic | other
    retrial_started: bool | None = None  # Art. 33: 法院决定、裁定再审或者检察院抗诉
    needs_preservation: bool | None = None  # Art. 44(2): 财产保全、证据保全或者先予执行 needed at once
    # Arts. 34, 41: the citizen's own declaration (诚信承诺) against the question the local rule asks.
    below_local_standard: bool | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Facts:
        """Builds facts from JSON, rejecting unknown keys and values with a clear message."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown facts: {', '.join(sorted(unknown))}")
        values = dict(data)
        for key in ("situations", "groups"):
            values[key] = tuple(values.get(key) or ())
        if values.get("suspect_conditions") is not None:
            if not isinstance(values["suspect_conditions"], (list, tuple)):
                raise ValueError("suspect_conditions must be a list")
            values["suspect_conditions"] = tuple(values["suspect_conditions"])
        checks = [("matter", MATTERS), ("injury_kind", INJURY_KINDS), ("criminal_role", CRIMINAL_ROLES),
                  ("applicant", APPLICANTS), ("labor_claim", LABOR_CLAIMS), ("no_lawyer_reason", NO_LAWYER_REASONS)]
        for key, allowed in checks:
            if values.get(key) is not None and values[key] not in allowed:
                raise ValueError(f"{key} must be one of {', '.join(allowed)}")
        for key, allowed in (("situations", SITUATIONS), ("groups", GROUPS), ("suspect_conditions", SUSPECT_CONDITIONS)):
            bad = [v for v in values.get(key) or () if v not in allowed]
            if bad:
                raise ValueError(f"unknown {key}: {', '.join(bad)}")
        for key in ("household_size", "monthly_household_income", "days_to_deadline"):
            v = values.get(key)
            if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
                raise ValueError(f"{key} must be a whole number ≥ 0")
        for key in ("has_fixed_income", "has_significant_assets", "has_lawyer", "litigation", "situation_related",
                    "retrial_started", "needs_preservation", "below_local_standard"):
            if values.get(key) is not None and not isinstance(values[key], bool):
                raise ValueError(f"{key} must be true, false or null")
        return cls(**values)


@dataclass(frozen=True)
class Reason:
    code: str
    article: str  # e.g. 法律援助法第四十二条第三项
    text: str


@dataclass(frozen=True)
class Assessment:
    decision: Decision
    reasons: tuple[Reason, ...]
    urgent: bool
    documents: tuple[str, ...]
    authority: str
    missing: tuple[str, ...] = field(default=())  # facts to ask for before a decision

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["decision"] = self.decision.value
        return out
