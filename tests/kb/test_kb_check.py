"""`hotline kb check` on the real base and on broken copies of it."""

import shutil
from pathlib import Path

import pytest
import yaml

from bot.kb import faq, statutes
from bot.kb.check import check

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "reference" / "laws"


def test_the_shipped_base_is_sound() -> None:
    assert check() == []
    entries = faq.load()
    assert len(entries) >= 200


def test_shipped_articles_equal_the_official_texts() -> None:
    if not REFERENCE.is_dir():
        pytest.skip("../shared/reference is not present")
    reference = statutes.load_reference(REFERENCE)
    for law, articles in statutes.load_shipped().items():
        for article, text in articles.items():
            assert any(s.articles.get(article) == text for s in reference[law]), f"{law} {article}"


def test_parse_reference_worked_example(tmp_path: Path) -> None:
    src = tmp_path / "社会法_示例法(2012-12-28).md"
    src.write_text("# 中华人民共和国示例法\n\n2012年12月28日 通过\n\n<!-- INFO END -->\n\n## 第一章 总则\n\n"
                   "第一条 为了示例，制定本法。\n\n第二条 第一款。\n\n第二款。\n\n第一百三十三条之一 插入的条文。\n",
                   encoding="utf-8")
    s = statutes.parse_reference(src)
    assert (s.law, s.version) == ("中华人民共和国示例法", "2012-12-28")
    assert s.articles == {"第一条": "为了示例，制定本法。", "第二条": "第一款。\n第二款。", "第一百三十三条之一": "插入的条文。"}


@pytest.fixture
def broken(tmp_path: Path):
    """A copy of the base and of the shipped statutes to break."""
    faq_dir = tmp_path / "faq"
    shutil.copytree(faq.FAQ_DIR, faq_dir)
    stat_dir = tmp_path / "statutes"
    shutil.copytree(statutes.STATUTES_DIR, stat_dir)

    def edit(change) -> list[str]:
        path = faq_dir / "wage_arrears.yml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data["entries"][0])
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return check(faq_dir, stat_dir)

    return faq_dir, stat_dir, edit


def test_a_wrong_quote_fails(broken) -> None:
    _, _, edit = broken
    problems = edit(lambda e: e["citations"][0].update(quote="劳动者可以随时拿到双倍工资。"))
    assert any("not word for word" in p and "wage_arrears.yml:" in p for p in problems)


def test_an_article_that_is_not_shipped_fails(broken) -> None:
    _, _, edit = broken
    problems = edit(lambda e: e["citations"][0].update(article="第九百九十九条"))
    assert any("not a shipped article" in p for p in problems)


def test_missing_disclaimer_and_long_answer_fail(broken) -> None:
    _, _, edit = broken
    problems = edit(lambda e: e.update(answer="很长的回答。" * 70))
    assert any("disclaimer" in p for p in problems)
    assert any("characters (max 350)" in p for p in problems)


def test_a_near_duplicate_question_fails(broken) -> None:
    _, _, edit = broken
    second = yaml.safe_load((faq.FAQ_DIR / "wage_arrears.yml").read_text(encoding="utf-8"))["entries"][1]
    problems = edit(lambda e: e.update(question=second["question"].rstrip("？?") + "呢？"))
    assert any("duplicates" in p for p in problems)


def test_malformed_yaml_names_file_and_line(broken) -> None:
    faq_dir, stat_dir, _ = broken
    (faq_dir / "debt.yml").write_text("category: debt\nentries:\n- id: debt-001\n  question: [unclosed\n", encoding="utf-8")
    problems = check(faq_dir, stat_dir)
    assert any(p.startswith("debt.yml:") and "not valid YAML" in p for p in problems)
    assert any("debt.yml: 0 entries" in p for p in problems)


def test_side_followups_and_review_flag_load(broken) -> None:
    faq_dir, stat_dir, edit = broken
    problems = edit(lambda e: e.update(
        side="worker", review_flag="test",
        followups={"deadline": {"text": "离职的，自离职之日起一年内申请仲裁。", "citations": [
            {"law": "中华人民共和国劳动争议调解仲裁法", "article": "第二十七条",
             "quote": "劳动关系存续期间因拖欠劳动报酬发生争议的，劳动者申请仲裁不受本条第一款规定的仲裁时效期间的限制"}]},
            "where": {"text": "向劳动人事争议仲裁委员会申请仲裁。"}}))
    assert problems == []
    entry = faq.load_file(faq_dir / "wage_arrears.yml")[0]
    assert entry.side == "worker" and entry.review_flag == "test"
    assert entry.followup("deadline").citations[0].article == "第二十七条"
    assert entry.followup("cost") is None


def test_bad_side_and_followup_kind_fail(broken) -> None:
    _, _, edit = broken
    problems = edit(lambda e: e.update(side="boss", followups={"howlong": {"text": "一年。"}}))
    assert any("side 'boss'" in p for p in problems)
    assert any("followup 'howlong'" in p for p in problems)


def test_a_wrong_followup_quote_and_a_long_followup_fail(broken) -> None:
    _, _, edit = broken
    problems = edit(lambda e: e.update(followups={"deadline": {"text": "很长。" * 60, "citations": [
        {"law": "中华人民共和国劳动争议调解仲裁法", "article": "第二十七条", "quote": "三年内都可以申请。"}]}}))
    assert any("followup deadline has" in p for p in problems)
    assert any("followup deadline quote is not word for word" in p for p in problems)


def test_citing_the_renumbered_public_security_law_fails(broken) -> None:
    """治安管理处罚法 was revised in 2025 with numbering the reference texts lack: no article may be cited."""
    _, _, edit = broken
    problems = edit(lambda e: e["citations"].append(
        {"law": "中华人民共和国治安管理处罚法", "article": "第四十三条", "quote": "殴打他人的。"}))
    assert any("治安管理处罚法" in p and "review_flag" in p for p in problems)


def test_every_official_text_is_shipped_whole() -> None:
    if not REFERENCE.is_dir():
        pytest.skip("../shared/reference is not present")
    shipped = statutes.load_shipped()
    for law, parts in statutes.load_reference(REFERENCE).items():
        for part in parts:
            assert set(part.articles) <= set(shipped[law]), law
