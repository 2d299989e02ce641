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
CASCADE_CONFIDENT = 0.99


def _is_latin(ch: str) -> bool:
    o = ord(ch)
    return o < 0x250 or 0x1E00 <= o <= 0x1EFF


def script_screen(text: str) -> tuple[bool, float]:
    """(has language, share of Latin letters) of a text, from its letters alone."""
    letters = [c for c in text[:DETECT_CHARS] if c.isalpha()]
    if len(letters) < MIN_LETTERS:
        return False, 0.0
    return True, sum(map(_is_latin, letters)) / len(letters)


class _Backend:
    """A detector gives a probability for each candidate language (rows x languages)."""

    languages: tuple[str, ...]

    def scores(self, texts: Sequence[str]) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def detect(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
        s = self.scores(texts)
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

    def scores(self, texts: Sequence[str]) -> np.ndarray:
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

    def scores(self, texts: Sequence[str]) -> np.ndarray:
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

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        from ._text import fold

        raw = self._model.scores([fold(t) for t in texts])
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

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """The in-domain model answers alone where it is at least ``confident``; the
        other detectors are asked only about the rest (the slow part)."""
        w_lingua, w_langid, w_own = self.WEIGHTS
        out = self._in_domain.scores(texts)
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

    def scores(self, texts: Sequence[str]) -> np.ndarray:
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
    reads = ("prepared_text",)
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

    def detect(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Codes and confidences for raw strings (the pure core of the stage)."""
        n = len(texts)
        codes = np.full(n, UNDETERMINED, dtype=object)
        conf = np.ones(n, dtype=float)
        todo = []
        for i, text in enumerate(texts):
            has_language, latin = script_screen(text)
            if not has_language:
                continue
            if self._all_latin and latin < 0.5:
                conf[i] = 1.0 - latin  # another script than any candidate's
                continue
            todo.append(i)
        if todo:
            found, found_conf = self._get_detector().detect([texts[i][:DETECT_CHARS] for i in todo])
            idx = np.asarray(todo)
            codes[idx] = [self._merges.get(c, c) for c in found]
            conf[idx] = found_conf
        return codes, np.round(conf, 4)

    def predict(self, batch: Batch) -> Mapping[str, np.ndarray]:
        codes, conf = self.detect(batch["prepared_text"])
        return {"language": codes, "language_confidence": conf}
