"""Triage in worker processes: the same Arrow function, chunks in and out as Arrow IPC
bytes, results in input order. Each worker builds one Triager (routing stays in the
parent: it needs every message)."""
from __future__ import annotations

import signal
from collections import deque
from typing import Iterable, Iterator

import pyarrow as pa

_TRIAGER = None


def _ipc_bytes(rb: pa.RecordBatch) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, rb.schema) as writer:
        writer.write_batch(rb)
    return sink.getvalue().to_pybytes()


def _from_ipc(data: bytes) -> pa.RecordBatch:
    with pa.ipc.open_stream(pa.py_buffer(data)) as reader:
        batches = list(reader)
        schema = reader.schema
    return batches[0] if batches else pa.RecordBatch.from_pylist([], schema=schema)


def _init_worker(config: dict) -> None:
    """Build this process's Triager once; Ctrl-C is the parent's to handle."""
    global _TRIAGER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from ._triager import Triager

    _TRIAGER = Triager(teams=False, **config)


def _work(data: bytes) -> bytes:
    from ._arrow import triage_record_batch

    return _ipc_bytes(triage_record_batch(_from_ipc(data), _TRIAGER, route=False))


class WorkerPool:
    """``workers`` processes that each run ``triage_record_batch(..., route=False)``.

    ``config``: the Triager arguments but teams (kb, model, languages, batch_size...),
    plain values only, since they travel to the workers. Use as a context manager."""

    def __init__(self, workers: int, config: dict) -> None:
        self.workers = workers
        self.config = config
        self._pool = None

    def __enter__(self) -> "WorkerPool":
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # spawn: the parent may hold threads (the language detector's), which fork would copy broken
        self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_init_worker, initargs=(self.config,))
        return self

    def __exit__(self, *exc) -> None:
        self._pool.shutdown(wait=exc[0] is None, cancel_futures=True)

    def map(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """Output batches in input order, keeping every worker busy (two chunks each in flight)."""
        pending: deque = deque()
        for rb in batches:
            pending.append(self._pool.submit(_work, _ipc_bytes(rb)))
            if len(pending) >= 2 * self.workers:
                yield _from_ipc(pending.popleft().result())
        while pending:
            yield _from_ipc(pending.popleft().result())
