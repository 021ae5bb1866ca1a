"""The custom NLU components on in-memory messages, without a trained model."""

from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components import ScopeGuard, TextNormalizer


def parsed(text: str, ranking: list[tuple[str, float]]) -> Message:
    message = Message({"text": text})
    TextNormalizer({}).process([message])
    intents = [{"name": n, "confidence": c} for n, c in ranking]
    message.set("intent", intents[0])
    message.set("intent_ranking", intents)
    return message


def guard(message: Message) -> dict:
    ScopeGuard({}).process([message])
    return message.get("intent")


def test_crisis_wins_even_over_a_confident_or_fallback_prediction() -> None:
    msg = parsed("讨不到工资，我真想从楼上跳下去", [("nlu_fallback", 0.5), ("wage_arrears", 0.49), ("crisis", 0.48)])
    assert guard(msg) == {"name": "crisis", "confidence": 1.0}
    assert msg.get("intent_ranking") == [{"name": "crisis", "confidence": 1.0}]  # nothing to be ambiguous with


def test_a_legal_looking_message_is_not_rejected_as_out_of_scope() -> None:
    msg = parsed("厂里欠我7000多块钱工资一直拖着", [("out_of_scope", 0.9), ("wage_arrears", 0.08)])
    assert guard(msg)["name"] == "nlu_fallback"  # too unsure to answer: ask back, never reject
    assert msg.get("intent_ranking")[1]["name"] == "wage_arrears"  # the clarifying question's first button
    msg = parsed("厂里欠我7000多块钱工资一直拖着", [("out_of_scope", 0.4), ("wage_arrears", 0.6)])
    assert guard(msg)["name"] == "wage_arrears"


def test_chit_chat_stays_out_of_scope() -> None:
    msg = parsed("今天天气不错", [("out_of_scope", 0.97), ("wage_arrears", 0.01)])
    assert guard(msg)["name"] == "out_of_scope"


def test_no_chinese_and_empty_input() -> None:
    assert guard(parsed("<script>alert(1)</script>", [("greet", 0.9)]))["name"] == "unsupported_input"
    assert guard(parsed("   ", [("greet", 0.9)]))["name"] == "empty_message"


def test_normalizer_keeps_the_original() -> None:
    message = Message({"text": "老闆欠薪！！！"})
    TextNormalizer({}).process([message])
    assert (message.get("text"), message.get("original_text")) == ("老板欠薪!", "老闆欠薪！！！")


def test_a_message_with_a_reference_number_is_a_status_query() -> None:
    from bot.legal_aid import reference

    assert reference.find("查询申请进度 fy-2026-000001-4 1111")[0] == "FY-2026-000001-4"
    assert reference.find("FY 2026 000123 5")[0] == "FY-2026-000123-5"
    assert reference.find("工资欠了2026年") is None


def test_a_crisis_predicted_by_the_classifier_alone_gives_way_to_the_next_intent() -> None:
    msg = parsed("我想辞职，辞职了还能拿什么钱", [("crisis", 0.7), ("labor_dispute", 0.6), ("wage_arrears", 0.1)])
    assert guard(msg) == {"name": "labor_dispute", "confidence": 0.6}
    assert "crisis" not in [r["name"] for r in msg.get("intent_ranking")]
    assert msg.get("safety") is None
    msg = parsed("喝了喝了！", [("crisis", 0.8), ("greet", 0.1)])
    assert guard(msg)["name"] != "crisis"  # never 110 on the classifier's word alone


def test_a_concern_keeps_the_legal_intent_and_is_reported() -> None:
    msg = parsed("去年老公打过我，能离婚吗", [("marriage_family", 0.8), ("domestic_violence", 0.15)])
    assert guard(msg)["name"] == "marriage_family"
    assert msg.get("safety") == {"tier": "concern", "kind": "domestic_abuse", "phrase": msg.get("safety")["phrase"]}


