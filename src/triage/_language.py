"""Language identification stage and the detector back-ends it can use.

The default back-end was chosen by measurement (see benchmarks/language/): a weighted
mean of lingua, py3langid and a model trained on the corpora, restricted to the
deployment's languages. The candidate set is configuration:
a deployment that serves Bosnian or Serbian lists ``bs``/``sr``; otherwise
Croatian-Bosnian-Serbian Latin text is reported as ``hr`` (taxonomy.md).
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from ._batch import Batch
from ._errors import ConfigError, MissingExtraError

DEFAULT_LANGUAGES = ("en", "de", "fr", "es", "it", "pl", "cs", "sk", "sl", "hr", "et")
UNDETERMINED = "und"
#: Only this many characters are looked at: enough for a sure answer, bounded time.
DETECT_CHARS = 600
#: Text with fewer letters than this holds no language we can name.
MIN_LETTERS = 2
#: Macro-language merges applied unless the deployment lists the merged code itself.
MERGES = {"bs": "hr", "sr": "hr"}
#: The ensemble trusts the in-domain model alone at or above this probability.
CASCADE_CONFIDENT = 0.9


class _Backend:
    """A detector gives a probability for each candidate language (rows x languages)."""

    languages: tuple[str, ...]

    def scores(self, texts: Sequence[str], folded: Sequence[str] | None = None, raw=None) -> np.ndarray:
        raise NotImplementedError  # pragma: no cover - interface

    def detect(self, texts: Sequence[str], folded: Sequence[str] | None = None,
               raw=None) -> tuple[list[str], np.ndarray]:
        s = self.scores(texts, folded, raw)
        best = s.argmax(axis=1)
        codes = [self.languages[j] if s[i, j] > 0 else UNDETERMINED for i, j in enumerate(best)]
        return codes, s[np.arange(len(texts)), best]


class LinguaBackend(_Backend):
    """lingua-language-detector restricted to the candidate languages."""

    def __init__(self, languages: Sequence[str], low_accuracy: bool = False) -> None:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        self.languages = tuple(languages)
        langs = []
        for code in self.languages:
            try:
                langs.append(Language.from_iso_code_639_1(IsoCode639_1.from_str(code)))
            except (ValueError, AttributeError) as exc:
                raise ConfigError(f"language {code!r} is not supported by lingua") from exc
        if len(langs) < 2:
            raise ConfigError("language detection needs at least two candidate languages")
        builder = LanguageDetectorBuilder.from_languages(*langs)
        if low_accuracy:
            builder = builder.with_low_accuracy_mode()
        self._detector = builder.build()
        self._index = {lang: self.languages.index(lang.iso_code_639_1.name.lower()) for lang in langs}

    def scores(self, texts: Sequence[str], folded: Sequence[str] | None = None, raw=None) -> np.ndarray:
        out = np.zeros((len(texts), len(self.languages)))
        for i, values in enumerate(self._detector.compute_language_confidence_values_in_parallel(list(texts))):
            for v in values:
                out[i, self._index[v.language]] = v.value
        return out


class Py3LangidBackend(_Backend):
    """py3langid (naive Bayes over byte n-grams) restricted to the candidates."""

    def __init__(self, languages: Sequence[str]) -> None:
        from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier as _Ident

        self.languages = tuple(languages)
        self._ident = _Ident.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
        unknown = set(self.languages) - set(self._ident.nb_classes)
        if unknown:
            raise ConfigError(f"languages {sorted(unknown)} are not supported by py3langid")
        self._ident.set_languages(list(self.languages))
        self._index = {c: i for i, c in enumerate(self.languages)}

    def scores(self, texts: Sequence[str], folded: Sequence[str] | None = None, raw=None) -> np.ndarray:
        out = np.zeros((len(texts), len(self.languages)))
        for i, text in enumerate(texts):
            for code, p in self._ident.rank(text):
                out[i, self._index[code]] = p
        return out


def default_language_model_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent / "models" / "language"


class InDomainBackend(_Backend):
    """The language model trained on the project's corpora (models/language/)."""

    def __init__(self, languages: Sequence[str], model_dir=None) -> None:
        from .models._language_model import LanguageModel

        self.languages = tuple(languages)
        self._model = LanguageModel.load(model_dir or default_language_model_dir())
        self._cols = [(i, self._model.languages_.index(c)) for i, c in enumerate(self.languages)
                      if c in self._model.languages_]

    def scores(self, texts: Sequence[str], folded: Sequence[str] | None = None, raw=None) -> np.ndarray:
        from ._text import fold

        if raw is None:
            raw = list(folded) if folded is not None else [fold(t) for t in texts]
        raw = self._model.scores(raw)
        out = np.zeros((len(texts), len(self.languages)))
        for i, j in self._cols:
            out[:, i] = raw[:, j]
        total = out.sum(axis=1, keepdims=True)
        return np.divide(out, total, out=np.zeros_like(out), where=total > 0)


