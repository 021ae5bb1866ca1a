"""The legal-aid application form as a pure state machine: which field to ask next, how to read an
answer, and the commands a citizen may give inside the form (cancel, correct a field, ask for a human).

The Rasa form (actions/legal_aid.py) is a thin adapter: it passes the slot values, the requested field
and the latest message to `step`, and turns the outcome into slot events and responses. Questions
follow the eligibility engine: a follow-up (injury kind, fixed income, household means) is asked only
when `eligibility.assess` says the decision depends on it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, Protocol

import yaml

from bot import clock, names, taxonomy
from bot.eligibility import Facts, assess
from bot.eligibility import standards
from bot.entities.dates import extract_dates
from bot.entities.durations import extract_durations
from bot.entities.idcard import is_valid_id_number
from bot.entities.money import extract_money
from bot.entities.numerals import parse_number
from bot.entities.phone import is_mobile
from bot.entities.regions import gazetteer
from bot.legal_aid import requests
from bot.masking import mask_id_number, mask_phone
from bot.paths import KNOWLEDGE
from bot.normalize import normalize

DATA_FILE = KNOWLEDGE / "legal_aid" / "intake.yml"

CONSENT, MATTER, INJURY_KIND, CRIMINAL_ROLE = "aid_consent", "aid_matter", "aid_injury_kind", "aid_criminal_role"
HAS_LAWYER, SITUATIONS, GROUPS, FIXED_INCOME = "aid_has_lawyer", "aid_situations", "aid_groups", "aid_fixed_income"
NAME, PHONE, ID_NUMBER, REGION = "aid_name", "aid_phone", "aid_id_number", "aid_region"
OPPONENT, DESCRIPTION = "aid_opponent", "aid_description"
HOUSEHOLD, INCOME, INCOME_PENDING, ASSETS = "aid_household_size", "aid_income", "aid_income_pending", "aid_assets"
DEADLINE, SAFE_TO_CALL, SAFE_TIME, CONFIRM = "aid_deadline", "aid_safe_to_call", "aid_safe_time", "aid_confirm"
FORUM = "aid_forum"  # court or not: which centre is competent (Art. 38)
CASE_REGION = "aid_case_region"  # where the case is handled or arose (Art. 38), not where the applicant lives
LABOR_CLAIM, RETRIAL_STARTED = "aid_labor_claim", "aid_retrial_started"
APPLICANT, SUSPECT_CONDITIONS, NO_LAWYER_REASON = "aid_applicant", "aid_suspect_conditions", "aid_no_lawyer_reason"
SITUATION_RELATED, BELOW_STANDARD = "aid_situation_related", "aid_below_standard"
FORM_ID, OUTCOME = "aid_form_id", "aid_outcome"

# Every slot the form owns; they are cleared together after a submission or a cancellation.
SLOTS = (CONSENT, MATTER, INJURY_KIND, LABOR_CLAIM, RETRIAL_STARTED, CRIMINAL_ROLE, APPLICANT, SUSPECT_CONDITIONS,
         NO_LAWYER_REASON, HAS_LAWYER, SITUATIONS, SITUATION_RELATED, GROUPS, FIXED_INCOME, NAME, PHONE, ID_NUMBER,
         REGION, OPPONENT, DESCRIPTION, HOUSEHOLD, INCOME, INCOME_PENDING, ASSETS, FORUM, CASE_REGION,
         BELOW_STANDARD, DEADLINE, SAFE_TO_CALL, SAFE_TIME, CONFIRM, FORM_ID)
# Fields whose answer is free text: never read as a question to the bot.
FREE_TEXT = {OPPONENT, DESCRIPTION, SAFE_TIME}
# Clearing a field also clears the answers that depended on it.
DEPENDENTS = {MATTER: (INJURY_KIND, LABOR_CLAIM, RETRIAL_STARTED, CRIMINAL_ROLE, APPLICANT, SUSPECT_CONDITIONS,
                       NO_LAWYER_REASON, BELOW_STANDARD),
              CRIMINAL_ROLE: (APPLICANT, SUSPECT_CONDITIONS, NO_LAWYER_REASON),
              SUSPECT_CONDITIONS: (NO_LAWYER_REASON,),
              SITUATIONS: (SITUATION_RELATED, GROUPS, FIXED_INCOME, SAFE_TO_CALL, SAFE_TIME),
              SITUATION_RELATED: (GROUPS, FIXED_INCOME), GROUPS: (FIXED_INCOME,), INCOME: (INCOME_PENDING,),
              SAFE_TO_CALL: (SAFE_TIME,), REGION: (), CASE_REGION: (BELOW_STANDARD,)}
NO_DEADLINE = -1
UNSURE = "unsure"  # "不清楚" to the local rule's question: the decision stays with the centre
# Facts whose absence means the decision turns on the household's means.
MEANS_FACTS = {"household_size", "monthly_household_income", "province", "below_local_standard"}

# Outcomes of a turn.
ASK, QUESTION, CANCEL, CRISIS, HUMAN, SUBMIT = "ask", "question", "cancel", "crisis", "human", "submit"


@lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    return yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Utterance:
    response: str  # a response name in domain.yml
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    action: str
    updates: dict[str, Any] = field(default_factory=dict)  # slot → value; None clears it
    messages: list[Utterance] = field(default_factory=list)


@dataclass(frozen=True)
class Parsed:
    value: Any = None
    error: str | None = None  # the re-ask response
    pending: Any = None  # an approximate value to confirm first
    note: Utterance | None = None  # said after accepting, e.g. that a description was shortened

    @property
    def ok(self) -> bool:
        return self.error is None and self.pending is None


def _clean(text: str) -> str:
    return re.sub(r"[\s，。！!、,.；;：:“”\"'（）()【】]+", "", normalize(text or "")).lower()


# --- answers -------------------------------------------------------------------------------------


def _yes_no(text: str) -> bool | None:
    """Yes, no or None. "没问题", "没错" are yes though they start with a negation; "我不同意",
    "我不是低保户" are no; "不清楚" is neither."""
    d = data()
    yn = d["yes_no"]
    t = re.sub(yn["particles"], "", _clean(text)) or _clean(text)
    if not t:
        return None
    if t in d["yes_phrases"] or any(t.startswith(w) for w in d["yes_phrases"]):
        return True
    if t in d["unsure_words"] or any(w in t for w in d["unsure_words"]):
        return None
    if t in d["no_words"]:
        return False
    if t in d["yes_words"]:
        return True
    body = re.sub(yn["fillers"], "", t)
    if body != t and body in d["yes_words"]:
        return True
    body = re.sub(yn["subjects"], "", body)
    if re.match(yn["no_starts"], body) or body in d["no_words"]:
        return False
    if any(body.startswith(w) for w in d["yes_words"] if len(w) > 1) or (body and body[0] in yn["yes_first_chars"]):
        return True
    return None


def _choice_list(slot: str) -> list[dict[str, Any]]:
    return data()["choices"][slot]


def _clauses(text: str) -> list[str]:
    parts = re.split(data()["clause_pattern"], normalize(text or ""))
    return [c for c in (_clean(p) for p in parts) if c]


def _negated(clause: str, start: int) -> bool:
    d = data()
    before = clause[max(0, start - d["negation_window"]):start]
    return bool(re.search(d["negation_pattern"], before))


def _ages(text: str) -> list[int]:
    """Ages written in the reply ("他16岁", "今年十五周岁"); "不满18岁" counts as 17."""
    out = []
    for clause in _clauses(text):
        for m in re.finditer(data()["age_pattern"], clause):
            n = parse_number(m.group(1))
            if n is None:
                continue
            under = re.search(data()["under_age_pattern"], clause[:m.start()])
            out.append(int(n) - 1 if under else int(n))
    return out


# Status questions, where "不是", "没有" before a word deny it. Elsewhere a negation is part of the
# claim ("老板不给工资" is a wage claim).
NEGATABLE = {SITUATIONS, GROUPS, SUSPECT_CONDITIONS, FORUM}


def _keyword_matches(choice: dict[str, Any], clause: str, negatable: bool = True) -> int:
    """The length of the longest word or pattern of `choice` found un-negated in `clause`; 0 if none."""
    best = 0
    spans = [(m.start(), m.end()) for w in choice["words"] for m in re.finditer(re.escape(w.lower()), clause)]
    spans += [(m.start(), m.end()) for p in choice.get("patterns", []) for m in re.finditer(p, clause)]
    for start, end in spans:
        if (negatable and _negated(clause, start)) or re.match(data()["outside_pattern"], clause[end:]):
            continue
        best = max(best, end - start)
    return best


def _choose(slot: str, text: str, several: bool = False) -> list[str] | None:
    """The values a reply selects; [] for "none of them"; None when it cannot be read.

    In this order: a number ("2", "1 3"); a reply that is exactly a label or button title; a label
    contained in the reply (a button payload); then words, un-negated, longest first."""
    choices = _choice_list(slot)
    t = _clean(text)
    numbers = [int(n) for n in re.findall(r"\d+", normalize(text or ""))]
    if numbers and all(0 <= n <= len(choices) for n in numbers) and re.fullmatch(r"[\d和及]+", t):
        picked = [choices[n - 1]["value"] for n in numbers if n > 0]
        return list(dict.fromkeys(picked)) if several or len(picked) <= 1 else None
    for c in choices:
        if t and t in {_clean(x) for x in [c["label"], *c.get("titles", [])]}:
            return [c["value"]]
    for c in choices:
        if _clean(c["label"]) in t:
            return [c["value"]]
    scores: dict[str, int] = {}
    negated_any = False
    for clause in _clauses(text):
        for c in choices:
            score = _keyword_matches(c, clause, slot in NEGATABLE)
            if score:
                scores[c["value"]] = max(scores.get(c["value"], 0), score)
            elif slot in NEGATABLE and any(w.lower() in clause for w in c["words"]):
                negated_any = True
    values = [c["value"] for c in choices]
    if slot in (GROUPS, SUSPECT_CONDITIONS):
        for age in _ages(text):
            if age < 18 and "minor" in values:
                scores.setdefault("minor", 9)
            if age >= 60 and "elderly" in values:
                scores.setdefault("elderly", 9)
    if scores:
        if several:
            return [v for v in values if v in scores]
        return [max(scores, key=lambda v: (scores[v], -values.index(v)))]
    nones = data()["none_words"]
    starts = tuple(data()["none_starts"])
    if t in nones or t.startswith(starts) or negated_any or any(c in nones or c.startswith(starts[:1])
                                                                for c in _clauses(text)):
        return []
    return None


def parse_name(text: str, values: dict[str, Any]) -> Parsed:
    t = re.sub(r"^(我叫|我是|姓名是?|名字是?|叫)", "", _clean(text))
    if 2 <= len(t) <= data()["limits"]["name_chars"] and re.fullmatch(r"[\u4e00-\u9fff·•a-z]+", t) \
            and not re.search(data()["question_pattern"], t):
        return Parsed(t.replace("•", "·"))
    return Parsed(error="utter_aid_invalid_name")


@lru_cache(maxsize=1)
def _phone_digits() -> dict[int, int]:
    digits = data()["phone_digits"]
    return str.maketrans(digits["from"], digits["to"])


class Cipher(Protocol):
    """What keeps the applicant's numbers encrypted in the conversation: a Fernet or MultiFernet, which
    the action server builds from its key (bot.legal_aid.secrets) and passes in; the parsers never
    read a key or a file themselves (style review 2026-12-01, L1)."""

    def encrypt(self, data: bytes) -> bytes: ...

    def decrypt(self, token: bytes) -> bytes: ...


def _cipher(cipher: Cipher | None) -> Cipher:
    if cipher is None:
        raise ValueError("a cipher is needed to keep or read an applicant's number (bot.legal_aid.secrets.fernet())")
    return cipher


def parse_phone(text: str, values: dict[str, Any], cipher: Cipher | None = None) -> Parsed:
    """An 11-digit mobile number, also written in Chinese numerals ("一三八…", "幺" for 1)."""
    digits = re.sub(r"^(\+?86)", "", re.sub(r"[\s\-]", "", normalize(text or "").translate(_phone_digits())))
    m = re.search(r"1[3-9]\d{9}", digits)
    if m and len(re.sub(r"\D", "", digits)) == 11 and is_mobile(m.group()):
        # Kept encrypted in the conversation (the stored tracker masks numbers in clear: review M6).
        return Parsed(_cipher(cipher).encrypt(m.group().encode()).decode())
    return Parsed(error="utter_aid_invalid_phone")


def phone_number(value: str, cipher: Cipher | None = None) -> str:
    """The applicant's number from the aid_phone slot (a Fernet token; a number in clear from a
    conversation started before the slot was encrypted)."""
    return value if is_mobile(value) else _cipher(cipher).decrypt(value.encode()).decode()


def parse_id_number(text: str, values: dict[str, Any], cipher: Cipher | None = None) -> Parsed:
    m = re.search(r"\d{17}[\dXx]", re.sub(r"\s", "", normalize(text or "")))
    if m and is_valid_id_number(m.group()):
        number = m.group().upper()
        # Only the encrypted number and its masked form are kept in the conversation.
        return Parsed({"encrypted": _cipher(cipher).encrypt(number.encode()).decode(),
                       "masked": mask_id_number(number)})
    return Parsed(error="utter_aid_invalid_id_number")


def parse_region(text: str, values: dict[str, Any]) -> Parsed:
    """A province (and city) named in the shipped gazetteer; the county and the rest are kept as written."""
    t = normalize(text or "")
    gaz = gazetteer()
    regions = [gaz.surface_forms[m.group()] for m in gaz.pattern.finditer(t)]
    if not regions:
        return Parsed(error="utter_aid_invalid_region")
    # The first place named decides the province ("北京市朝阳区" is not 辽宁省朝阳市).
    first = regions[0]
    region = first if first.city else next((r for r in regions if r.city and r.province == first.province), first)
    return Parsed({"province": region.province, "city": region.city, "text": t.strip()[:100]})


def parse_case_region(text: str, values: dict[str, Any]) -> Parsed:
    """Where the case is handled or arose (Art. 38): a place, "同上" for the applicant's own region, or
    "不清楚" (kept as unknown; the centre is then named by rule, not by place)."""
    t = _clean(text)
    if t and (t in data()["same_place_words"] or any(t.startswith(w) for w in data()["same_place_words"])):
        own = values.get(REGION)
        if own:
            return Parsed({**own, "same_as_applicant": True})
    parsed = parse_region(text, values)
    if parsed.ok:
        return parsed
    if t and (t in data()["unsure_words"] or any(w in t for w in data()["unsure_words"])):
        return Parsed({"province": None, "city": None, "text": data()["unknown_label"]})
    return Parsed(error="utter_aid_invalid_case_region")


def parse_below_standard(text: str, values: dict[str, Any]) -> Parsed:
    """The answer to the local rule's question: yes, no, or unsure (left to the centre)."""
    t = _clean(text)
    if t and (t in data()["unsure_words"] or any(w in t for w in data()["unsure_words"])):
        return Parsed(UNSURE)
    answer = _yes_no(text)
    return Parsed(error="utter_aid_yes_no_unsure") if answer is None else Parsed(answer)


