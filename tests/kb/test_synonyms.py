"""Everyday words expanded with the FAQ's words before retrieval (knowledge/retrieval/synonyms.yml).
Own phrasings, written for this test."""

import pytest

from bot.kb import faq
from bot.kb.retrieval import Index, expand
from bot.normalize import normalize


@pytest.mark.parametrize("text, added", [
    ("我爸上个月走了", "去世"),
    ("公司把我开了", "辞退"),
    ("厂里从来没给我交过社保", "补缴"),
    ("网上买的手机收到就坏了", "质量问题"),
    ("被电动车撞了", "交通事故"),
    ("老公喝了酒就打我", "家庭暴力"),
    ("离婚以后前夫一分扶养费都不给", "抚养费"),
    ("想跟对方私了", "谅解"),
    ("楼上天天半夜跺脚拖椅子", "噪音"),
    ("法律援助是免费的吗", "收费"),
])
def test_everyday_words_get_the_faq_s_word(text: str, added: str) -> None:
    expanded = expand(normalize(text))
    assert expanded.startswith(normalize(text)) and added in expanded


@pytest.mark.parametrize("text", ["他说走了就走了", "手机坏了怎么修", "我想辞职", "丈夫不给我扶养费"])
def test_no_expansion_without_the_context(text: str) -> None:
    assert expand(normalize(text)) == normalize(text)


@pytest.fixture(scope="module")
def index() -> Index:
    return Index(faq.load())


@pytest.mark.parametrize("text, entry", [
    ("父亲走了，留下十几万欠款，银行找我们还", "inheritance-006"),
    ("在厂里干了六年，厂里从来没给我交过社保，现在想让他补交", "labor_dispute-005"),
    ("网上买了个手机，收到三天就坏了，商家不给退", "consumer-004"),
    ("楼上每天半夜还在跺脚拖椅子，说了也不听", "neighbor_dispute-005"),
    ("请问法律援助是免费的吗，我没钱请律师", "legal_aid-012"),
])
def test_the_faq_s_word_finds_the_entry(index: Index, text: str, entry: str) -> None:
    assert index.expand_synonyms
    assert index.search(text, k=1)[0].entry.id == entry
