"""Language identification stage and the detector back-ends it can use.

The default back-end was chosen by measurement (see benchmarks/language/): lingua,
restricted to the deployment's languages. The candidate set is configuration:
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


def _is_latin(ch: str) -> bool:
    o = ord(ch)
    return o < 0x250 or 0x1E00 <= o <= 0x1EFF


def script_screen(text: str) -> tuple[bool, float]:
    """(has language, share of Latin letters) of a text, from its letters alone."""
    letters = [c for c in text[:DETECT_CHARS] if c.isalpha()]
    if len(letters) < MIN_LETTERS:
        return False, 0.0
    return True, sum(map(_is_latin, letters)) / len(letters)


class LinguaBackend:
    """lingua-language-detector restricted to the candidate languages."""

    def __init__(self, languages: Sequence[str], low_accuracy: bool = False) -> None:
        try:
            from lingua import IsoCode639_1, Language, LanguageDetectorBuilder
        except ImportError as exc:  # pragma: no cover - a core dependency
            raise MissingExtraError("lingua-language-detector", "lingua", "language detection") from exc
        langs = []
        for code in languages:
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

    def detect(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
        ranked = self._detector.compute_language_confidence_values_in_parallel(list(texts))
        codes, conf = [], np.zeros(len(texts))
        for i, values in enumerate(ranked):
            if values:
                codes.append(values[0].language.iso_code_639_1.name.lower())
                conf[i] = values[0].value
            else:
                codes.append(UNDETERMINED)
        return codes, conf


class Py3LangidBackend:
    """py3langid (naive Bayes over byte n-grams) restricted to the candidates."""

    def __init__(self, languages: Sequence[str]) -> None:
        try:
            from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
        except ImportError as exc:
            raise MissingExtraError("py3langid", "bench", "the py3langid back-end") from exc
        self._ident = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
        self._ident.set_languages(list(languages))

    def detect(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
        out = [self._ident.classify(t) for t in texts]
        return [c for c, _ in out], np.array([p for _, p in out], dtype=float)


class LangdetectBackend:
    """langdetect (seeded), candidates enforced by picking the best allowed language."""

    def __init__(self, languages: Sequence[str], seed: int = 0) -> None:
        try:
            from langdetect.detector_factory import DetectorFactory, init_factory
        except ImportError as exc:
            raise MissingExtraError("langdetect", "bench", "the langdetect back-end") from exc
        init_factory()
        from langdetect import detector_factory

        self._factory: DetectorFactory = detector_factory._factory
        self._languages = set(languages)
        self._seed = seed

    def detect(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
        from langdetect.lang_detect_exception import LangDetectException

        codes, conf = [], np.zeros(len(texts))
        for i, text in enumerate(texts):
            det = self._factory.create()
            det.seed = self._seed
            det.append(text)
            try:
                probs = [p for p in det.get_probabilities() if p.lang in self._languages]
            except LangDetectException:
                probs = []
            if probs:
                codes.append(probs[0].lang)
                conf[i] = probs[0].prob
            else:
                codes.append(UNDETERMINED)
        return codes, conf


BACKENDS = {
    "lingua": lambda langs: LinguaBackend(langs),
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

    def __init__(self, languages: Sequence[str] = DEFAULT_LANGUAGES, backend: str = "lingua") -> None:
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
