"""How an FAQ answer is shown to a citizen (bot/kb/answer.py): the wording comes from knowledge/answer.yml
(style review 2026-12-01, L12 and §4: "法律依据：" was built in Python) and reads as it did before."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from bot.kb import answer, faq, statutes

ROOT = Path(__file__).resolve().parents[2]


def _entry(entry_id: str) -> faq.FaqEntry:
    return next(e for e in faq.load(faq.FAQ_DIR) if e.id == entry_id)


def test_the_basis_line_reads_as_before() -> None:
    assert answer.basis(_entry("labor_dispute-001")) == "法律依据：《劳动合同法》第八十二条；《劳动合同法实施条例》第七条"
    # An article cited twice is named once; a law without the PRC prefix keeps its whole title.
    assert answer.basis(_entry("administrative-003")) == "法律依据：《行政复议法》第二十四条；《行政复议法》第二十七条；《行政复议法》第二十条"
    assert answer.basis(_entry("administrative-016")) == "法律依据：《行政复议法》第八十七条；《诉讼费用交纳办法》第十三条"
    assert answer.basis_of(()) == ""


def test_the_cited_articles_read_as_before() -> None:
    shipped = statutes.load_shipped(statutes.STATUTES_DIR)
    entry = _entry("wage_arrears-001")
    texts = answer.article_texts(entry, shipped)
    assert texts == [f"《劳动争议调解仲裁法》{c.article}：{shipped[c.law][c.article]}" for c in entry.citations]
    assert texts[1].startswith("《劳动争议调解仲裁法》第二十七条：劳动争议申请仲裁的时效期间为一年。")


def test_the_buttons_read_as_before() -> None:
    assert [b["title"] for b in answer.buttons("aid")] == ["申请法律援助", "查看法条", "转人工", "继续咨询"]
    assert [b["payload"] for b in answer.buttons("human", with_articles=False)] == ["/request_human",
                                                                                  "/continue_consult"]


def test_no_citizen_text_is_written_in_answer_py() -> None:
    tree = ast.parse((ROOT / "bot/kb/answer.py").read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    chinese = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Constant)
               and isinstance(node.value, str) and id(node) not in docstrings and re.search(r"[\u4e00-\u9fff]", node.value)]
    assert chinese == []


def test_the_consoles_basis_line_is_the_same_wording_with_full_titles() -> None:
    from bot.console import assist_view

    cited = [{"law": "中华人民共和国劳动合同法", "article": "第八十二条"},
             {"law": "中华人民共和国劳动合同法", "article": "第八十二条"},
             {"law": "中华人民共和国劳动合同法实施条例", "article": "第七条"}]
    assert assist_view.basis(cited) == "法律依据：《中华人民共和国劳动合同法》第八十二条；《中华人民共和国劳动合同法实施条例》第七条"
    assert assist_view.basis([]) == ""
