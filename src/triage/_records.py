"""One input record -> the input columns, or an ``error`` saying why it cannot be triaged."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

_OPTIONAL_TEXT = ("subject", "channel", "customer", "received_at")


@dataclass(frozen=True, slots=True)
class Message:
    """A message to triage; the same keys as an input record."""

    text: str
    id: Any = None
    subject: str | None = None
    channel: str | None = None
    customer: str | None = None
    received_at: str | None = None


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def coerce_record(raw: Any, position: int) -> dict:
    """Normalize one record; ``position`` (1-based line or row) stands in for a missing id.

    Never raises: a record that cannot be triaged comes back with an ``error``.
    """
    if isinstance(raw, Message):
        raw = {k: getattr(raw, k) for k in Message.__slots__}
    if not isinstance(raw, Mapping):
        return {"id": position, "error": f"record is not an object (got {_type_name(raw)})"}
    rec_id = raw.get("id")
    if rec_id is None or rec_id == "":
        rec_id = position
    elif not isinstance(rec_id, (str, int)) or isinstance(rec_id, bool):
        rec_id = str(rec_id)
    rec: dict = {"id": rec_id}
    for key in _OPTIONAL_TEXT:
        value = raw.get(key)
        if value is not None and value == value:  # NaN from pandas counts as missing
            rec[key] = value if isinstance(value, str) else str(value)
    text = raw.get("text")
    if text is None or (isinstance(text, float) and text != text):
        rec["error"] = "record has no 'text'"
    elif not isinstance(text, str):
        rec["error"] = f"'text' is not a string (got {_type_name(text)})"
    elif not text.strip():
        rec["error"] = "'text' is empty"
    else:
        rec["text"] = text
    return rec