def parse_free_text(limit_key: str, error: str):  # type: ignore[no-untyped-def]
    def parse(text: str, values: dict[str, Any]) -> Parsed:
        t = (text or "").strip()  # kept as written, whatever it contains; stored as data only
        if len(_clean(t)) < 2 or t.startswith("/"):
            return Parsed(error=error)
        limit = data()["limits"][limit_key]
        if len(t) > limit:
            return Parsed(t[:limit], note=Utterance("utter_aid_text_shortened", {"limit": limit}))
        return Parsed(t)
    return parse


def _yes_no_parser(error: str):  # type: ignore[no-untyped-def]
    def parse(text: str, values: dict[str, Any]) -> Parsed:
        answer = _yes_no(text)
        return Parsed(error=error) if answer is None else Parsed(answer)
    return parse


def _choice_parser(slot: str, several: bool = False):  # type: ignore[no-untyped-def]
    def parse(text: str, values: dict[str, Any]) -> Parsed:
        picked = _choose(slot, text, several)
        if picked is None or (not several and not picked):
            return Parsed(error="utter_aid_invalid_choice")
        return Parsed(picked if several else picked[0])
    return parse


def _number(text: str) -> Decimal | None:
    t = _clean(text)
    m = re.search(r"-?\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万]+", t)
    if not m:
        return None
    if m.group().startswith("-"):
        return Decimal(-1)
    return parse_number(m.group())


