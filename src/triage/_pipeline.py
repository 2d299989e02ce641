"""Ordered stages over a Batch: each declares what it reads and writes, checked at build."""
from __future__ import annotations

from typing import Any, Mapping, Protocol, Sequence, runtime_checkable

from ._batch import INPUT_COLUMNS, Batch
from ._errors import PipelineError


@runtime_checkable
class Stage(Protocol):
    """A step of the pipeline.

    ``predict`` is pure: it reads ``reads`` from the batch and returns exactly the
    columns named in ``writes``; the pipeline writes them. ``output_keys`` are the
    contract keys this stage adds to every result.
    """

    name: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    output_keys: tuple[str, ...]

    def predict(self, batch: Batch) -> Mapping[str, Any]: ...


class Pipeline:
    """Runs stages in order over the valid rows of a batch."""

    def __init__(self, stages: Sequence[Stage]) -> None:
        self.stages = tuple(stages)
        available = set(INPUT_COLUMNS) | {"error"}
        for stage in self.stages:
            missing = [c for c in stage.reads if c not in available]
            if missing:
                raise PipelineError(
                    f"stage {stage.name!r} reads {missing} but no earlier stage writes "
                    f"them; put a stage that writes them before {stage.name!r}"
                )
            available.update(stage.writes)

    @property
    def output_keys(self) -> tuple[str, ...]:
        keys: list[str] = []
        for stage in self.stages:
            keys.extend(k for k in stage.output_keys if k not in keys)
        return tuple(keys)

    def run(self, batch: Batch) -> Batch:
        rows = batch.valid_rows()
        work = batch if len(rows) == batch.n else batch.take(rows)
        written: list[str] = []
        for stage in self.stages:
            if work.n == 0:
                break
            out = stage.predict(work)
            if set(out) != set(stage.writes):
                raise PipelineError(
                    f"stage {stage.name!r} returned {sorted(out)} but declares "
                    f"{sorted(stage.writes)}"
                )
            for name, values in out.items():
                work[name] = values
            written.extend(stage.writes)
        if work is not batch:
            batch.scatter(rows, work, [w for w in written if w in work])
        return batch

    def __repr__(self) -> str:
        return f"Pipeline({[s.name for s in self.stages]})"
