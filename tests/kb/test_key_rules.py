"""Each key rule of knowledge/key_rules.yml is reachable: a plain question (written by us) gets, as its
top answer, the entry that carries the rule or an entry citing the rule's article."""

from functools import lru_cache

import pytest

from bot import taxonomy
from bot.kb import faq, key_rules, sides
from bot.kb.retrieval import Index

RULES = key_rules.load()


@lru_cache(maxsize=1)
def index() -> Index:
    return Index(faq.load())


def test_every_category_has_a_key_rule_and_the_issue_rules_are_listed() -> None:
    assert {r.category for r in RULES} == set(taxonomy.CATEGORIES)
    listed = {(r.citation.law.removeprefix("中华人民共和国"), r.citation.article) for r in RULES}
    assert ("劳动合同法", "第八十七条") in listed  # 2N for unlawful dismissal
    assert ("最高人民法院关于审理人身损害赔偿案件适用法律若干问题的解释", "第十五条") in listed  # urban standard
    assert ("道路交通安全法", "第七十五条") in listed  # relief fund after a hit-and-run
    assert ("医疗纠纷预防和处理条例", "第二十六条") in listed  # 48-hour autopsy window
    assert ("劳动争议调解仲裁法", "第五条") in listed  # arbitration before court


@pytest.mark.parametrize("rule", RULES, ids=[f"{r.entry}:{r.citation.article}" for r in RULES])
def test_the_rule_is_in_the_top_answer_to_a_plain_question(rule: key_rules.KeyRule) -> None:
    for category in (None, rule.category):  # without and with the NLU's category
        hits = index().search(rule.question, category=category, k=3, sides=sides.detect(rule.question))
        top = hits[0].entry
        assert index().is_confident(hits), (rule.question, top.id)
        assert top.id == rule.entry or any(
            c.law == rule.citation.law and c.article == rule.citation.article for c in top.citations
        ), (rule.question, top.id)
