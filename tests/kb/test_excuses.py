"""What the other side says, told after a first answer ("他说…"): each excuse has an entry of its own, reached
by the step cues of knowledge/followups.yml within the topic and by retrieval on its own."""

import pytest

from bot import knowledge_base
from bot.kb import followup

# (category of the answer just given, the new entry, two phrasings told right after it, a paraphrase searched alone)
EXCUSES = [
    ("wage_arrears", "wage_arrears-025",
     ("老板说公司困难，工资晚点发", "他讲厂里资金紧张，先欠着"),
     "老板说公司效益不好，工资先欠着"),
    ("labor_dispute", "labor_dispute-033",
     ("他说工资里包含加班费了", "老板说加班费已经算在工资里"),
     "公司说月薪里含加班费，这样合法吗"),
    ("marriage_family", "marriage_family-091",
     ("他说他失业了没钱", "前夫说他没工作，女儿的抚养费不给了"),
     "前夫说他失业了没钱给抚养费"),
    ("contract", "contract-029",
     ("对方说是不可抗力", "他说因为疫情没法交货，不算违约"),
     "供货商说因为疫情停产，延期交货不用赔"),
    ("housing_property", "housing_property-031",
     ("开发商说是疫情停工耽误的", "他们说不可抗力，交房要顺延"),
     "开发商说疫情原因延期交房，不用赔违约金"),
    ("work_injury", "work_injury-025",
     ("老板说是我自己不小心", "厂里说是我违规操作，不算工伤"),
     "老板说是我自己操作失误，不给算工伤"),
    ("personal_injury", "personal_injury-029",
     ("狗主人说是我逗狗", "他说我踢了他家狗"),
     "狗主人说是我先惹的狗"),
    ("personal_injury", "personal_injury-030",
     ("他说是我先动的手", "可他一口咬定是我先出手"),
     "打完架对方反咬说我先动手"),
    ("litigation_procedure", "litigation_procedure-036",
     ("他说他名下没有财产", "他说房子车子都在他老婆名下"),
     "欠钱的说房子车子都不在他名下"),
    ("land_rural", "land_rural-036",
     ("邻居说那块地一直是他家的", "他说那块地祖上就是他们家的"),
     "邻居说那块地祖上就是他家的"),
    ("housing_property", "housing_property-032",
     ("那能不能换物业", "我们想把物业炒掉"),
     "小区想炒掉现在的物业公司怎么弄"),
]


@pytest.mark.parametrize(("category", "entry", "told"),
                         [(c, e, t) for c, e, told, _ in EXCUSES for t in told])
def test_an_excuse_told_after_an_answer_reaches_its_entry(category: str, entry: str, told: str) -> None:
    assert followup.step_entry(told, category) == entry


@pytest.mark.parametrize(("entry", "question"), [(e, q) for _, e, _, q in EXCUSES])
def test_the_excuse_alone_retrieves_its_entry(entry: str, question: str) -> None:
    hits = knowledge_base.shared().index.search(question, k=1)
    assert hits and hits[0].entry.id == entry


@pytest.mark.parametrize(("category", "told", "entry"), [
    ("wage_arrears", "老板说甲方没给钱", "wage_arrears-006"),                 # the main contractor has not paid
    ("housing_property", "物业说不交就起诉我", "housing_property-005"),       # the fee and the threat to sue
    ("housing_property", "老物业赖着不走", "housing_property-018"),          # not a change of company
    ("litigation_procedure", "法院说他没有财产", "litigation_procedure-017"),  # the court found nothing
    ("marriage_family", "我失业了，抚养费还要给吗", "marriage_family-078"),   # the payer's own job loss
])
def test_related_remarks_reach_the_entry_that_answers_them(category: str, told: str, entry: str) -> None:
    assert followup.step_entry(told, category) == entry


@pytest.mark.parametrize(("category", "told"), [
    ("labor_dispute", "加班费怎么算"),
    ("personal_injury", "去打疫苗，狗主人不给钱"),
    ("personal_injury", "我先垫付了医药费"),
    ("contract", "我这边遇到疫情没法交货"),
    ("litigation_procedure", "我没有财产怎么办"),
    ("land_rural", "征地补偿款被村干部拿了"),
    # An adult child who pleads no job to a parent is no ex-spouse pleading it against child support.
    ("marriage_family", "儿子说他没工作，不给赡养费"),
    ("marriage_family", "我女儿说她没收入，养老钱给不起"),
])
def test_other_remarks_do_not_reach_an_excuse(category: str, told: str) -> None:
    excuse_entries = {e for _, e, _, _ in EXCUSES}
    assert followup.step_entry(told, category) not in excuse_entries


def test_the_excuse_entries_take_the_side_of_the_one_asking() -> None:
    by_id = knowledge_base.shared().index.by_id
    sides = {"wage_arrears-025": "worker", "labor_dispute-033": "worker", "work_injury-025": "worker",
             "personal_injury-029": "victim", "litigation_procedure-036": "creditor", "housing_property-031": "buyer"}
    for entry, side in sides.items():
        assert by_id[entry].side == side
