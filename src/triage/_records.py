"""One input record -> the input columns, or an ``error`` saying why it cannot be triaged."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

_OPTIONAL_TEXT = ("subject", "channel", "customer", "received_at")

#: The contract's channels; service levels are set per channel.
CHANNELS = ("email", "chat", "social", "webform", "phone_transcript")

#: Other spellings of those channels seen in helpdesk exports (after lower-casing and
#: turning spaces and hyphens into underscores).
CHANNEL_ALIASES = {"e_mail": "email", "mail": "email", "live_chat": "chat", "livechat": "chat",
                   "messenger": "chat", "social_media": "social", "web_form": "webform", "form": "webform",
                   "contact_form": "webform", "phone": "phone_transcript", "call": "phone_transcript",
                   "voice": "phone_transcript", "transcript": "phone_transcript"}


def normalize_channel(value: str) -> str:
    """A contract channel for the spellings helpdesks export ("E-mail", "Live chat");
    anything else unchanged (it gets the default service level and a warning)."""
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    if key in CHANNELS:
        return key
    return CHANNEL_ALIASES.get(key, value)


@dataclass(frozen=True, slots=True)
class Message:
    """A message to triage; the same keys as an input record."""

    text: str
    id: Any = None
    subject: str | None = None
    channel: str | None = None
    customer: str | None = None
    received_at: str | None = None


def _valid_unicode(value: str) -> str:
    """``value`` with lone surrogates (``"\\ud800"`` in JSON) replaced by U+FFFD: they
    cannot be encoded, so they would fail every writer and every encoder downstream."""
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return value


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
        rec_id = _valid_unicode(str(rec_id))
    elif isinstance(rec_id, str):
        rec_id = _valid_unicode(rec_id)
    rec: dict = {"id": rec_id}
    for key in _OPTIONAL_TEXT:
        value = raw.get(key)
        if value is not None and value == value:  # NaN from pandas counts as missing
            rec[key] = _valid_unicode(value if isinstance(value, str) else str(value))
    if "channel" in rec and rec["channel"] not in CHANNELS:
        rec["channel"] = normalize_channel(rec["channel"])
    text = raw.get("text")
    if text is None or (isinstance(text, float) and text != text):
        rec["error"] = "record has no 'text'"
    elif not isinstance(text, str):
        rec["error"] = f"'text' is not a string (got {_type_name(text)})"
    elif not text.strip():
        rec["error"] = "'text' is empty"
    else:
        rec["text"] = _valid_unicode(text)
    return rec