def parse_household(text: str, values: dict[str, Any]) -> Parsed:
    n = _number(text)
    if n is None or n != n.to_integral_value() or not 1 <= n <= data()["limits"]["household_max"]:
        return Parsed(error="utter_aid_invalid_household")
    return Parsed(int(n))


def parse_income(text: str, values: dict[str, Any]) -> Parsed:
    t = _clean(text)
    pending = values.get(INCOME_PENDING)
    if pending is not None and _yes_no(text) is True and not re.search(r"\d", t):
        return Parsed(int(pending))
    if re.search(r"(?<![\d.])-\s*\d", normalize(text or "")):
        return Parsed(error="utter_aid_invalid_income")
    if t in ("0", "零", "没有", "没有收入", "无", "无收入", "没收入") or t.startswith(("没有收入", "没收入", "无收入")):
        return Parsed(0)
    found = extract_money(t)
    amount = Decimal(str(found[0].value)) if found else _number(t)
    if amount is None or amount < 0 or amount > data()["limits"]["income_max"]:
        return Parsed(error="utter_aid_invalid_income")
    amount_int = int(amount)
    if any(w in t for w in data()["approximate_words"]):
        return Parsed(pending=amount_int)
    return Parsed(amount_int)


def parse_deadline(text: str, values: dict[str, Any], today: date | None = None) -> Parsed:
    today = today or clock.today()
    t = _clean(text)
    if any(t.startswith(w) for w in data()["unknown_words"]) or t in ("否", "没", "无期限"):
        return Parsed(NO_DEADLINE)
    dates = extract_dates(t, today)
    if dates:
        days = (date.fromisoformat(dates[0].value) - today).days
        return Parsed(max(days, 0)) if days >= 0 else Parsed(error="utter_aid_invalid_deadline")
    durations = extract_durations(t)
    if durations:
        m = re.fullmatch(r"P(\d+(?:\.\d+)?)([DWMY])", durations[0].value)
        if m:
            factor = {"D": 1, "W": 7, "M": 30, "Y": 365}[m.group(2)]
            return Parsed(int(Decimal(m.group(1)) * factor))
    n = _number(t)
    if n is not None and n >= 0 and "天" in t:
        return Parsed(int(n))
    return Parsed(error="utter_aid_invalid_deadline")


