import numpy as np
import pytest

from triage import PipelineError
from triage._batch import Batch
from triage._pipeline import Pipeline


class Upper:
    name = "upper"
    reads = ("text",)
    writes = ("upper",)
    output_keys = ("upper",)

    def predict(self, batch):
        return {"upper": np.array([t.upper() for t in batch["text"]], dtype=object)}


class NeedsScore:
    name = "needs"
    reads = ("score",)
    writes = ("x",)
    output_keys = ()

    def predict(self, batch):  # pragma: no cover - never runs
        return {"x": batch["score"]}


class Liar:
    name = "liar"
    reads = ("text",)
    writes = ("declared",)
    output_keys = ()

    def predict(self, batch):
        return {"other": batch["text"]}


def test_reads_are_checked_when_the_pipeline_is_built():
    with pytest.raises(PipelineError, match="reads \\['score'\\] but no earlier stage writes"):
        Pipeline([NeedsScore()])


def test_a_stage_must_write_what_it_declares():
    with pytest.raises(PipelineError, match="declares"):
        Pipeline([Liar()]).run(Batch.from_records([{"id": 1, "text": "a"}]))


def test_stages_see_only_valid_rows_and_results_land_in_place():
    batch = Batch.from_records([{"id": 1, "text": "a"}, {"id": 2, "error": "bad"}, {"id": 3, "text": "c"}])
    out = Pipeline([Upper()]).run(batch)
    assert list(out["upper"]) == ["A", None, "C"]
    assert Pipeline([Upper()]).output_keys == ("upper",)
