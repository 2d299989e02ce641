"""The second stage: folds that keep a writer together, and a stacker that is used only
where it beats the first stage on out-of-fold logits."""
import numpy as np

from triage.models._model import TriageModel, macro_f1
from triage.models._stacking import assign_folds, fit_stacker, stack_inputs


def test_groups_stay_in_one_fold_and_are_dealt_round_robin():
    groups = ["train", "train_b", "train_c", "train", "train_h", "train_b", "train_d", "train_e", "train_f"]
    folds = assign_folds(range(len(groups)), groups)
    by_group = {}
    for g, f in zip(groups, folds):
        by_group.setdefault(g, set()).add(int(f))
    assert all(len(v) == 1 for v in by_group.values())
    # sorted: train, train_b, train_c, train_d, train_e, train_f, train_h -> 0 1 2 3 4 0 1
    assert by_group["train"] == by_group["train_f"] == {0}
    assert by_group["train_b"] == by_group["train_h"] == {1}


def test_without_groups_folds_come_from_the_id_and_are_stable():
    ids = [f"msg-{i}" for i in range(500)]
    a, b = assign_folds(ids), assign_folds(ids, groups=["only-one-file"] * 500)
    assert np.array_equal(a, b)
    assert set(np.unique(a)) == {0, 1, 2, 3, 4}
    assert min(np.bincount(a)) > 60  # roughly even


def test_two_groups_give_two_folds():
    folds = assign_folds(range(6), ["x", "y", "x", "y", "x", "y"])
    assert list(folds) == [0, 1, 0, 1, 0, 1]


def _first_stage(seed: int, n: int = 1200):
    """Labels, a weak first stage for them, and another head's probabilities that carry
    what the first stage misses (class 2 is told apart only by the other head)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    first = rng.normal(0, 1, (n, 3))
    first[np.arange(n), np.minimum(y, 1)] += 2.0  # classes 1 and 2 look alike here
    other = np.zeros((n, 2))
    other[np.arange(n), (y == 2).astype(int)] = 4.0
    other += rng.normal(0, 0.5, other.shape)
    return y, first, other


def test_stacker_learns_what_another_head_knows():
    y, first, other = _first_stage(0)
    logits = {"a": first, "b": other}
    nb = {"a": np.zeros_like(first)}
    inputs = stack_inputs("a", logits, nb, ["a", "b"])
    assert inputs.shape == (len(y), 3 + 3 + 2)
    folds = assign_folds(range(len(y)))
    stack = fit_stacker(inputs, y, folds, first, 3, lambda g, p: macro_f1(g, p, 3))
    assert stack is not None
    assert stack["cv_score"] > stack["first_stage_score"] + 0.2
    pred = (inputs @ stack["w"] + stack["b"]).argmax(1)
    assert macro_f1(y, pred, 3) > 0.9


def test_stacker_is_refused_when_it_cannot_beat_the_first_stage():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, 600)
    first = np.eye(3)[y] * 5.0  # already perfect
    inputs = np.hstack([first, rng.normal(0, 1, (600, 3))]).astype(np.float32)
    assert fit_stacker(inputs, y, assign_folds(range(600)), first, 3, lambda g, p: macro_f1(g, p, 3)) is None


def _three_heads(seed: int = 0, n: int = 300):
    """Topic and mood each show in one word; the third label is whether the topic is
    'a' exactly when the mood is negative: hard for one linear head, easy given the
    other two heads' probabilities."""
    rng = np.random.default_rng(seed)
    words = {"a": "parcel courier late box", "b": "invoice charged twice refund", "c": "password login locked"}
    filler = "the my a is was it please hello order".split()
    texts, labels, groups = [], {"topic": [], "sentiment": [], "flag": []}, []
    for i in range(n):
        topic, negative = "abc"[i % 3], bool(rng.random() < 0.5)
        bag = [rng.choice(words[topic].split())] + rng.choice(filler, 4).tolist()
        bag.append(rng.choice(["awful", "angry", "bad"] if negative else ["thanks", "ok", "fine"]))
        rng.shuffle(bag)
        texts.append(" ".join(bag))
        labels["topic"].append(topic)
        labels["sentiment"].append("negative" if negative else "neutral")
        labels["flag"].append("yes" if (topic == "a") == negative else "no")
        groups.append(f"writer{i % 4}")
    return texts, labels, groups


def test_second_stage_is_used_where_it_helps_and_survives_saving(tmp_path):
    texts, labels, groups = _three_heads()
    m = TriageModel(l2_grid=(1e-4,))
    report = m.fit(texts, texts, ["en"] * len(texts), labels, list(range(len(texts))), groups=groups)
    assert "stack" in m.heads_["flag"]
    stage = report["flag"]["second_stage"]
    assert stage["oof_macro_f1"] > stage["oof_macro_f1_first"] + 0.03
    assert report["topic"]["second_stage"] is None  # one word tells it: nothing to add
    assert "nb" not in m.heads_["topic"]  # kept only for heads with a second stage
    before, _ = m.predict(texts[:30], texts[:30], ["en"] * 30)
    m.save(tmp_path / "m")
    loaded = TriageModel.load(tmp_path / "m")
    after, _ = loaded.predict(texts[:30], texts[:30], ["en"] * 30)
    for head in labels:
        assert ("stack" in m.heads_[head]) == ("stack" in loaded.heads_[head])
        assert np.allclose(before[head], after[head], atol=2e-2)
        assert np.array_equal(before[head].argmax(1), after[head].argmax(1))


def test_a_row_scores_the_same_alone_and_in_a_batch():
    texts, labels, groups = _three_heads(seed=1)
    m = TriageModel(l2_grid=(1e-4,))
    m.fit(texts, texts, ["en"] * len(texts), labels, list(range(len(texts))), groups=groups)
    assert "stack" in m.heads_["flag"]
    batch, _ = m.predict(texts[:257], texts[:257], ["en"] * 257)
    for i in (0, 5, 256):
        alone, _ = m.predict(texts[i:i + 1], texts[i:i + 1], ["en"])
        for head in labels:
            assert np.array_equal(alone[head][0], batch[head][i])
