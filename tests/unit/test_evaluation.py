from bot.evaluation import score


def test_score_worked_example() -> None:
    pairs = [
        ("wage_arrears", "wage_arrears"),
        ("wage_arrears", "out_of_scope"),  # a legal question wrongly turned away
        ("debt", "debt"),
        ("debt", "crisis"),  # a legal question wrongly sent to crisis handling
        ("crisis", "crisis"),
        ("out_of_scope", "out_of_scope"),
    ]
    report = score(pairs)
    assert report["wrongly_out_of_scope_rate"] == 0.25
    assert report["wrongly_crisis_rate"] == 0.25
    assert report["crisis_recall"] == 1.0
    assert report["per_label"]["crisis"]["precision"] == 0.5
    assert report["per_label"]["wage_arrears"]["recall"] == 0.5
    assert round(report["macro_f1"], 4) == round((2 / 3 + 2 / 3 + 2 / 3 + 2 / 3) / 4, 4)
