"""E-mail (mbox, .eml) -> input records: body text, subject, sender, date, Message-ID."""
from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime


def _decode_part(part: EmailMessage) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError, KeyError):
        payload = part.get_payload(decode=True) or b""
        charset = part.get_content_charset() or "utf-8"
        try:
            return payload.decode(charset, errors="replace")
        except LookupError:
            return payload.decode("utf-8", errors="replace")


def mail_to_record(msg: EmailMessage, fallback_id: str | int) -> dict:
    """The record of one parsed mail; plain text preferred, HTML-only mails keep their HTML."""
    record: dict = {"id": fallback_id, "channel": "email"}
    message_id = (msg.get("Message-ID") or "").strip().strip("<>")
    if message_id:
        record["id"] = message_id
    if msg.get("Subject"):
        record["subject"] = str(msg["Subject"])
    if msg.get("From"):
        record["customer"] = str(msg["From"])
    if msg.get("Date"):
        try:
            record["received_at"] = parsedate_to_datetime(str(msg["Date"])).isoformat()
        except (TypeError, ValueError, IndexError):
            pass
    body = None
    try:
        body = msg.get_body(preferencelist=("plain", "html"))
    except (KeyError, AttributeError, TypeError):
        body = None
    if body is None and not msg.is_multipart():
        body = msg
    text = _decode_part(body) if body is not None else ""
    record["text"] = text
    return record


def parse_mail(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)
