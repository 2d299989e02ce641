"""Model files without pickle: arrays in a byte-reproducible .npz (fixed zip timestamps,
``allow_pickle=False``), a JSON manifest with the SHA-256 of every file, checked at load."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Mapping

import numpy as np

from .._errors import ModelIntegrityError

MANIFEST = "manifest.json"
_EPOCH = (1980, 1, 1, 0, 0, 0)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def save_arrays(path: Path, arrays: Mapping[str, np.ndarray]) -> None:
    """Write arrays as .npz whose bytes depend only on the arrays (sorted, fixed dates)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue(), compresslevel=6)


def load_arrays(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def write_manifest(directory: Path, manifest: dict) -> None:
    files = {}
    for name in sorted(manifest.get("files", {})):
        files[name] = sha256_file(directory / name)
    manifest = {**manifest, "files": files}
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    (directory / MANIFEST).write_text(text, encoding="utf-8")


def read_manifest(directory: Path, expected_format: str, format_version: int) -> dict:
    """The manifest of a model directory after checking every file's hash."""
    path = directory / MANIFEST
    if not path.is_file():
        raise ModelIntegrityError(
            f"{directory} is not a triage model: it has no {MANIFEST}; "
            "make one with 'triage train DATA -o DIR'")
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelIntegrityError(f"{path} is not valid JSON: {exc}") from exc
    if manifest.get("format") != expected_format:
        raise ModelIntegrityError(f"{directory} holds {manifest.get('format')!r}, not a {expected_format!r}")
    if manifest.get("format_version") != format_version:
        raise ModelIntegrityError(
            f"{directory} was written in format version {manifest.get('format_version')}, this "
            f"triage reads version {format_version}; retrain it with 'triage train'")
    for name, digest in manifest.get("files", {}).items():
        file = directory / name
        if not file.is_file():
            raise ModelIntegrityError(f"{directory} lacks {name}, which its manifest lists")
        actual = sha256_file(file)
        if actual != digest:
            raise ModelIntegrityError(
                f"{file} does not match its manifest (sha256 {actual[:12]}... expected "
                f"{digest[:12]}...): the file was changed or damaged; retrain or reinstall")
    return manifest
