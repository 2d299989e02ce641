import numpy as np
import pytest

from triage import ModelIntegrityError
from triage.models._artifacts import load_arrays, read_manifest, save_arrays, write_manifest


def test_npz_bytes_depend_only_on_the_arrays(tmp_path):
    arrays = {"b": np.arange(5, dtype=np.float32), "a": np.eye(3)}
    save_arrays(tmp_path / "one.npz", arrays)
    save_arrays(tmp_path / "two.npz", dict(reversed(list(arrays.items()))))
    assert (tmp_path / "one.npz").read_bytes() == (tmp_path / "two.npz").read_bytes()
    loaded = load_arrays(tmp_path / "one.npz")
    assert np.array_equal(loaded["a"], np.eye(3))


def test_object_arrays_are_refused(tmp_path):
    with pytest.raises(ValueError):
        save_arrays(tmp_path / "x.npz", {"o": np.array([{"a": 1}], dtype=object)})


def test_tampered_or_foreign_model_is_refused(tmp_path):
    save_arrays(tmp_path / "w.npz", {"x": np.ones(3)})
    write_manifest(tmp_path, {"format": "triage-model", "format_version": 1, "files": {"w.npz": ""}})
    assert read_manifest(tmp_path, "triage-model", 1)["files"]["w.npz"]
    with pytest.raises(ModelIntegrityError, match="format version"):
        read_manifest(tmp_path, "triage-model", 2)
    with pytest.raises(ModelIntegrityError, match="holds"):
        read_manifest(tmp_path, "triage-kb", 1)
    data = bytearray((tmp_path / "w.npz").read_bytes())
    data[-30] ^= 0xFF
    (tmp_path / "w.npz").write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="does not match its manifest"):
        read_manifest(tmp_path, "triage-model", 1)
    with pytest.raises(ModelIntegrityError, match="no manifest.json"):
        read_manifest(tmp_path / "nowhere", "triage-model", 1)
