import pytest

from bot.normalize import MAX_CHARS, has_chinese, normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("老闆欠我工資不給怎麼辦", "老板欠我工资不给怎么办"),  # Traditional → Simplified
        ("欠薪ＡＢＣ１２３", "欠薪ABC123"),  # full-width Latin and digits
        ("怎么办？？？！！！", "怎么办?!"),  # full-width, then repeated punctuation collapsed
        ("  离婚   孩子\t归谁 \n", "离婚 孩子 归谁"),  # whitespace
        ("诉讼时效\u200b三年", "诉讼时效三年"),  # zero-width characters
        ("<script>alert(1)</script>老板欠薪", "alert(1) 老板欠薪"),  # markup stripped
        ("", ""),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_a_huge_message_is_capped() -> None:
    assert len(normalize("欠" * 10_000)) == MAX_CHARS


@pytest.mark.parametrize(("text", "expected"), [("hello", False), ("😀😀", False), ("<b>x</b>", False), ("你好", True)])
def test_has_chinese(text: str, expected: bool) -> None:
    assert has_chinese(text) is expected