def test_a_crisis_is_reported_with_its_kind() -> None:
    msg = parsed("他拿着刀在门口堵我，说要砍死我", [("criminal", 0.9)])
    assert guard(msg)["name"] == "crisis"
    assert msg.get("safety")["tier"] == "crisis" and msg.get("safety")["kind"] == "violence_now"


def test_a_concern_the_classifier_would_turn_away_gets_its_own_intent() -> None:
    msg = parsed("我同学想自杀，我该怎么劝", [("out_of_scope", 0.88), ("criminal", 0.05)])
    assert guard(msg)["name"] == "safety_concern"
    assert [r["name"] for r in msg.get("intent_ranking")][:2] == ["safety_concern", "out_of_scope"]
    msg = parsed("最近老是想不开", [("nlu_fallback", 0.5), ("labor_dispute", 0.3)])
    assert guard(msg)["name"] == "safety_concern"
    msg = parsed("今天天气不错", [("out_of_scope", 0.97)])  # no concern: turned away as before
    assert guard(msg)["name"] == "out_of_scope"


def test_a_greeting_before_the_question_is_the_question() -> None:
    msg = parsed("您好，在吗？我想问下老公出轨了离婚财产怎么分", [("greet", 0.5), ("marriage_family", 0.4)])
    assert guard(msg)["name"] == "marriage_family"


def test_the_guard_keeps_a_short_ranking() -> None:
    ranking = [(f"intent_{i}", 0.01) for i in range(40)]
    msg = parsed("随便说点什么吧", [("out_of_scope", 0.6)] + ranking)
    guard(msg)
    assert len(msg.get("intent_ranking")) <= 10


def test_the_linear_classifier_ranks_every_intent_it_learnt() -> None:
    from bot.nlu.linear import LinearIntentModel

    model = LinearIntentModel()
    texts = ["老板欠我工资", "拖欠工资不给", "离婚孩子归谁", "离婚财产分割", "今天天气不错", "讲个笑话"]
    labels = ["wage_arrears"] * 2 + ["marriage_family"] * 2 + ["out_of_scope"] * 2
    model.fit(texts, [list(t) for t in texts], labels)
    ranking = model.rank("工资被拖欠了", list("工资被拖欠了"))
    assert ranking[0][0] == "wage_arrears"
    assert {n for n, _ in ranking} == set(labels)
    assert abs(sum(p for _, p in ranking) - 1.0) < 1e-6


def test_a_compacted_model_gives_the_same_probabilities_in_half_the_memory() -> None:
    import numpy as np

    from bot.nlu.linear import LinearIntentModel, LinearSettings, _linear_parts

    # The n-gram pair: the other members' compaction is tested in test_embedding.py.
    model = LinearIntentModel(LinearSettings(naive_bayes_weight=0, embedding_weight=0))
    texts = ["老板欠我工资", "拖欠工资不给", "工资一直拖着", "离婚孩子归谁", "离婚财产分割", "协议离婚怎么办",
             "今天天气不错", "讲个笑话", "你是谁"]
    labels = ["wage_arrears"] * 3 + ["marriage_family"] * 3 + ["out_of_scope"] * 3
    model.fit(texts, [list(t) for t in texts], labels)
    queries = ["工资被拖欠了", "想离婚", "天气"]
    before = model.probabilities(queries, [list(q) for q in queries])
    weights = sum(p.coef_.nbytes for m in model._models for p in _linear_parts(m))
    model.compact()
    after = model.probabilities(queries, [list(q) for q in queries])
    assert sum(p.coef_.nbytes for m in model._models for p in _linear_parts(m)) == weights // 2
    # No per-message copy of the weights: float32 features times contiguous transposed float32 weights.
    assert all(p.coef_.T.flags.c_contiguous for m in model._models for p in _linear_parts(m))
    assert all(m.features(queries, [list(q) for q in queries]).dtype == np.float32 for m in model._members)
    assert np.abs(after - before).max() < 1e-6
    assert (after.argmax(axis=1) == before.argmax(axis=1)).all()


