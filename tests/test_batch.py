import numpy as np
import pytest

from triage._batch import Batch


def test_from_records_fills_missing_inputs_with_none():
    b = Batch.from_records([{"id": 1, "text": "a"}, {"id": 2, "text": "b", "channel": "chat", "error": "x"}])
    assert b.n == 2
    assert list(b["channel"]) == [None, "chat"]
    assert list(b.valid_rows()) == [0]


def test_column_length_is_checked():
    b = Batch({"id": [1, 2]})
    with pytest.raises(ValueError, match="has 3 rows but the batch has 2"):
        b["x"] = [1, 2, 3]


def test_take_and_scatter_restore_positions():
    b = Batch.from_records([{"id": i, "text": str(i)} for i in range(5)])
    rows = np.array([1, 3])
    part = b.take(rows)
    part["score"] = np.array([0.5, 0.7])
    part["label"] = ["a", "b"]
    part["proba"] = np.ones((2, 3))
    b.scatter(rows, part, ["score", "label", "proba"])
    assert np.isnan(b["score"][0]) and b["score"][3] == 0.7
    assert list(b["label"]) == [None, "a", None, "b", None]
    assert b["proba"].shape == (5, 3)