class EnsembleBackend(_Backend):
    """Weighted mean of three detectors' probabilities: lingua (best general detector on
    short text), py3langid (better on Czech and Slovak without diacritics) and the
    in-domain model trained on the corpora. Weights from benchmarks/language/."""

    WEIGHTS = (0.2, 0.3, 0.5)

    def __init__(self, languages: Sequence[str], confident: float = 1.0) -> None:
        self.languages = tuple(languages)
        self.confident = confident
        self._lingua = LinguaBackend(languages)
        self._langid = Py3LangidBackend(languages)
        self._in_domain = InDomainBackend(languages)

    def scores(self, texts: Sequence[str], folded: Sequence[str] | None = None, raw=None) -> np.ndarray:
        """The in-domain model answers alone where it is at least ``confident``; the
        other detectors are asked only about the rest (the slow part)."""
        w_lingua, w_langid, w_own = self.WEIGHTS
        out = self._in_domain.scores(texts, folded, raw)
        ask = np.flatnonzero(out.max(axis=1) < self.confident)
        if ask.size:
            sub = [texts[i] for i in ask]
            out[ask] = (w_own * out[ask] + w_lingua * self._lingua.scores(sub)
                        + w_langid * self._langid.scores(sub))
        return out


class LangdetectBackend(_Backend):
    """langdetect (seeded), probabilities of the candidate languages only."""

    def __init__(self, languages: Sequence[str], seed: int = 0) -> None:
        try:
            from langdetect.detector_factory import init_factory
        except ImportError as exc:
            raise MissingExtraError("langdetect", "bench", "the langdetect back-end") from exc
        init_factory()
        from langdetect import detector_factory

        self._factory = detector_factory._factory
        self.languages = tuple(languages)
        self._index = {c: i for i, c in enumerate(self.languages)}
        self._seed = seed

    def scores(self, texts: Sequence[str], folded: Sequence[str] | None = None, raw=None) -> np.ndarray:
        from langdetect.lang_detect_exception import LangDetectException

        out = np.zeros((len(texts), len(self.languages)))
        for i, text in enumerate(texts):
            det = self._factory.create()
            det.seed = self._seed
            det.append(text)
            try:
                for p in det.get_probabilities():
                    if p.lang in self._index:
                        out[i, self._index[p.lang]] = p.prob
            except LangDetectException:
                pass
        return out


BACKENDS = {
    "ensemble": lambda langs: EnsembleBackend(langs, confident=CASCADE_CONFIDENT),
    "ensemble-full": EnsembleBackend,
    "in-domain": InDomainBackend,
    "lingua": LinguaBackend,
    "lingua-low": lambda langs: LinguaBackend(langs, low_accuracy=True),
    "py3langid": Py3LangidBackend,
    "langdetect": LangdetectBackend,
}


class LanguageIdentifier:
    """Stage: writes ``language`` (ISO 639-1 or ``und``) and ``language_confidence``."""

    name = "language"
    reads = ("prepared_text", "folded_text", "char_stats", "ngram_counts")
    writes = ("language", "language_confidence")
    output_keys = ("language", "language_confidence")

    def __init__(self, languages: Sequence[str] = DEFAULT_LANGUAGES, backend: str = "ensemble") -> None:
        if backend not in BACKENDS:
            raise ConfigError(f"unknown language backend {backend!r}; choose one of {sorted(BACKENDS)}")
        self.languages = tuple(dict.fromkeys(languages))
        self.backend = backend
        self._merges = {k: v for k, v in MERGES.items() if k not in self.languages and v in self.languages}
        self._all_latin = all(c not in {"sr", "ru", "uk", "bg", "mk", "el", "ar", "he", "zh", "ja", "ko"}
                              for c in self.languages)
        self._detector = None

    def _get_detector(self):
        if self._detector is None:
            self._detector = BACKENDS[self.backend](self.languages)
        return self._detector

    def detect(self, texts: Sequence[str], folded: Sequence[str] | None = None,
               stats: np.ndarray | None = None, raw=None) -> tuple[np.ndarray, np.ndarray]:
        """Codes and confidences for prepared texts (the pure core of the stage);
        ``folded`` and ``stats`` are the batch's folded text and char_stats when known."""
        from ._text import char_stats, fold

        n = len(texts)
        codes = np.full(n, UNDETERMINED, dtype=object)
        conf = np.ones(n, dtype=float)
        if n == 0:
            return codes, conf
        stats = char_stats(texts) if stats is None else stats
        letters, latin = stats[:, 0], stats[:, 1]
        has_language = letters >= MIN_LETTERS
        latin_share = np.divide(latin, letters, out=np.zeros(n), where=letters > 0)
        other_script = has_language & (latin_share < 0.5) if self._all_latin else np.zeros(n, dtype=bool)
        conf[other_script] = 1.0 - latin_share[other_script]  # another script than any candidate's
        todo = np.flatnonzero(has_language & ~other_script)
        if todo.size:
            sub = [texts[i][:DETECT_CHARS] for i in todo]
            sub_folded = [folded[i][:DETECT_CHARS] for i in todo] if folded is not None else [fold(t) for t in sub]
            sub_raw = None if raw is None else raw if todo.size == n else raw[todo]  # no copy when all rows
            found, found_conf = self._get_detector().detect(sub, sub_folded, sub_raw)
            codes[todo] = [self._merges.get(c, c) for c in found]
            conf[todo] = found_conf
        return codes, np.round(conf, 4)

    def predict(self, batch: Batch) -> Mapping[str, np.ndarray]:
        codes, conf = self.detect(batch["prepared_text"], batch["folded_text"], batch["char_stats"],
                                  batch["ngram_counts"])
        return {"language": codes, "language_confidence": conf}
