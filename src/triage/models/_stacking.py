"""Second stage of the heads: a small multinomial regression per head over its own
first-stage logits (logistic regression and naive Bayes, each centred per row) and the
other heads' first-stage probabilities, fitted on out-of-fold logits.

Why: urgency depends on what a message is about and how the customer feels ("high" is a
blocking problem with strong frustration, a trip in days); the topic and sentiment heads
read that better than the urgency head alone. Fitting on out-of-fold logits from folds
that keep a writer (a source file) together teaches the second stage how far to trust
the first on text by a writer it never saw."""
from __future__ import annotations

import zlib
from typing import Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from ._linear import fit_softmax, softmax

#: Most folds for the out-of-fold logits.
N_FOLDS = 5
#: L2 penalties tried for the second stage (its inputs are a few dozen dense columns).
STACK_L2_GRID = (1e-4, 1e-3, 1e-2)


def assign_folds(ids: Sequence, groups: Sequence | None = None, n_folds: int = N_FOLDS) -> np.ndarray:
    """Fold index per row. With two or more groups (source files, writers) every group
    stays in one fold, the groups dealt round-robin in sorted order; otherwise rows go
    by a hash of their id. Deterministic either way."""
    if groups is not None:
        names = sorted({str(g) for g in groups})
        if len(names) >= 2:
            index = {g: i % min(n_folds, len(names)) for i, g in enumerate(names)}
            return np.array([index[str(g)] for g in groups], dtype=np.int64)
    return np.array([zlib.crc32(str(i).encode("utf-8")) % n_folds for i in ids], dtype=np.int64)


def _centred(z: np.ndarray) -> np.ndarray:
    return z - z.mean(axis=1, keepdims=True)


def stack_inputs(head: str, logits: Mapping[str, np.ndarray], nb: Mapping[str, np.ndarray],
                 order: Sequence[str]) -> np.ndarray:
    """The second stage's inputs for ``head``: its first-stage logits and naive Bayes
    logits (centred per row), then every other head's first-stage probabilities, in
    ``order``."""
    parts = [_centred(logits[head]), _centred(nb[head])]
    parts += [softmax(logits[other]) for other in order if other != head]
    return np.hstack(parts).astype(np.float32)


def apply_stacker(inputs: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``inputs @ w + b`` one input column at a time: a row's result then does not depend
    on which other rows share its batch (a BLAS product may sum in another order for
    another batch size), so a message scores the same alone or in a dump."""
    out = np.broadcast_to(np.asarray(b, dtype=np.float64), (inputs.shape[0], w.shape[1])).copy()
    for j in range(inputs.shape[1]):
        out += inputs[:, j:j + 1].astype(np.float64) * w[j]
    return out


def fit_stacker(inputs: np.ndarray, y: np.ndarray, folds: np.ndarray, first: np.ndarray, n_classes: int,
                score) -> dict | None:
    """The second stage for one head, or None when it does not beat the first stage.

    ``inputs`` and ``first`` (the first-stage out-of-fold logits) cover the labelled
    rows; ``score(y, pred)`` is the figure to beat. The penalty is chosen by
    cross-validation over the same folds; the cross-validated logits come back with the
    weights, for calibrating the temperature."""
    base = score(y, first.argmax(1))
    best = None
    x = sp.csr_matrix(inputs)
    for l2 in STACK_L2_GRID:
        cv = np.zeros((len(y), n_classes))
        for f in np.unique(folds):
            fit, held = folds != f, folds == f
            if len(np.unique(y[fit])) < n_classes:
                return None
            w, b = fit_softmax(x[fit], y[fit], n_classes, l2)
            cv[held] = inputs[held] @ w + b
        value = score(y, cv.argmax(1))
        if best is None or value > best[0] + 1e-9:
            best = (value, l2, cv)
    value, l2, cv = best
    if value <= base + 1e-9:
        return None
    w, b = fit_softmax(x, y, n_classes, l2)
    return {"w": w, "b": b, "l2": l2, "cv_logits": cv, "cv_score": value, "first_stage_score": base}