def parse_confirm(text: str, values: dict[str, Any]) -> Parsed:
    return Parsed(True) if _yes_no(text) is True else Parsed(error="utter_aid_confirm_how")


def _consent(text: str) -> bool | None:
    """Consent is given in so many words: a short yes ("同意", "好的"), or a longer reply that starts by
    agreeing ("我同意，…"). "我是农民工，老板欠我工资" is the matter, not a yes (个人信息保护法第十四条)."""
    d = data()
    t = _clean(text)
    if re.match(d["consent"]["refuse"], t):
        return False
    if re.match(d["consent"]["agree"], t):
        return True
    if len(t) > d["limits"]["consent_short_chars"]:
        return None
    answer = _yes_no(text)
    if answer is not True:
        return answer
    # A short yes in its own words ("好的", "可以的", "嗯嗯行"), not a reply that merely starts with 是 or 有.
    yn = d["yes_no"]
    body = re.sub(yn["subjects"], "", re.sub(yn["fillers"], "", re.sub(yn["particles"], "", t) or t))
    agreed = body in d["yes_words"] or any(body.startswith(w) for w in d["yes_phrases"]) \
        or bool(re.match(d["consent"]["agree"], body))
    return True if agreed else None


def parse_consent(text: str, values: dict[str, Any]) -> Parsed:
    answer = _consent(text)
    return Parsed(error="utter_aid_consent_how") if answer is None else Parsed(answer)


