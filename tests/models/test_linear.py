"""The linear heads: naive Bayes profiles and their mixing into the logistic weights."""
import numpy as np
import scipy.sparse as sp

from triage.models._linear import fit_naive_bayes, fit_softmax
from triage.models._model import TriageModel, macro_f1


def _toy(seed: int = 0, n: int = 300, d: int = 40, k: int = 3):
    """Counts whose class shows in a few columns of its own, plus shared noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    x = rng.poisson(0.3, (n, d)).astype(float)
    for c in range(k):
        x[y == c, c * 5:(c + 1) * 5] += rng.poisson(1.5, ((y == c).sum(), 5))
    return sp.csr_matrix(x), y


def test_naive_bayes_rows_are_log_distributions_and_match_counting():
    x, y = _toy()
    logp = fit_naive_bayes(x, y, 3, alpha=1.0)
    assert logp.shape == (x.shape[1], 3)
    assert np.allclose(np.exp(logp).sum(axis=0), 1.0)
    dense = x.toarray()
    for c in range(3):
        profile = dense[y == c].mean(axis=0) + 1.0 / x.shape[1]
        assert np.allclose(logp[:, c], np.log(profile / profile.sum()))


def test_naive_bayes_leaves_columns_past_the_limit_at_zero():
    x, y = _toy()
    x = sp.hstack([x, sp.csr_matrix(-np.ones((x.shape[0], 4)))], format="csr")  # e.g. sentence vectors
    logp = fit_naive_bayes(x, y, 3, alpha=0.1, columns=x.shape[1] - 4)
    assert np.all(logp[-4:] == 0.0)
    assert np.all(np.isfinite(logp))
    assert np.allclose(np.exp(logp[:-4]).sum(axis=0), 1.0)


def test_naive_bayes_alone_separates_the_toy_classes():
    x, y = _toy(seed=1)
    xt, yt = _toy(seed=2)
    logp = fit_naive_bayes(x, y, 3, alpha=1.0)
    assert np.mean(np.asarray(xt @ logp).argmax(1) == yt) > 0.9


def test_weight_zero_is_chosen_when_naive_bayes_does_not_help_on_dev():
    x, y = _toy(seed=3)
    tr = np.arange(len(y)) % 4 != 0
    w, b = fit_softmax(x[tr], y[tr], 3, 1e-4)
    logits = np.asarray(x[~tr] @ w) + b
    # dev labels that the logistic regression gets exactly right: no mix can do better
    y_dev = y.copy()
    y_dev[~tr] = logits.argmax(1)
    score, alpha, mix, mixed = TriageModel._choose_naive_bayes(x, y_dev, tr, ~tr, 3, logits, x.shape[1])
    assert score == 1.0 and mix == 0.0 and alpha == 0.0
    assert np.array_equal(mixed, logits)


def test_chosen_mix_never_scores_below_the_logistic_regression_on_dev():
    x, y = _toy(seed=4, n=200)
    tr = np.arange(len(y)) % 3 != 0
    w, b = fit_softmax(x[tr], y[tr], 3, 1e-2)
    logits = np.asarray(x[~tr] @ w) + b
    score, alpha, mix, mixed = TriageModel._choose_naive_bayes(x, y, tr, ~tr, 3, logits, x.shape[1])
    assert score == macro_f1(y[~tr], mixed.argmax(1), 3) >= macro_f1(y[~tr], logits.argmax(1), 3)
    if mix:
        expected = logits + mix * np.asarray(x[~tr] @ fit_naive_bayes(x[tr], y[tr], 3, alpha))
        assert np.allclose(mixed, expected)
