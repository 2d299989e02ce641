"""Per-record warnings: what was accepted but not used as given, so that a reader of
the output sees why a result may be off (the models read a truncated text, there is no
deadline because ``received_at`` is not a time, an unknown channel got the default
service level)."""
from __future__ import annotations

from typing import Mapping

import numpy as np

from ._batch import Batch
from ._records import CHANNELS
from ._sla import YEARS, parse_times
from ._text import MAX_MODEL_CHARS

MAX_SHOWN = 40  # characters of a bad value quoted in a warning


def _shown(value: str) -> str:
    return repr(value if len(value) <= MAX_SHOWN else value[:MAX_SHOWN] + "...")


class InputWarnings:
    """Stage: writes ``warnings`` (a list of sentences, or None) and ``received_epoch``
    (``received_at`` in epoch seconds, NaN when missing or unusable), parsed once here
    for routing."""

    name = "warnings"
    reads = ("text", "truncated", "channel", "received_at")
    writes = ("warnings", "received_epoch")
    output_keys = ("warnings",)

    def predict(self, batch: Batch) -> Mapping[str, np.ndarray]:
        received = batch["received_at"]
        epochs = parse_times(received)
        bad_time = np.isnan(epochs) & np.not_equal(received, None)
        channel = batch["channel"]
        bad_channel = np.array([c is not None and c not in CHANNELS for c in channel], dtype=bool)
        truncated = np.asarray(batch["truncated"], dtype=bool)
        warnings = np.empty(batch.n, dtype=object)
        text = batch["text"]
        for i in np.flatnonzero(truncated | bad_time | bad_channel):
            notes = []
            if truncated[i]:
                notes.append(f"text truncated for the models: {len(text[i]):,} characters, "
                             f"at most {MAX_MODEL_CHARS:,} read after cleaning")
            if bad_time[i]:
                notes.append(f"received_at {_shown(received[i])} is not an ISO 8601 time between "
                             f"{YEARS[0]} and {YEARS[1]}; no service-level deadline")
            if bad_channel[i]:
                notes.append(f"unknown channel {_shown(channel[i])}; default service level "
                             f"(channels: {', '.join(CHANNELS)})")
            warnings[i] = notes
        return {"warnings": warnings, "received_epoch": epochs}