def test_an_explicit_request_to_apply_starts_the_application_and_keeps_the_matter() -> None:
    msg = parsed("我想申请法律援助，我是农民工，老板欠了我两万工资不给",
                 [("wage_arrears", 0.61), ("legal_aid", 0.06), ("apply_legal_aid", 0.05), ("work_injury", 0.01)])
    assert guard(msg) == {"name": "apply_legal_aid", "confidence": 1.0}
    assert [r["name"] for r in msg.get("intent_ranking")][:2] == ["apply_legal_aid", "wage_arrears"]
    assert msg.get("aid_request") == {"kind": "apply", "phrase": "我想申请法律援助", "matter_category": "wage_arrears"}


def test_an_explicit_status_query_asks_for_the_reference() -> None:
    msg = parsed("我之前申请的法律援助怎么样了", [("legal_aid", 0.48), ("administrative", 0.01)])
    assert guard(msg)["name"] == "query_status"
    assert msg.get("aid_request")["kind"] == "status"


def test_a_question_about_legal_aid_is_answered_not_applied_for() -> None:
    msg = parsed("怎么申请法律援助", [("legal_aid", 0.81), ("apply_legal_aid", 0.1)])
    assert guard(msg)["name"] == "legal_aid" and msg.get("aid_request") is None


def test_a_crisis_that_mentions_legal_aid_stays_a_crisis() -> None:
    msg = parsed("我不想活了，我想申请法律援助", [("apply_legal_aid", 0.9)])
    assert guard(msg)["name"] == "crisis" and msg.get("aid_request") is None


def test_a_question_the_classifier_calls_a_request_does_not_start_the_form() -> None:
    msg = parsed("我要不要申请法律援助", [("apply_legal_aid", 0.83), ("legal_aid", 0.11), ("debt", 0.01)])
    assert guard(msg)["name"] == "legal_aid"  # the FAQ answers, with the 申请法律援助 button
    assert "apply_legal_aid" not in [r["name"] for r in msg.get("intent_ranking")]
    msg = parsed("我想申请法律援助", [("apply_legal_aid", 0.92), ("legal_aid", 0.05)])
    assert guard(msg)["name"] == "apply_legal_aid"


def test_a_message_that_only_declines_legal_aid_is_a_no() -> None:
    msg = parsed("我不想申请法律援助", [("apply_legal_aid", 0.54), ("legal_aid", 0.3)])
    assert guard(msg)["name"] == "deny"  # "还有其他需要咨询的吗", not the form nor a FAQ entry


def test_the_configured_pooling_applies_to_a_stored_model(tmp_path) -> None:
    import joblib
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    from bot.nlu.components import LinearIntentClassifier
    from bot.nlu.linear import LinearIntentModel, LinearSettings

    # A model stored before pooling was a setting (or with another one) serves with the configured pooling.
    model = LinearIntentModel(LinearSettings(naive_bayes_weight=0, embedding_weight=0, pooling="mean"))
    texts = ["老板欠我工资", "拖欠工资不给", "离婚孩子归谁", "离婚财产分割", "今天天气不错", "讲个笑话"]
    model.fit(texts, [list(t) for t in texts], ["wage_arrears"] * 2 + ["marriage_family"] * 2 + ["out_of_scope"] * 2)
    storage, resource = LocalModelStorage(tmp_path), Resource("linear")
    with storage.write_to(resource) as directory:
        joblib.dump(model, directory / LinearIntentClassifier.MODEL_FILE)
    loaded = LinearIntentClassifier.load({}, storage, resource, None)  # type: ignore[arg-type]
    assert loaded._model is not None and loaded._model.settings.pooling == "geometric"
    loaded = LinearIntentClassifier.load({"pooling": "mean"}, storage, resource, None)  # type: ignore[arg-type]
    assert loaded._model is not None and loaded._model.settings.pooling == "mean"
