"""Train on a small labelled set of the user's own taxonomy, predict it, evaluate it."""
import json

import pytest

import triage
from triage._cli import main

# A user's own two-intent taxonomy; written for this test.
CARD = ["my card was declined at the shop", "card not working at the terminal", "why was my card refused",
        "the payment card got blocked", "card declined online again", "my debit card stopped working",
        "terminal says card invalid", "card refused at the petrol station", "card payment failed twice",
        "new card does not work", "card rejected when paying rent", "visa card declined abroad",
        "card blocked after pin entry", "contactless card declined", "card declined on amazon",
        "my card keeps getting declined", "shop refused my card", "card error at checkout",
        "declined card at supermarket", "the card won't go through"]
TRANSFER = ["my transfer has not arrived", "money sent yesterday still pending", "bank transfer is missing",
            "sepa transfer not received", "where is my wire transfer", "transfer to my friend failed",
            "the transfer is stuck in processing", "incoming transfer not credited", "transfer still not showing",
            "sent money but recipient got nothing", "international transfer delayed", "transfer pending for days",
            "my salary transfer is missing", "transfer returned to sender", "how long does a transfer take",
            "transfer to savings not done", "payment transfer disappeared", "transfer status unknown",
            "friend did not receive my transfer", "instant transfer took hours"]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("m")
    data = d / "train.jsonl"
    with data.open("w") as f:
        for i, t in enumerate(CARD + TRANSFER):
            f.write(json.dumps({"id": i, "text": t, "topic": "card" if i < len(CARD) else "transfer"}) + "\n")
    assert main(["train", str(data), "-o", str(d / "model"), "--label", "topic", "-q"]) == 0
    return d / "model"


def test_own_taxonomy_is_predicted(model_dir):
    t = triage.Triager(model=str(model_dir))
    rs = t.triage_batch(["the card was declined in the store", "I am still waiting for the transfer I sent"])
    assert [r.topic for r in rs] == ["card", "transfer"]
    assert "sentiment" not in rs[0].to_dict() and "urgency" not in rs[0].to_dict()


def test_training_is_byte_reproducible(model_dir, tmp_path):
    data = model_dir.parent / "train.jsonl"
    assert main(["train", str(data), "-o", str(tmp_path / "again"), "--label", "topic", "-q"]) == 0
    for name in ("weights.npz", "manifest.json"):
        assert (tmp_path / "again" / name).read_bytes() == (model_dir / name).read_bytes()


def test_eval_prints_scores_and_confusion(model_dir, tmp_path, capsys):
    test = tmp_path / "test.jsonl"
    test.write_text("\n".join(json.dumps(r) for r in [
        {"text": "card refused at the cafe", "topic": "card", "language": "en"},
        {"text": "the transfer never came", "topic": "transfer", "language": "en"}]) + "\n")
    assert main(["eval", str(test), "--model", str(model_dir)]) == 0
    out = capsys.readouterr().out
    assert "topic: accuracy" in out and "macro-F1" in out and "confusion" in out and "per language: en" in out


def test_tampered_model_is_refused(model_dir, tmp_path):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(model_dir, bad)
    (bad / "weights.npz").write_bytes((bad / "weights.npz").read_bytes()[:-10] + b"0123456789")
    with pytest.raises(triage.ModelIntegrityError):
        triage.Triager(model=str(bad)).triage("card declined")
