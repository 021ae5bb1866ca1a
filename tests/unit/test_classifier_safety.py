"""`hotline classify` lines carry the safety tier; only the crisis flow's messages are category crisis."""

from bot.classifier import from_parse


def parse(intent: str, safety: dict | None, *, with_safety: bool = True) -> dict:
    data = {"intent": {"name": intent, "confidence": 0.9}, "intent_ranking": [{"name": intent, "confidence": 0.9}],
            "entities": []}
    if with_safety:
        data["safety"] = safety
    return data


def test_a_crisis_line() -> None:
    c = from_parse("他正在打我", parse("crisis", {"tier": "crisis", "kind": "violence_now", "phrase": "正在打"}))
    assert c.as_dict()["category"] == "crisis" and c.as_dict()["safety"] == "crisis"


def test_a_concern_keeps_its_legal_category() -> None:
    c = from_parse("去年老公打过我，能离婚吗",
                   parse("marriage_family", {"tier": "concern", "kind": "domestic_abuse", "phrase": "老公打过我"}))
    assert (c.category, c.as_dict()["safety"]) == ("marriage_family", "concern")


def test_every_line_has_the_field() -> None:
    assert from_parse("打官司要多少钱", parse("litigation_procedure", None)).as_dict()["safety"] is None


def test_a_parse_without_the_field_is_assessed_here() -> None:
    assert from_parse("我朋友说想自杀", parse("other_legal", None, with_safety=False)).safety == "concern"


def test_behind_a_concern_the_classifiers_own_call_is_reported() -> None:
    data = parse("safety_concern", {"tier": "concern", "kind": "self_harm", "phrase": "想自杀"})
    data["intent_ranking"] = [{"name": "safety_concern", "confidence": 1.0}, {"name": "out_of_scope", "confidence": 0.88}]
    c = from_parse("我同学想自杀，我该怎么劝", data)
    assert (c.category, c.confidence, c.safety) == ("out_of_scope", 0.88, "concern")


def test_a_concern_that_is_asked_back_reports_the_likeliest_category_not_none() -> None:
    # ScopeGuard puts the concern in front of the clarifying question's ranking; the category reported
    # is the likeliest legal one (it was `none`, with confidence 1.0).
    data = parse("safety_concern", {"tier": "concern", "kind": "threat", "phrase": "威胁"})
    data["intent_ranking"] = [{"name": "safety_concern", "confidence": 1.0},
                              {"name": "nlu_fallback", "confidence": 0.19},
                              {"name": "labor_dispute", "confidence": 0.19},
                              {"name": "personal_injury", "confidence": 0.12}]
    c = from_parse("店长威胁我交罚款，怎么讨说法", data)
    assert (c.category, c.decision, c.confidence, c.safety) == ("labor_dispute", "clarify", 0.19, "concern")


def test_a_request_to_apply_reports_the_matter_it_tells() -> None:
    # The dialogue starts the application form; the consultation's category is still the matter.
    data = parse("apply_legal_aid", None)
    data["aid_request"] = {"kind": "apply", "phrase": "我想申请法律援助", "matter_category": "wage_arrears"}
    assert from_parse("我想申请法律援助，老板欠我两万工资", data).category == "wage_arrears"
    data["aid_request"]["matter_category"] = None
    assert from_parse("我想申请法律援助", data).category == "legal_aid"


def test_a_status_question_about_legal_aid_is_a_legal_aid_line_not_none() -> None:
    data = parse("query_status", None)
    data["aid_request"] = {"kind": "status", "phrase": "申请的法律援助怎么样了", "matter_category": None}
    assert from_parse("我之前申请的法律援助怎么样了", data).category == "legal_aid"
    del data["aid_request"]
    assert from_parse("查进度", data).category == "none"
