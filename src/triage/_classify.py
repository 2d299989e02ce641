"""Classification stage: sentiment, urgency (model + cue rules) and topic from one
featurization of the batch. Which keys it writes follows the model's heads."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np

from ._batch import Batch
from ._cues import LEVELS
from ._errors import ConfigError

HEADS = ("sentiment", "urgency", "topic")
_HEAD_KEYS = {
    "sentiment": ("sentiment", "sentiment_score"),
    "urgency": ("urgency", "urgency_score", "urgency_cues"),
    "topic": ("topic", "topic_confidence", "topic_proba"),
}


def default_model_dir() -> Path:
    return Path(__file__).resolve().parent / "models" / "default"


class Classifier:
    """Stage: reads prepared/folded text and language; writes each head's label and score."""

    name = "classify"
    reads = ("prepared_text", "folded_text", "language", "char_stats", "ngram_counts", "concept_counts")

    def __init__(self, model_dir: str | Path | None = None, encoder=None) -> None:
        from .models._model import TriageModel

        self.model_dir = Path(model_dir) if model_dir else default_model_dir()
        self.manifest = TriageModel.read_manifest(self.model_dir)
        dense = self.manifest.get("dense")
        if dense and encoder is None:
            from .models._model import missing_encoder_message

            raise ConfigError(missing_encoder_message(f"the model {self.model_dir}", dense))
        self.encoder = encoder if dense else None
        unknown = set(self.manifest["heads"]) - set(HEADS)
        if unknown:
            raise ConfigError(f"model heads {sorted(unknown)} are not among {list(HEADS)}")
        self.heads = tuple(h for h in HEADS if h in self.manifest["heads"])
        self.writes = tuple(k for h in self.heads for k in _HEAD_KEYS[h])
        self.output_keys = tuple(k for k in self.writes if k != "topic_proba")
        self._model = None

    @property
    def labels(self) -> dict[str, list[str]]:
        return {h: self.manifest["heads"][h]["labels"] for h in self.heads}

    def _get_model(self):
        if self._model is None:
            from .models._model import TriageModel

            self._model = TriageModel.load(self.model_dir)
        return self._model

    def predict(self, batch: Batch) -> Mapping[str, np.ndarray]:
        model = self._get_model()
        vectors = self.encoder.encode(list(batch["prepared_text"])) if self.encoder is not None else None
        probs, fired = model.predict(batch["prepared_text"], batch["folded_text"], batch["language"],
                                     batch["char_stats"], batch["ngram_counts"], batch["concept_counts"],
                                     embeddings=vectors)
        out: dict[str, np.ndarray] = {}
        for head in self.heads:
            p = probs[head]
            labels = np.array(model.heads_[head]["labels"], dtype=object)
            best = p.argmax(axis=1)
            if head == "sentiment":
                names = list(labels)
                if "positive" in names and "negative" in names:
                    score = p[:, names.index("positive")] - p[:, names.index("negative")]
                else:
                    score = p.max(axis=1)
                out["sentiment"] = labels[best]
                out["sentiment_score"] = np.round(score.astype(float), 4)
            elif head == "urgency":
                if list(labels) == list(LEVELS):
                    floor = model.cue_floor(fired)
                    level = np.maximum(best, floor)
                    score = np.maximum(p @ np.linspace(0.0, 1.0, 4), np.maximum(floor, 0) / 3.0)
                    out["urgency"] = labels[level]
                else:
                    out["urgency"] = labels[best]
                    score = p.max(axis=1)
                out["urgency_score"] = np.round(score.astype(float), 4)
                cues = np.empty(batch.n, dtype=object)
                cues[:] = fired
                out["urgency_cues"] = cues
            else:
                out["topic"] = labels[best]
                out["topic_confidence"] = np.round(p.max(axis=1).astype(float), 4)
                out["topic_proba"] = p
        return out