PARSERS = {
    CONSENT: parse_consent,
    MATTER: _choice_parser(MATTER),
    INJURY_KIND: _choice_parser(INJURY_KIND),
    CRIMINAL_ROLE: _choice_parser(CRIMINAL_ROLE),
    LABOR_CLAIM: _choice_parser(LABOR_CLAIM),
    RETRIAL_STARTED: _yes_no_parser("utter_aid_yes_or_no"),
    APPLICANT: _choice_parser(APPLICANT),
    SUSPECT_CONDITIONS: _choice_parser(SUSPECT_CONDITIONS, several=True),
    NO_LAWYER_REASON: _choice_parser(NO_LAWYER_REASON),
    SITUATION_RELATED: _yes_no_parser("utter_aid_yes_or_no"),
    CASE_REGION: parse_case_region,
    BELOW_STANDARD: parse_below_standard,
    HAS_LAWYER: _yes_no_parser("utter_aid_yes_or_no"),
    SITUATIONS: _choice_parser(SITUATIONS, several=True),
    GROUPS: _choice_parser(GROUPS, several=True),
    FIXED_INCOME: _yes_no_parser("utter_aid_yes_or_no"),
    NAME: parse_name,
    PHONE: parse_phone,
    ID_NUMBER: parse_id_number,
    REGION: parse_region,
    OPPONENT: parse_free_text("opponent_chars", "utter_aid_invalid_opponent"),
    DESCRIPTION: parse_free_text("description_chars", "utter_aid_invalid_description"),
    HOUSEHOLD: parse_household,
    INCOME: parse_income,
    ASSETS: _yes_no_parser("utter_aid_yes_or_no"),
    FORUM: _choice_parser(FORUM),
    DEADLINE: parse_deadline,
    SAFE_TO_CALL: _yes_no_parser("utter_aid_yes_or_no"),
    SAFE_TIME: parse_free_text("opponent_chars", "utter_aid_invalid_safe_time"),
    CONFIRM: parse_confirm,
}


# --- the order of questions ----------------------------------------------------------------------


def facts(values: dict[str, Any]) -> Facts:
    """The eligibility facts the answers so far establish (None where not asked yet)."""
    # The competent centre and its local means rule follow the case place (Art. 38), not the applicant's.
    region = values.get(CASE_REGION) or {}
    deadline = values.get(DEADLINE)
    below = values.get(BELOW_STANDARD)
    conditions = values.get(SUSPECT_CONDITIONS)
    return Facts(
        matter=values.get(MATTER),
        situations=tuple(values.get(SITUATIONS) or ()),
        groups=tuple(values.get(GROUPS) or ()),
        has_fixed_income=values.get(FIXED_INCOME),
        household_size=values.get(HOUSEHOLD),
        monthly_household_income=values.get(INCOME),
        has_significant_assets=values.get(ASSETS),
        province=region.get("province"),
        city=region.get("city"),
        days_to_deadline=None if deadline is None or deadline == NO_DEADLINE else int(deadline),
        litigation={"court": True, "non_court": False}.get(values.get(FORUM) or ""),
        has_lawyer=values.get(HAS_LAWYER),
        injury_kind=values.get(INJURY_KIND),
        criminal_role=values.get(CRIMINAL_ROLE),
        applicant=values.get(APPLICANT),
        suspect_conditions=None if conditions is None else tuple(conditions),
        labor_claim=values.get(LABOR_CLAIM),
        situation_related=values.get(SITUATION_RELATED),
        no_lawyer_reason=values.get(NO_LAWYER_REASON),
        retrial_started=values.get(RETRIAL_STARTED),
        below_local_standard=below if isinstance(below, bool) else None,
    )


def _is_dv(values: dict[str, Any], category: str | None) -> bool:
    return "abuse_abandonment_dv_victim" in (values.get(SITUATIONS) or ()) or category in data()["dv_categories"]


