"""Worked examples for every extractor: text, expected normalised value, expected span."""

from datetime import date

import pytest

from bot.entities import extract_all
from bot.entities.dates import extract_dates
from bot.entities.durations import extract_durations
from bot.entities.idcard import check_character, extract_id_numbers, is_valid_id_number
from bot.entities.money import extract_money
from bot.entities.numerals import parse_number
from bot.entities.phone import extract_phones
from bot.entities.regions import extract_regions

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "value"),
    [("三万五", 35000), ("八千", 8000), ("3.5万", 35000), ("两千五百", 2500), ("一万二", 12000),
     ("十万", 100000), ("二十三", 23), ("一百零五", 105), ("三千五", 3500), ("3万5", 35000),
     ("1.2万", 12000), ("两万三千", 23000)],
)
def test_parse_number(text: str, value: int) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "value", "span"),
    [
        ("老板欠我三万五", 35000, (4, 7)),
        ("还差八千块没给", 8000, (2, 5)),
        ("借了他3.5万", 35000, (3, 7)),
        ("欠了工资8000元", 8000, (4, 9)),
        ("三千多块钱", 3000, (0, 5)),
        ("赔了1234.5元", 1234.5, (2, 9)),
    ],
)
def test_money(text: str, value: float, span: tuple[int, int]) -> None:
    (ent,) = extract_money(text)
    assert (ent.value, (ent.start, ent.end)) == (value, span)


@pytest.mark.parametrize("text", ["干了三个月", "三十个人", "住在3楼", "他今年三十岁", "欠薪"])
def test_not_money(text: str) -> None:
    assert extract_money(text) == []


@pytest.mark.parametrize(
    ("text", "value", "span"),
    [("拖了三个月", "P3M", (2, 5)), ("半年了", "P6M", (0, 2)), ("一年半", "P18M", (0, 3)),
     ("两周", "P2W", (0, 2)), ("干了十天", "P10D", (2, 4)), ("等了3个月", "P3M", (2, 5))],
)
def test_durations(text: str, value: str, span: tuple[int, int]) -> None:
    (ent,) = extract_durations(text)
    assert (ent.value, (ent.start, ent.end)) == (value, span)


@pytest.mark.parametrize(
    ("text", "value"),
    [("2023年5月1日入职", "2023-05-01"), ("2024-03-05签的合同", "2024-03-05"), ("去年3月开始欠薪", "2025-03"),
     ("5月1号", "2026-05-01"), ("12月5号", "2025-12-05"), ("昨天被打了", "2026-11-22"), ("上个月", "2026-10")],
)
def test_dates(text: str, value: str) -> None:
    (ent,) = extract_dates(text, TODAY)
    assert ent.value == value


def test_no_date_in_duration() -> None:
    assert extract_dates("三个月", TODAY) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [("我在广东东莞打工", "广东省东莞市"), ("河南省周口市", "河南省周口市"), ("在北京", "北京市"),
     ("吉林的", "吉林省"), ("深圳", "广东省深圳市"), ("新疆乌鲁木齐", "新疆维吾尔自治区乌鲁木齐市"),
     ("延边州", "吉林省延边朝鲜族自治州")],
)
def test_regions(text: str, value: str) -> None:
    values = [e.value for e in extract_regions(text)]
    assert values[0] == value


def test_every_province_and_city_in_the_gazetteer_is_found() -> None:
    import yaml

    from bot.paths import GAZETTEER

    data = yaml.safe_load((GAZETTEER / "regions.yml").read_text(encoding="utf-8"))
    assert len(data["provinces"]) == 34
    cities = [(p["name"], c["name"]) for p in data["provinces"] for c in p["cities"]]
    assert len(cities) >= 330
    for province, city in cities:
        assert [e.value for e in extract_regions(city)] == [province + city], city


@pytest.mark.parametrize(
    ("text", "value"),
    [("电话13812345678", "13812345678"), ("138-1234-5678", "13812345678"), ("+86 139 0000 1111", "13900001111")],
)
def test_phones(text: str, value: str) -> None:
    (ent,) = extract_phones(text)
    assert ent.value == value


@pytest.mark.parametrize("text", ["12345678901", "138123456789", "座机010-12345678"])
def test_not_phones(text: str) -> None:
    assert extract_phones(text) == []


def test_id_check_character_official_sample() -> None:
    # The worked example of GB 11643-1999.
    assert check_character("11010519491231002") == "X"
    assert is_valid_id_number("11010519491231002X")
    assert is_valid_id_number("11010519491231002x")


@pytest.mark.parametrize(
    "value",
    ["110105194912310021",  # wrong check character
     "110105194913310028",  # month 13
     "11010519491231002",  # 17 digits
     "1101051949123100210"],  # 19 digits
)
def test_invalid_ids(value: str) -> None:
    assert not is_valid_id_number(value)


def test_extract_id_number() -> None:
    (ent,) = extract_id_numbers("身份证11010519491231002x，谢谢")
    assert (ent.value, ent.start, ent.end) == ("11010519491231002X", 3, 21)


def test_extract_all_resolves_overlaps() -> None:
    ents = extract_all("俺在河南周口，去年3月到现在老板欠了三万五，拖了8个月，电话13812345678", TODAY)
    assert [(e.entity, e.value) for e in ents] == [
        ("region", "河南省周口市"), ("date", "2025-03"), ("money", 35000), ("duration", "P8M"),
        ("phone", "13812345678"),
    ]
