"""TriageModel: one featurization, one calibrated linear head per label (topic, urgency,
sentiment, or a user's own label set), saved without pickle."""
from __future__ import annotations

import zlib
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from .._concepts import ConceptMatcher, lexicon_digest
from .._cues import LEVELS, CueMatcher
from .._errors import ConfigError
from .._version import __version__
from ._artifacts import load_arrays, read_manifest, save_arrays, write_manifest
from ._featurizer import SHAPE_FEATURES, Featurizer, shape_features
from ._linear import class_means, fit_naive_bayes, fit_softmax, fit_temperature, naive_bayes_log_probs, softmax
from ._stacking import apply_stacker, assign_folds, fit_stacker, stack_inputs

FORMAT = "triage-model"
FORMAT_VERSION = 1
WEIGHTS = "weights.npz"
L2_GRID = (1e-6, 3e-6, 1e-5, 3e-5, 1e-4)
#: Naive Bayes smoothing and the weight of its log-probabilities next to the logistic
#: regression's logits; both chosen per head on the dev split (a weight of 0 drops it).
NB_ALPHA_GRID = (0.1, 1.0, 10.0)
NB_MIX_GRID = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)
#: Naive Bayes smoothing for the second stage's inputs where the first stage uses none.
STACK_NB_ALPHA = 1.0
#: A cue category becomes an urgency floor when at least this share of the training
#: messages where it fires are at least as urgent as its level.
CUE_FLOOR_PRECISION = 0.8
CUE_FLOOR_MIN_SUPPORT = 5
#: Weight of the concept block next to the word and character blocks (each L2 = 1).
CONCEPT_WEIGHT = 1.0
#: Weight of the optional sentence-embedding block (rows are unit vectors).
DENSE_WEIGHT = 1.0


def missing_encoder_message(what: str, dense: dict) -> str:
    """The error for a model trained with sentence vectors but run without its encoder."""
    return (f"{what} was trained with {dense['dim']}-dimensional sentence embeddings from {dense['encoder']!r}; "
            "give that model's folder (Triager(embeddings=PATH), or --embeddings PATH on the command line)")


def is_dev(ids: Sequence, fraction: int = 10) -> np.ndarray:
    """Deterministic dev split by a hash of the id (1 in ``fraction``)."""
    return np.array([zlib.crc32(str(i).encode("utf-8")) % fraction == 0 for i in ids])


def macro_f1(y: np.ndarray, pred: np.ndarray, n_classes: int) -> float:
    f1s = []
    for c in range(n_classes):
        tp = np.sum((pred == c) & (y == c))
        fp = np.sum((pred == c) & (y != c))
        fn = np.sum((pred != c) & (y == c))
        if tp + fp + fn:
            f1s.append(2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1s)) if f1s else 0.0


