"""Multinomial logistic regression (L2, class-balanced) trained with L-BFGS, a
class-balanced multinomial naive Bayes on the same columns, and temperature scaling so
that the probabilities are calibrated on held-out data."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_softmax(x: sp.csr_matrix, y: np.ndarray, n_classes: int, l2: float,
                max_iter: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """Weights (features x classes) and biases; deterministic for the same input."""
    n, d = x.shape
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    sw = (n / (n_classes * np.maximum(counts, 1)))[y]
    sw /= sw.sum()
    onehot = np.zeros((n, n_classes))
    onehot[np.arange(n), y] = 1.0
    xt = x.T.tocsr()

    def loss_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w = theta[: d * n_classes].reshape(d, n_classes)
        b = theta[d * n_classes:]
        z = np.asarray(x @ w) + b
        zmax = z.max(axis=1, keepdims=True)
        logsum = np.log(np.exp(z - zmax).sum(axis=1, keepdims=True)) + zmax
        loss = float(-(sw * (z * onehot).sum(axis=1)).sum() + (sw * logsum.ravel()).sum())
        loss += 0.5 * l2 * float((w * w).sum())
        p = np.exp(z - logsum)
        r = (p - onehot) * sw[:, None]
        gw = np.asarray(xt @ r) + l2 * w
        gb = r.sum(axis=0)
        return loss, np.concatenate([gw.ravel(), gb])

    theta0 = np.zeros(d * n_classes + n_classes)
    res = minimize(loss_grad, theta0, jac=True, method="L-BFGS-B",
                   options={"maxiter": max_iter, "gtol": 1e-6})
    w = res.x[: d * n_classes].reshape(d, n_classes).astype(np.float32)
    b = res.x[d * n_classes:].astype(np.float32)
    return w, b


def class_means(x: sp.csr_matrix, y: np.ndarray, n_classes: int, columns: int | None = None) -> np.ndarray:
    """The mean row of each class (features x classes) over the first ``columns``
    columns, the rest 0: what :func:`naive_bayes_log_probs` smooths."""
    d = x.shape[1] if columns is None else columns
    part = sp.csr_matrix(x)[:, :d]
    means = []
    for c in range(n_classes):
        rows = part[y == c]
        means.append(np.asarray(rows.mean(axis=0)).ravel() if rows.shape[0] else np.zeros(d, dtype=part.dtype))
    # kept in the data's dtype (float32 features give float32 means), as the smoothing is
    out = np.zeros((x.shape[1], n_classes), dtype=np.result_type(*means))
    out[:d] = np.column_stack(means)
    return out


def naive_bayes_log_probs(means: np.ndarray, alpha: float, columns: int | None = None) -> np.ndarray:
    """Log feature probabilities per class from :func:`class_means`, smoothed with
    ``alpha`` spread over the first ``columns`` columns (the rest stay 0)."""
    d = means.shape[0] if columns is None else columns
    out = np.zeros(means.shape)
    for c in range(means.shape[1]):
        profile = np.maximum(means[:d, c], 0.0) + alpha / d
        out[:d, c] = np.log(profile / profile.sum())
    return out


def fit_naive_bayes(x: sp.csr_matrix, y: np.ndarray, n_classes: int, alpha: float,
                    columns: int | None = None) -> np.ndarray:
    """Log feature probabilities per class (features x classes) of a multinomial naive
    Bayes whose class profiles are the mean rows of each class (so every class weighs
    alike), smoothed with ``alpha`` spread over the columns. Only the first ``columns``
    columns take part (the rest get 0): naive Bayes needs non-negative features.

    Why: on messages by writers the model never saw, these profiles generalize better than
    the discriminative weights alone, which also learn each writer's habits; the two are
    added (``w + m * log_probs``), so prediction costs nothing more."""
    return naive_bayes_log_probs(class_means(x, y, n_classes, columns), alpha, columns)


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature that minimizes held-out negative log-likelihood."""
    grid = np.exp(np.linspace(np.log(0.05), np.log(20.0), 200))
    best, best_t = np.inf, 1.0
    for t in grid:
        p = softmax(logits / t)
        nll = -np.log(np.clip(p[np.arange(len(y)), y], 1e-12, None)).mean()
        if nll < best:
            best, best_t = nll, float(t)
    return best_t
