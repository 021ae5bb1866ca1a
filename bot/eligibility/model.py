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
    "other",
)
SITUATIONS = ("hero_martyr_relative", "good_samaritan", "retrial_acquittal_compensation", "abuse_abandonment_dv_victim")
GROUPS = ("migrant_worker", "minor", "elderly", "disabled", "social_assistance_recipient", "judicial_aid_recipient",
          "entitled_group")
INJURY_KINDS = ("work", "traffic", "food_drug", "medical")
CRIMINAL_ROLES = ("suspect_or_defendant", "victim")


class Decision(str, Enum):
    NO_MEANS_TEST = "no_means_test"  # Art. 32
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
        checks = [("matter", MATTERS), ("injury_kind", INJURY_KINDS), ("criminal_role", CRIMINAL_ROLES)]
        for key, allowed in checks:
            if values.get(key) is not None and values[key] not in allowed:
                raise ValueError(f"{key} must be one of {', '.join(allowed)}")
        for key, allowed in (("situations", SITUATIONS), ("groups", GROUPS)):
            bad = [v for v in values[key] if v not in allowed]
            if bad:
                raise ValueError(f"unknown {key}: {', '.join(bad)}")
        for key in ("household_size", "monthly_household_income", "days_to_deadline"):
            v = values.get(key)
            if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
                raise ValueError(f"{key} must be a whole number ≥ 0")
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
