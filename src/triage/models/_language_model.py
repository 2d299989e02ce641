"""An in-domain language identifier trained on the corpora: word and character
3-5-grams of the folded text, softmax over the languages. It knows how customers write (no diacritics,
English words mixed in) and settles cs/sk and hr/sl where general detectors hesitate."""
from __future__ import annotations

import random
from pathlib import Path
from typing import Sequence

import numpy as np

from .._errors import ModelIntegrityError
from .._version import __version__
from ._artifacts import load_arrays, read_manifest, save_arrays, write_manifest
from ._featurizer import Featurizer
from ._linear import fit_softmax, softmax

FORMAT = "triage-language-model"
FORMAT_VERSION = 1
WEIGHTS = "weights.npz"
L2 = 1e-5


def _snippets(texts: Sequence[str], labels: Sequence[str], seed: int, words: int = 5):
    rng = random.Random(seed)
    out_t, out_l = [], []
    for text, lang in zip(texts, labels):
        toks = text.split()
        if len(toks) > words:
            start = rng.randrange(len(toks) - words + 1)
            out_t.append(" ".join(toks[start:start + words]))
            out_l.append(lang)
    return out_t, out_l


class LanguageModel:
    """Fitted state ends in ``_``."""

    def __init__(self, featurizer: Featurizer | None = None, seed: int = 0) -> None:
        self.featurizer = featurizer or Featurizer(char_range=(3, 5))
        self.seed = seed

    def fit(self, folded: Sequence[str], languages: Sequence[str]) -> "LanguageModel":
        """Fit on whole messages plus two seeded 5-word snippets of each (short-text skill)."""
        texts, labels = list(folded), list(languages)
        for k in (1, 2):
            t, lab = _snippets(folded, languages, self.seed + k)
            texts += t
            labels += lab
        self.languages_ = sorted(set(labels))
        y = np.array([self.languages_.index(lab) for lab in labels])
        self.featurizer.fit(texts)
        self.w_, self.b_ = fit_softmax(self.featurizer.transform(texts), y, len(self.languages_), L2)
        return self

    def scores(self, folded: Sequence[str]) -> np.ndarray:
        x = self.featurizer.transform(folded)
        return softmax(np.asarray(x @ self.w_) + self.b_)

    def save(self, directory: str | Path, training: dict | None = None) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        save_arrays(directory / WEIGHTS, {"vocab": self.featurizer.vocab_.astype(np.int32),
                                          "idf": self.featurizer.idf_, "w": self.w_.astype(np.float16),
                                          "b": self.b_})
        write_manifest(directory, {"format": FORMAT, "format_version": FORMAT_VERSION,
                                   "triage_version": __version__, "featurizer": self.featurizer.config(),
                                   "languages": self.languages_, "training": training or {},
                                   "files": {WEIGHTS: ""}})

    @classmethod
    def load(cls, directory: str | Path) -> "LanguageModel":
        directory = Path(directory)
        manifest = read_manifest(directory, FORMAT, FORMAT_VERSION)
        arrays = load_arrays(directory / WEIGHTS)
        cfg = manifest["featurizer"]
        model = cls(Featurizer.from_config(cfg))
        model.featurizer.set_state(arrays["vocab"], arrays["idf"])
        model.languages_ = list(manifest["languages"])
        model.w_ = arrays["w"].astype(np.float32)
        model.b_ = arrays["b"]
        if model.w_.shape != (model.featurizer.n_features_, len(model.languages_)):
            raise ModelIntegrityError(f"{directory}: weights do not fit the vocabulary and languages")
        return model