def next_field(values: dict[str, Any], category: str | None = None, today: date | None = None) -> str | None:
    """The next field to ask, or None when the form is complete and confirmed. Each eligibility
    question is asked only when the engine says the decision turns on it."""
    def missing(slot: str) -> bool:
        return values.get(slot) is None

    plan: list[str] = [CONSENT, MATTER]
    matter = values.get(MATTER)
    suspect = False
    if matter == "injury_compensation":
        plan.append(INJURY_KIND)
    if matter == "labor_relation_or_remuneration":
        plan.append(LABOR_CLAIM)
    if matter == "retrial_or_petition":
        plan.append(RETRIAL_STARTED)
    if matter == "criminal_defense_or_victim":
        plan.append(CRIMINAL_ROLE)
        suspect = values.get(CRIMINAL_ROLE) == "suspect_or_defendant"
        if suspect:
            # Art. 25 turns on the suspect, who is often not the person writing (Arts. 24, 40).
            plan += [APPLICANT, SUSPECT_CONDITIONS]
    plan.append(HAS_LAWYER)
    mandatory = suspect and bool(values.get(SUSPECT_CONDITIONS))
    needed: set[str] = set()
    if not mandatory:
        if suspect and values.get(SUSPECT_CONDITIONS) == []:
            plan.append(NO_LAWYER_REASON)
        plan.append(SITUATIONS)
        if values.get(SITUATIONS):
            plan.append(SITUATION_RELATED)
        if values.get(SITUATIONS) == [] or values.get(SITUATION_RELATED) is False:
            plan.append(GROUPS)
        # Which facts would the decision still need if the means were unknown? The answer also says
        # whether a means test applies at all.
        if not missing(SITUATIONS):
            unknown_means = {HOUSEHOLD: None, INCOME: None, BELOW_STANDARD: None, CASE_REGION: None}
            needed = set(assess(facts({**values, **unknown_means}), today or clock.today()).missing)
        if "has_fixed_income" in needed:
            plan.append(FIXED_INCOME)
    plan += [NAME, PHONE, ID_NUMBER, REGION, OPPONENT, DESCRIPTION, FORUM, CASE_REGION]
    if needed & MEANS_FACTS and not missing(CASE_REGION):
        rule = local_rule(values, today)
        plan += [BELOW_STANDARD, ASSETS] if rule else [HOUSEHOLD, INCOME, ASSETS]
    plan.append(DEADLINE)
    if _is_dv(values, category):
        plan += [SAFE_TO_CALL, SAFE_TIME]
    plan.append(CONFIRM)
    return next((slot for slot in plan if missing(slot)), None)


def local_rule(values: dict[str, Any], today: date | None = None) -> standards.Standard | None:
    """The local means rule of the case place in force `today`, for the question and its reply."""
    place = values.get(CASE_REGION) or {}
    when = (today or clock.today()).isoformat()
    return standards.find(standards.load(), place.get("province"), place.get("city"), when)


def prefill(values: dict[str, Any], category: str | None, text: str = "", told: str | None = None,
            earlier: str = "") -> dict[str, Any]:
    """Answers known before the first question. The matter, in this order: from the category the
    classifier gave the matter told with the request (`told`: "我想申请法律援助，老板欠了我两万工资"),
    from the request's own words ("被车撞了，我想申请法律援助"), from the consultation category before it.
    The story told with the request is the description when it is long enough to be one. `earlier`: the
    citizen's message before the request, read for the matter when the category gives none."""
    return _prefill(values, category, text, told, earlier)[0]


def _prefill(values: dict[str, Any], category: str | None, text: str, told: str | None,
             earlier: str = "") -> tuple[dict[str, Any], bool]:
    """prefill's answers, and whether the matter came from the message itself."""
    d = data()
    updates: dict[str, Any] = {}
    if not values.get(FORM_ID):
        updates[FORM_ID] = uuid.uuid4().hex
    typed = bool(text) and not text.startswith("/")  # a button's payload says nothing of the matter
    request = requests.detect(normalize(text)) if typed else None
    story = requests.matter_text(normalize(text), request) if request is not None else ""
    named = _choose(MATTER, story if request is not None else text) if typed else None
    source = told if told in d["matter_from_category"] else None
    # "其他" read from the words gives way to a matter the consultation before already established.
    if values.get(MATTER) is None and source is None and named and (
            named[0] != "other" or category not in d["matter_from_category"]):
        updates[MATTER] = named[0]
    elif values.get(MATTER) is None:
        source = source or (category if category in d["matter_from_category"] else None)
        from_earlier = _choose(MATTER, earlier) if source is None and earlier else None
        if from_earlier and from_earlier[0] != "other":
            # The consultation before was answered from the legal-aid entries ("老板欠了我一万多工资，我没钱请
            # 律师"): the matter is the one that message told.
            updates[MATTER] = from_earlier[0]
        elif source is not None:
            updates[MATTER] = d["matter_from_category"][source]
            if source in d["injury_kind_from_category"] and values.get(INJURY_KIND) is None:
                updates[INJURY_KIND] = d["injury_kind_from_category"][source]
            if source in d["labor_claim_from_category"] and values.get(LABOR_CLAIM) is None:
                updates[LABOR_CLAIM] = d["labor_claim_from_category"][source]
    matter = updates.get(MATTER, values.get(MATTER))
    if matter == "labor_relation_or_remuneration" and values.get(LABOR_CLAIM) is None and LABOR_CLAIM not in updates \
            and typed:
        claim = _choose(LABOR_CLAIM, text) or (_choose(LABOR_CLAIM, earlier) if earlier else None)
        if claim and claim[0] != "other":
            updates[LABOR_CLAIM] = claim[0]
    if typed and values.get(GROUPS) is None:
        # "我是农民工": a group the citizen says they belong to, in so many words, is not asked again
        # (a group merely mentioned, "我家老人", is asked: the group is the person the matter concerns).
        said = [m.group() for m in re.finditer(d["self_description_pattern"], normalize(text))]
        groups = _choose(GROUPS, "，".join(said), several=True) if said else None
        if groups:
            updates[GROUPS] = groups
    recognised = MATTER in updates and (told is not None or bool(named))
    if recognised and values.get(DESCRIPTION) is None \
            and requests.chinese_chars(story) >= d["limits"]["description_prefill_chars"]:
        updates[DESCRIPTION] = story[: d["limits"]["description_chars"]]
    return updates, recognised


