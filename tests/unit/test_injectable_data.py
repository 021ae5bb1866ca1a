"""The YAML a domain rule reads can be passed in, not only the file fixed at import (style review
2026-12-01, §1 L4): each loader takes a path, and the rule takes what was loaded."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot import consultation, safety, scope
from bot.eligibility import Facts, assess
from bot.eligibility.assess import TEXTS_FILE, load_texts

ROOT = Path(__file__).resolve().parents[2]


def _edited(src: Path, dst: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(src.read_text(encoding="utf-8"))
    edit(data)
    dst.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return dst


def test_assess_words_its_reasons_from_the_texts_passed_in(tmp_path) -> None:
    def reword(d):  # type: ignore[no-untyped-def]
        d["reasons"]["art31_has_lawyer"]["text"] = "已有律师（测试文本）"
    texts = load_texts(_edited(TEXTS_FILE, tmp_path / "texts.yml", reword))
    facts = Facts(matter="maintenance", has_lawyer=True)
    assert assess(facts, standards=()).reasons[0].text != "已有律师（测试文本）"
    assert assess(facts, standards=(), texts=texts).reasons[0].text == "已有律师（测试文本）"


def test_the_crisis_rules_can_come_from_other_files(tmp_path) -> None:
    def add(d):  # type: ignore[no-untyped-def]
        d["crisis"]["self_harm"].append("测试危机短语")
    patterns = _edited(safety.PATTERNS_FILE, tmp_path / "patterns.yml", add)
    rules = safety.load_rules(patterns, safety.MODE_FILE)
    assert safety.detect_crisis("测试危机短语") is None
    assert safety.detect_crisis("测试危机短语", rules) == safety.CrisisMatch("self_harm", "测试危机短语")


def test_scope_reads_the_cue_words_passed_in(tmp_path) -> None:
    def add(d):  # type: ignore[no-untyped-def]
        d["cues"].append("喵呜喵呜")
    cues = scope.load_cues(_edited(scope.CUES_FILE, tmp_path / "cues.yml", add))
    ranking = [("out_of_scope", 0.95), ("wage_arrears", 0.04)]
    assert scope.decide(ranking, "这是喵呜喵呜").intent == "out_of_scope"
    assert scope.decide(ranking, "这是喵呜喵呜", cues=cues).intent == "nlu_fallback"  # never turned away


def test_a_category_reply_can_come_from_another_table(tmp_path) -> None:
    def rename(d):  # type: ignore[no-untyped-def]
        d["wage_arrears"]["name"] = "测试类别"
    table = consultation.categories(_edited(consultation.CATEGORIES_FILE, tmp_path / "categories.yml", rename))
    assert consultation.info("wage_arrears").name != "测试类别"
    assert consultation.info("wage_arrears", table).name == "测试类别"


def test_the_legal_basis_is_worded_by_the_texts_passed_in(tmp_path) -> None:
    from bot.kb import answer, faq

    def reword(d):  # type: ignore[no-untyped-def]
        d["basis"], d["separator"] = "依据（测试）：{citations}", "、"
    texts = answer.load_texts(_edited(answer.TEXTS_FILE, tmp_path / "answer.yml", reword))
    entry = next(e for e in faq.load(faq.FAQ_DIR) if e.id == "labor_dispute-001")
    assert answer.basis(entry).startswith("法律依据：")
    assert answer.basis(entry, texts) == "依据（测试）：《劳动合同法》第八十二条、《劳动合同法实施条例》第七条"


def test_the_answer_buttons_can_come_from_another_table(tmp_path) -> None:
    from bot.kb import answer

    def rename(d):  # type: ignore[no-untyped-def]
        d["aid"][0]["title"] = "测试按钮"
    table = answer.load_buttons(_edited(answer.NEXT_STEPS_FILE, tmp_path / "next_steps.yml", rename))
    assert answer.buttons("aid")[0]["title"] == "申请法律援助"
    assert answer.buttons("aid", table=table)[0]["title"] == "测试按钮"