class TriageModel:
    """Fitted state ends in ``_``; the constructor only stores configuration."""

    def __init__(self, featurizer: Featurizer | None = None, l2_grid: Sequence[float] = L2_GRID) -> None:
        self.featurizer = featurizer or Featurizer()
        self.l2_grid = tuple(l2_grid)

    # -- features ---------------------------------------------------------------------
    def _extra_parts(self, prepared: Sequence[str], folded: Sequence[str], languages: Sequence[str], stats=None,
                     concepts=None):
        """Dense cue and shape features, sparse concept features (L2-normalized), and
        the cue hits and fired categories."""
        hits, fired = self._cues().match(folded, languages)
        dense = np.hstack([np.log1p(hits), shape_features(prepared, stats)]).astype(np.float32)
        concepts = self._concepts().counts(folded) if concepts is None else concepts.copy()
        concepts.data = np.log1p(concepts.data)
        norms = np.sqrt(np.asarray(concepts.multiply(concepts).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        concepts = sp.csr_matrix(concepts.multiply((CONCEPT_WEIGHT / norms)[:, None]))
        return dense, concepts, hits, fired

    def _extra(self, prepared: Sequence[str], folded: Sequence[str], languages: Sequence[str], stats=None,
               concepts=None, embeddings=None):
        """The extra columns as one matrix (training), with the cue hits and fired categories;
        ``embeddings`` (rows x dim sentence vectors) are appended when given."""
        dense, concepts, hits, fired = self._extra_parts(prepared, folded, languages, stats, concepts)
        blocks = [sp.csr_matrix(dense), concepts]
        if embeddings is not None:
            blocks.append(sp.csr_matrix(DENSE_WEIGHT * np.asarray(embeddings, dtype=np.float32)))
        return sp.hstack(blocks, format="csr"), hits, fired

    @property
    def embedding_dim(self) -> int:
        """Size of the sentence vectors the model was trained with (0: none)."""
        return int((getattr(self, "dense_", None) or {}).get("dim", 0))

    def _concepts(self) -> ConceptMatcher:
        if getattr(self, "_concept_matcher", None) is None:
            self._concept_matcher = ConceptMatcher()
        return self._concept_matcher

    def _cues(self) -> CueMatcher:
        if getattr(self, "_cue_matcher", None) is None:
            self._cue_matcher = CueMatcher()
        return self._cue_matcher

    # -- training ---------------------------------------------------------------------
    def fit(self, prepared: Sequence[str], folded: Sequence[str], languages: Sequence[str],
            labels: Mapping[str, Sequence[str]], ids: Sequence, log=None, embeddings=None,
            encoder_name: str | None = None, groups: Sequence | None = None) -> dict:
        """Fit every head; returns dev-set and second-stage figures. Labels of None are
        skipped per head.
        ``embeddings``: optional sentence vectors of ``prepared`` (unit rows), from the
        encoder named ``encoder_name``; predicting then needs the same encoder.
        ``groups`` (a writer or source file per row) keeps each group in one fold when
        the second stage is fitted on out-of-fold logits."""
        say = log or (lambda *_: None)
        self.dense_ = None if embeddings is None else {"dim": int(np.asarray(embeddings).shape[1]),
                                                       "encoder": encoder_name or "unknown"}
        dev = is_dev(ids)
        if dev.all() or not dev.any():
            dev = np.zeros(len(ids), dtype=bool)
            dev[::10] = True
        raw = self.featurizer.raw(folded)
        self.featurizer.fit(raw[np.flatnonzero(~dev)])
        extra, hits, _ = self._extra(prepared, folded, languages, embeddings=embeddings)
        x_all = self.featurizer.transform(raw, extra)
        self.cue_categories_ = list(self._cues().categories)
        nb_columns = x_all.shape[1] - self.embedding_dim  # sentence vectors can be negative
        self.heads_: dict[str, dict] = {}
        self._w_all = None
        report: dict = {}
        targets: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for head, raw in labels.items():
            raw = np.asarray(raw, dtype=object)
            has = np.array([v is not None and v == v and str(v) != "" for v in raw])
            names = sorted({str(v) for v in raw[has]})
            if head == "urgency" and set(names) <= set(LEVELS):
                names = [lv for lv in LEVELS if lv in names]
            if head == "sentiment" and set(names) <= {"negative", "neutral", "positive"}:
                names = [s for s in ("negative", "neutral", "positive") if s in names]
            if len(names) < 2:
                raise ConfigError(f"label {head!r} needs at least two distinct values, found {names}")
            index = {n: i for i, n in enumerate(names)}
            y = np.array([index[str(v)] if h else -1 for v, h in zip(raw, has)])
            tr, dv = has & ~dev, has & dev
            best = None
            for l2 in self.l2_grid:
                w, b = fit_softmax(x_all[tr], y[tr], len(names), l2)
                logits = np.asarray(x_all[dv] @ w) + b
                score = macro_f1(y[dv], logits.argmax(1), len(names))
                say(f"  {head}: l2={l2:g} dev macro-F1={score:.3f}")
                if best is None or score > best[0] + 1e-9:
                    best = (score, l2, logits)
            score, l2, logits = best
            score, alpha, mix, logits = self._choose_naive_bayes(x_all, y, tr, dv, len(names), logits, nb_columns)
            say(f"  {head}: naive Bayes alpha={alpha:g} weight={mix:g} dev macro-F1={score:.3f}")
            temperature = fit_temperature(logits, y[dv])
            w, b = fit_softmax(x_all[has], y[has], len(names), l2)
            nb = fit_naive_bayes(x_all[has], y[has], len(names), alpha or STACK_NB_ALPHA, nb_columns)
            if mix:
                w = (w + mix * nb).astype(np.float32)
            self.heads_[head] = {"labels": names, "w": w, "b": b, "temperature": temperature, "l2": l2,
                                 "nb_alpha": alpha, "nb_weight": mix, "nb": nb.astype(np.float32)}
            targets[head] = (y, has)
            report[head] = {"dev_macro_f1": round(score, 4), "l2": l2, "nb_alpha": alpha, "nb_weight": mix,
                            "temperature": round(temperature, 3), "n_train": int(tr.sum()), "n_dev": int(dv.sum())}
        self._fit_second_stage(x_all, targets, assign_folds(ids, groups), nb_columns, say, report)
        self.cue_floors_ = self._choose_cue_floors(hits, labels.get("urgency"))
        report["cue_floors"] = self.cue_floors_
        return report

    def _fit_second_stage(self, x, targets, folds, nb_columns, say, report) -> None:
        """Out-of-fold first-stage logits of every head, then a second stage per head
        where it beats the first on them (see ``_stacking``); heads without one drop
        their naive Bayes weights, which only the second stage reads."""
        order = list(self.heads_)
        first = {h: np.zeros((x.shape[0], len(self.heads_[h]["labels"]))) for h in order}
        nb = {h: np.zeros_like(first[h]) for h in order}
        for f in np.unique(folds):
            held = folds == f
            for head in order:
                y, has = targets[head]
                h, fit = self.heads_[head], has & ~held
                w, b = fit_softmax(x[fit], y[fit], len(h["labels"]), h["l2"])
                nb[head][held] = np.asarray(x[held] @ fit_naive_bayes(
                    x[fit], y[fit], len(h["labels"]), h["nb_alpha"] or STACK_NB_ALPHA, nb_columns))
                first[head][held] = np.asarray(x[held] @ w) + b + h["nb_weight"] * nb[head][held]
            say(f"  second stage: out-of-fold logits of fold {f + 1} of {len(np.unique(folds))}")
        for head in order:
            y, has = targets[head]
            h, k = self.heads_[head], len(self.heads_[head]["labels"])
            inputs = stack_inputs(head, first, nb, order)[has]
            stack = fit_stacker(inputs, y[has], folds[has], first[head][has], k,
                                lambda gold, pred, k=k: macro_f1(gold, pred, k))
            if stack is None:
                say(f"  {head}: second stage does not beat the first on out-of-fold logits; not used")
                del h["nb"]
                report[head]["second_stage"] = None
                continue
            h["stack"] = {"w": stack["w"], "b": stack["b"], "l2": stack["l2"], "inputs": order}
            h["temperature"] = fit_temperature(stack["cv_logits"], y[has])
            say(f"  {head}: second stage l2={stack['l2']:g} out-of-fold macro-F1 "
                f"{stack['first_stage_score']:.3f} -> {stack['cv_score']:.3f}")
            report[head]["second_stage"] = {"l2": stack["l2"], "oof_macro_f1_first": round(stack["first_stage_score"], 4),
                                            "oof_macro_f1": round(stack["cv_score"], 4),
                                            "temperature": round(h["temperature"], 3)}

    @staticmethod
    def _choose_naive_bayes(x, y, tr, dv, n_classes, logits, columns):
        """The naive Bayes smoothing and weight that give the best dev macro-F1 when added
        to the logistic regression's dev ``logits`` (weight 0 keeps them as they are)."""
        best = (macro_f1(y[dv], logits.argmax(1), n_classes), 0.0, 0.0, logits)
        means, x_dev = class_means(x[tr], y[tr], n_classes, columns), x[dv]
        for alpha in NB_ALPHA_GRID:
            nb_dev = np.asarray(x_dev @ naive_bayes_log_probs(means, alpha, columns))
            for mix in NB_MIX_GRID[1:]:
                mixed = logits + mix * nb_dev
                score = macro_f1(y[dv], mixed.argmax(1), n_classes)
                if score > best[0] + 1e-9:
                    best = (score, alpha, mix, mixed)
        return best

    def _choose_cue_floors(self, hits: np.ndarray, urgency) -> list[str]:
        if urgency is None or "urgency" not in self.heads_ or self.heads_["urgency"]["labels"] != list(LEVELS):
            return []
        level = np.array([LEVELS.index(u) if u in LEVELS else -1 for u in urgency])
        floors = []
        matcher = self._cues()
        for j, cat in enumerate(self.cue_categories_):
            fired = (hits[:, j] > 0) & (level >= 0)
            if fired.sum() < CUE_FLOOR_MIN_SUPPORT:
                continue
            precision = float(np.mean(level[fired] >= matcher.levels[cat]))
            if precision >= CUE_FLOOR_PRECISION:
                floors.append(cat)
        return floors

    # -- prediction -------------------------------------------------------------------
    def predict(self, prepared: Sequence[str], folded: Sequence[str], languages: Sequence[str], stats=None,
                raw=None, concepts=None, embeddings=None):
        """Calibrated probabilities per head and the urgency cues that fired per row;
        ``raw`` and ``concepts`` are the batch's shared counts when known; ``embeddings``
        the sentence vectors of ``prepared`` when the model was trained with them."""
        dim = self.embedding_dim
        if dim and embeddings is None:
            raise ConfigError(missing_encoder_message("this model", self.dense_))
        if dim and np.asarray(embeddings).shape[1] != dim:
            raise ConfigError(f"this model needs {dim}-dimensional sentence embeddings from "
                              f"{self.dense_['encoder']!r}, the encoder given makes "
                              f"{np.asarray(embeddings).shape[1]}-dimensional ones")
        dense, concepts, _, fired = self._extra_parts(prepared, folded, languages, stats, concepts)
        x = self.featurizer.transform(raw if raw is not None else folded)
        stacked = [head for head, h in self.heads_.items() if "stack" in h]
        if getattr(self, "_w_all", None) is None:  # one product for every head and stage
            self._w_all = np.hstack([h["w"] for h in self.heads_.values()]
                                    + [self.heads_[head]["nb"] for head in stacked]).astype(np.float32)
        # the three column blocks times their rows of the weights: no stacked copy of x
        w, a, b = self._w_all, x.shape[1], x.shape[1] + dense.shape[1]
        c = b + concepts.shape[1]
        logits_all = np.asarray(x @ w[:a]) + dense @ w[a:b] + np.asarray(concepts @ w[b:c])
        if dim:
            logits_all += (DENSE_WEIGHT * np.asarray(embeddings, dtype=np.float32)) @ w[c:]
        first, nb, start = {}, {}, 0
        for head, h in self.heads_.items():
            k = h["w"].shape[1]
            first[head] = logits_all[:, start:start + k] + h["b"]
            start += k
        for head in stacked:
            k = self.heads_[head]["nb"].shape[1]
            nb[head] = logits_all[:, start:start + k]
            start += k
        probs = {}
        for head, h in self.heads_.items():
            logits = first[head]
            if "stack" in h:
                st = h["stack"]
                logits = apply_stacker(stack_inputs(head, first, nb, st["inputs"]), st["w"], st["b"])
            probs[head] = softmax(logits / h["temperature"]).astype(np.float32)
        return probs, fired

    def cue_floor(self, fired: list[list[str]]) -> np.ndarray:
        """Lowest urgency level each row must have from its cues (-1 when none)."""
        matcher = self._cues()
        floors = set(self.cue_floors_)
        return np.array([max((matcher.levels[c] for c in cats if c in floors), default=-1) for cats in fired])

    # -- files ------------------------------------------------------------------------
    def save(self, directory: str | Path, training: dict | None = None) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        arrays = {"vocab": self.featurizer.vocab_.astype(np.int32), "idf": self.featurizer.idf_}
        for head, h in self.heads_.items():
            arrays[f"{head}.w"] = h["w"].astype(np.float16)
            arrays[f"{head}.b"] = h["b"].astype(np.float32)
            if "stack" in h:
                arrays[f"{head}.nb"] = h["nb"].astype(np.float16)
                arrays[f"{head}.stack_w"] = h["stack"]["w"].astype(np.float32)
                arrays[f"{head}.stack_b"] = h["stack"]["b"].astype(np.float32)
        save_arrays(directory / WEIGHTS, arrays)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "triage_version": __version__,
            "featurizer": self.featurizer.config(),
            "extra_features": {"cues": self.cue_categories_, "shape": list(SHAPE_FEATURES),
                               "concepts": len(self._concepts()), "concepts_sha256": lexicon_digest()},
            "heads": {head: {"labels": h["labels"], "temperature": h["temperature"], "l2": h["l2"],
                             "nb_alpha": h.get("nb_alpha", 0.0), "nb_weight": h.get("nb_weight", 0.0),
                             **({"second_stage": {"l2": h["stack"]["l2"], "inputs": h["stack"]["inputs"]}}
                                if "stack" in h else {})}
                      for head, h in self.heads_.items()},
            "cue_floors": self.cue_floors_,
            **({"dense": self.dense_} if getattr(self, "dense_", None) else {}),
            "training": training or {},
            "files": {WEIGHTS: ""},
        }
        write_manifest(directory, manifest)

    @classmethod
    def read_manifest(cls, directory: str | Path) -> dict:
        return read_manifest(Path(directory), FORMAT, FORMAT_VERSION)

    @classmethod
    def load(cls, directory: str | Path) -> "TriageModel":
        directory = Path(directory)
        manifest = cls.read_manifest(directory)
        arrays = load_arrays(directory / WEIGHTS)
        cfg = manifest["featurizer"]
        model = cls(Featurizer.from_config(cfg))
        model.featurizer.set_state(arrays["vocab"], arrays["idf"])
        model.cue_categories_ = manifest["extra_features"]["cues"]
        if tuple(model.cue_categories_) != model._cues().categories:
            from .._errors import ModelIntegrityError

            raise ModelIntegrityError(
                f"{directory} was trained with urgency cue categories {model.cue_categories_}, "
                f"this triage has {list(model._cues().categories)}; retrain it with 'triage train'")
        extra = manifest["extra_features"]
        if extra.get("concepts_sha256") != lexicon_digest():
            from .._errors import ModelIntegrityError

            raise ModelIntegrityError(
                f"{directory} was trained with another concept lexicon than rules/concepts.json "
                "of this triage; retrain it with 'triage train'")
        model.heads_ = {}
        for head, meta in manifest["heads"].items():
            model.heads_[head] = {"labels": meta["labels"], "w": arrays[f"{head}.w"].astype(np.float32),
                                  "b": arrays[f"{head}.b"], "temperature": meta["temperature"],
                                  "l2": meta["l2"], "nb_alpha": meta.get("nb_alpha", 0.0),
                                  "nb_weight": meta.get("nb_weight", 0.0)}
            if "second_stage" in meta:
                model.heads_[head]["nb"] = arrays[f"{head}.nb"].astype(np.float32)
                model.heads_[head]["stack"] = {"w": arrays[f"{head}.stack_w"], "b": arrays[f"{head}.stack_b"],
                                               **meta["second_stage"]}
        missing = {i for h in model.heads_.values() for i in h.get("stack", {}).get("inputs", ())} - set(model.heads_)
        if missing:
            from .._errors import ModelIntegrityError

            raise ModelIntegrityError(f"{directory}: a second stage reads heads {sorted(missing)} that the model "
                                      "lacks; retrain it with 'triage train'")
        model.cue_floors_ = manifest.get("cue_floors", [])
        model.dense_ = manifest.get("dense")
        return model