def _kind_from_words(matter: str, text: str, values: dict[str, Any]) -> dict[str, Any]:
    """"被狗咬了要赔偿", "要工钱的": the kind of injury or labour claim said with the matter itself, so it is
    not asked again. Not from a button: the matter's label names every kind."""
    slot = {"injury_compensation": INJURY_KIND, "labor_relation_or_remuneration": LABOR_CLAIM}.get(matter)
    t = _clean(text)
    labels = {_clean(x) for c in _choice_list(MATTER) for x in [c["label"], *c.get("titles", [])]}
    if slot is None or values.get(slot) is not None or t in labels or re.fullmatch(r"\d+", t):
        return {}
    picked = _choose(slot, text)
    # "其他" alone says nothing about a labour claim; an injury of another kind is itself the answer.
    return {slot: picked[0]} if picked and (picked[0] != "other" or slot == INJURY_KIND) else {}


def _noted(updates: dict[str, Any], told_here: bool) -> list[Utterance]:
    """Before the consent notice: the matter already known, so that the citizen sees it was understood
    and is not asked it again. A matter told with the request itself also gets its legal answer offered
    for after the form: a cited answer before the consent notice would bury the application asked for."""
    if MATTER not in updates:
        return []
    matter = _label(MATTER, updates[MATTER], None) or ""
    if not told_here:
        return [Utterance("utter_aid_matter_noted", {"matter": matter})]
    if DESCRIPTION in updates:
        return [Utterance("utter_aid_story_noted", {"matter": matter})]
    return [Utterance("utter_aid_request_noted", {"matter": matter})]


# --- commands inside the form --------------------------------------------------------------------


def is_cancel(text: str) -> bool:
    t = _clean(text)
    return any(re.search(p, t) for p in data()["cancel_patterns"])


def asks_bot_identity(text: str) -> bool:
    from bot.handoff.relay import asks_bot_identity as asks

    return asks(normalize(text or ""))


def wants_human(text: str, intent: str | None) -> bool:
    return intent == names.INTENT_REQUEST_HUMAN or bool(re.search(data()["human_pattern"], normalize(text or "")))


def correction(text: str) -> tuple[bool, str | None]:
    """(is a correction, the field it names if any): "电话填错了" → (True, "aid_phone")."""
    t = normalize(text or "")
    if not any(re.search(p, t) for p in data()["correction_patterns"]):
        return False, None
    for slot, words in data()["correction_fields"].items():
        if any(w in t for w in words):
            return True, slot
    return True, None


def looks_like_question(text: str) -> bool:
    return bool(re.search(data()["question_pattern"], normalize(text or "")))


def step(values: dict[str, Any], requested: str | None, text: str, intent: str | None = None,
         category: str | None = None, today: date | None = None, cipher: Cipher | None = None,
         told: str | None = None, earlier: str = "") -> Outcome:
    """One citizen turn inside the form. `told` is the category of the matter the request to apply
    told with it (bot/legal_aid/requests.py), when the classifier found one; `earlier`, the citizen's
    message before the request."""
    values = {**values}
    if requested:
        values[requested] = None  # the raw text Rasa copied into the slot is not an answer yet
    if intent == taxonomy.CRISIS:
        return Outcome(CRISIS)
    if requested is None:
        if values.get(CONSENT):
            return Outcome(ASK, prefill(values, category, text, told, earlier), [Utterance("utter_aid_resumed")])
        updates, told_here = _prefill(values, category, text, told, earlier)
        return Outcome(ASK, updates, _noted(updates, told_here))
    if is_cancel(text) or (requested == CONSENT and _consent(text) is False):
        return Outcome(CANCEL)
    if asks_bot_identity(text):
        return Outcome(ASK, {}, [Utterance("utter_bot_identity")])
    if wants_human(text, intent):
        return Outcome(HUMAN)
    if intent == taxonomy.QUERY_STATUS and requested not in FREE_TEXT:
        # "我之前申请的法律援助怎么样了" while filling in a new one: where to ask it, then the same question.
        return Outcome(ASK, {}, [Utterance("utter_aid_status_after_form")])
    is_correction, named = correction(text)
    if is_correction and not (requested in FREE_TEXT and named is None):
        if named is None:
            return Outcome(ASK, {CONFIRM: None}, [Utterance("utter_aid_which_field")])
        cleared = {named: None, CONFIRM: None, **{d: None for d in DEPENDENTS.get(named, ())}}
        if named == REGION and (values.get(CASE_REGION) or {}).get("same_as_applicant"):
            cleared.update({CASE_REGION: None, BELOW_STANDARD: None})  # "同上" followed the old answer
        return Outcome(ASK, cleared, [Utterance("utter_aid_will_correct")])
    parser = PARSERS[requested]
    if requested == DEADLINE:
        parsed = parse_deadline(text, values, today)
    elif requested in (PHONE, ID_NUMBER):
        parsed = parser(text, values, cipher)
    else:
        parsed = parser(text, values)
    if parsed.pending is not None:
        return Outcome(ASK, {INCOME_PENDING: parsed.pending},
                       [Utterance("utter_aid_confirm_income", {"amount": parsed.pending})])
    if parsed.ok:
        updates = {requested: parsed.value}
        if requested == INCOME:
            updates[INCOME_PENDING] = None
        if requested == MATTER:
            updates.update(_kind_from_words(parsed.value, text, values))
        messages = [parsed.note] if parsed.note else []
        if requested == HAS_LAWYER and parsed.value:
            messages.append(Utterance("utter_aid_has_lawyer_note"))
        return Outcome(ASK, updates, messages)
    if requested not in FREE_TEXT and looks_like_question(text):
        return Outcome(QUESTION)
    if requested == CONSENT:
        # The matter told instead of a yes ("我是农民工，老板欠了我两万工资"): noted, so it is not asked
        # again once consent is given, and consent asked once more.
        updates, told_here = _prefill(values, category, text, told)
        updates.pop(FORM_ID, None)
        if told_here:
            matter = _label(MATTER, updates[MATTER], None) or ""
            return Outcome(ASK, updates, [Utterance("utter_aid_consent_noted", {"matter": matter})])
        if updates:
            return Outcome(ASK, updates, [Utterance("utter_aid_consent_how")])
    return Outcome(ASK, {}, [Utterance(parsed.error or "utter_aid_invalid_choice")])


