"""Splitting at WeChat's 2,048-byte limit: worked examples, and citations never cut."""

import re

import pytest

from bot.channels.wechat.split import CITATION, CUSTOMER_SERVICE_LIMIT, PASSIVE_REPLY_LIMIT, size, split_text
from bot.kb.answer import basis
from bot.kb.faq import load


def test_the_limits_are_wechats() -> None:
    assert PASSIVE_REPLY_LIMIT == CUSTOMER_SERVICE_LIMIT == 2048


def test_short_text_is_one_chunk_and_empty_text_none() -> None:
    assert split_text("老板欠薪怎么办？") == ["老板欠薪怎么办？"]
    assert split_text("  \n ") == []


def test_lines_are_kept_whole_when_they_fit() -> None:
    text = "第一段。\n第二段。\n法律依据：《劳动合同法》第三十条"
    assert split_text(text, limit=size("法律依据：《劳动合同法》第三十条") + 2) == ["第一段。\n第二段。", "法律依据：《劳动合同法》第三十条"]


def test_a_long_line_is_cut_after_a_sentence() -> None:
    assert split_text("甲乙丙。丁戊己。庚辛壬。", limit=size("甲乙丙。丁戊己。")) == ["甲乙丙。丁戊己。", "庚辛壬。"]


def test_a_citation_is_never_cut_even_without_punctuation() -> None:
    text = "依据" * 5 + "《中华人民共和国劳动合同法》第三十条第二款" + "规定" * 5
    chunks = split_text(text, limit=80)  # the citation alone is 63 bytes
    assert chunks == ["依据依据依据依据依据", "《中华人民共和国劳动合同法》第三十条第二款规定规定规", "定规定规定"]


def test_the_basis_line_splits_between_citations_when_it_must() -> None:
    line = "法律依据：《劳动合同法》第三十条；《劳动争议调解仲裁法》第二十七条；《工资支付暂行规定》第十八条"
    chunks = split_text(line, limit=size("法律依据：《劳动合同法》第三十条；") + 3)
    assert "".join(chunks) == line
    for cited in CITATION.findall(line):
        assert sum(cited in c for c in chunks) == 1


@pytest.mark.parametrize("limit", [120, 300, 700, 2048])
def test_every_faq_answer_with_its_basis_keeps_every_citation_whole(limit: int) -> None:
    for entry in load():
        text = entry.answer + "\n" + basis(entry)
        chunks = split_text(text, limit)
        assert all(size(c) <= limit for c in chunks), entry.id
        assert re.sub(r"\s", "", "".join(chunks)) == re.sub(r"\s", "", text)  # nothing lost or reordered
        for cited in CITATION.findall(text):
            assert any(cited in c for c in chunks), (entry.id, cited)


def test_a_very_long_answer_fills_chunks_close_to_the_limit() -> None:
    text = "用人单位应当及时足额支付劳动报酬。" * 200
    chunks = split_text(text)
    assert len(chunks) == -(-size(text) // 2048)  # 10,200 bytes → 5 chunks
    assert all(2048 - 60 <= size(c) <= 2048 for c in chunks[:-1])