# --- the summary and the stored record -----------------------------------------------------------


def _label(slot: str, value: Any, cipher: Cipher | None) -> str | None:
    d = data()
    if value is None:
        return None
    if slot in d["choices"]:
        labels = {c["value"]: c["label"] for c in _choice_list(slot)}
        if isinstance(value, list):
            return "、".join(labels[v] for v in value) if value else d["none_label"]
        return labels.get(value, str(value))
    if isinstance(value, bool):
        return d["yes_label"] if value else d["no_label"]
    if slot == PHONE:
        return mask_phone(phone_number(value, cipher))
    if slot == ID_NUMBER:
        return value["masked"]
    if slot == REGION:
        return value["text"]
    if slot == CASE_REGION:
        return d["same_place_label"] if value.get("same_as_applicant") else value["text"]
    if slot == BELOW_STANDARD and value == UNSURE:
        return d["unknown_label"]
    if slot == INCOME:
        return d["money_label"].format(amount=value)
    if slot == HOUSEHOLD:
        return d["people_label"].format(n=value)
    if slot == DEADLINE:
        return d["unknown_label"] if value == NO_DEADLINE else d["days_label"].format(days=value)
    text = str(value)
    return text if len(text) <= 60 else text[:60] + "…"


def summary(values: dict[str, Any], cipher: Cipher | None = None) -> str:
    """The answers for the citizen to confirm, personal numbers masked."""
    lines = []
    for slot, label in data()["summary_labels"].items():
        shown = _label(slot, values.get(slot), cipher)
        if shown is not None:
            lines.append(f"{label}：{shown}")
    return "\n".join(lines)


def record(values: dict[str, Any], today: date | None = None, cipher: Cipher | None = None) -> dict[str, Any]:
    """What the application store keeps: the answers, the facts and the assessment."""
    today = today or clock.today()
    established = facts(values)
    assessment = assess(established, today)
    region = values.get(REGION) or {}
    case_region = values.get(CASE_REGION) or {}
    rule = local_rule(values, today)
    details = {
        "applicant_region": region.get("text"),
        "case_region": case_region.get("text"),
        "local_rule": None if rule is None else {"source": rule.source, "effective": rule.effective,
                                                 "question": rule.question, "answer": values.get(BELOW_STANDARD)},
        "opponent": values.get(OPPONENT),
        "description": values.get(DESCRIPTION),
        "facts": {k: (list(v) if isinstance(v, tuple) else v) for k, v in established.__dict__.items()},
        "safe_to_call": values.get(SAFE_TO_CALL),
        "safe_time": values.get(SAFE_TIME),
        "assessment": assessment.as_dict(),
    }
    return {
        "name": values[NAME],
        "phone": phone_number(values[PHONE], cipher),
        "id_number": _cipher(cipher).decrypt(values[ID_NUMBER]["encrypted"].encode()).decode(),
        # The competent centre's place (Art. 38) when known: that is who handles the application.
        "region": "".join(p for p in (case_region.get("province"), case_region.get("city")) if p)
        or region.get("text"),
        "matter": values.get(MATTER),
        "details": details,
    }


def decision_text(decision: str) -> str:
    return data()["decisions"][decision]


def status_text(status: str) -> str:
    return data()["statuses"].get(status, status)


def cleared() -> dict[str, Any]:
    return {slot: None for slot in SLOTS}
