"""Text preparation for the models: the customer's own words, normalized.

The original text is never changed; stages read the prepared forms:
``prepared_text`` (HTML removed, Unicode-normalized, quoted replies, signatures and
disclaimers cut) and ``folded_text`` (lowercase, without diacritics), which lets
"nisam dobio paket" and "nisam dobio paket" with diacritics share features.
"""
from __future__ import annotations

import html
import json
import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Mapping

import numpy as np

from ._batch import Batch

#: Characters the models see at most; longer texts are cut and flagged.
MAX_MODEL_CHARS = 5000

#: Characters removed before anything else: zero-width marks and the C0/C1 controls
#: (NUL, escape...) but tab and newline; NUL would also clash with batch separators.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff\u00ad]")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_SPECIAL_LETTERS = re.compile("[łŁđĐøØßæÆœŒıħþð]")
#: Raw text beyond this is not even cleaned: a 10 MB message costs no more than this.
MAX_RAW_CHARS = 100_000
_TAG_HINT = re.compile(r"<\s*/?\s*[a-zA-Z][^>]{0,200}>|&[a-zA-Z]{2,8};|&#\d{2,6};")
_DROP_BLOCKS = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.I | re.S)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_BLOCKQUOTE = re.compile(r"<blockquote\b.*?</blockquote\s*>", re.I | re.S)
_BREAKS = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h[1-6]|p|div|li|tr|h[1-6])\b[^>]*>", re.I)
_TAGS = re.compile(r"<[^>]{0,2000}>")
#: Runs of horizontal white space, and single white space other than " " (a lone " "
#: is left alone: matching every word gap made this the costliest step of ``normalize``).
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]{2,}|[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_BLANK_LINES = re.compile(r"\n{3,}")
#: Anything ``normalize`` would remove or replace besides runs of plain spaces: one
#: scan of it lets the common text skip the three substitutions.
_UNUSUAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff\u00ad\t\u00a0"
                      "\u2000-\u200a\u202f\u205f\u3000]")

_EXTRA_FOLD = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O",
                             "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
                             "ı": "i", "ħ": "h", "þ": "th", "ð": "d"})


@lru_cache(maxsize=1)
def _rules() -> dict:
    raw = json.loads(resources.files("triage.rules").joinpath("text_cleanup.json").read_text("utf-8"))

    def union(patterns: list[str]) -> re.Pattern:
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)

    return {
        # a line matching any of these ends the customer's words: one match per line
        "cut": union(raw["quote_headers"] + raw["disclaimers"] + raw["signature_markers"]),
        "block_start": union(raw["header_block_starters"]),
        "block_follow": re.compile(raw["header_block_followers"], re.I),
        "valediction": union(raw["valedictions"]),
    }


def html_to_text(text: str) -> str:
    """Readable text of an HTML fragment or page: blocks become lines, entities decoded."""
    text = _HTML_COMMENT.sub(" ", text)
    text = _DROP_BLOCKS.sub(" ", text)
    text = _BLOCKQUOTE.sub("\n", text)  # quoted earlier replies in HTML mail
    text = _BREAKS.sub("\n", text)
    text = _TAGS.sub(" ", text)
    return html.unescape(text)


def normalize(text: str) -> str:
    """NFKC, no zero-width characters, one space between words, at most one blank line."""
    text = unicodedata.normalize("NFKC", text)
    if _UNUSUAL.search(text):
        text = _INVISIBLE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
        text = _SPACES.sub(" ", text)
    elif "  " in text:
        text = _SPACES.sub(" ", text)
    if "\n" in text:
        text = "\n".join(line.strip() for line in text.split("\n"))
        if "\n\n\n" in text:
            text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def strip_quotes_and_signatures(text: str) -> str:
    """The customer's own words: cut quoted replies, signatures, closings and disclaimers.

    Never returns an empty string for a non-empty input: if everything would be cut
    (a message that is only a quote), the text is kept whole.
    """
    if "\n" not in text and ">" not in text:
        return text
    rules = _rules()
    lines = text.split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        if line.startswith(">"):
            continue
        if not line:
            kept.append(line)
            continue
        if i > 0 and (rules["cut"].match(line) or rules["block_start"].match(line) and any(
            rules["block_follow"].match(nxt) for nxt in lines[i + 1:i + 4]
        )):
            break
        kept.append(line)
    # A closing ("Best regards,") within the last lines ends the message.
    for j in range(max(1, len(kept) - 6), len(kept)):
        if rules["valediction"].match(kept[j]):
            kept = kept[:j]
            break
    out = "\n".join(kept).strip()
    return out or text


def fold(text: str) -> str:
    """Lowercase without diacritics: 'Nemůžu se přihlásit' -> 'nemuzu se prihlasit'."""
    if text.isascii():
        return text.lower()
    if _SPECIAL_LETTERS.search(text):
        text = text.translate(_EXTRA_FOLD)
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).lower()


def prepare(text: str, subject: str | None = None) -> tuple[str, bool]:
    """Prepared text of one message and whether it was truncated for the models."""
    cut = len(text) > MAX_RAW_CHARS
    if cut:
        text = text[:MAX_RAW_CHARS]
    if _TAG_HINT.search(text):
        text = html_to_text(text)
    text = strip_quotes_and_signatures(normalize(text))
    if subject:
        subject = normalize(str(subject))
        if subject and subject.lower() not in text.lower():
            text = f"{subject}\n{text}"
    truncated = cut or len(text) > MAX_MODEL_CHARS
    if truncated:
        text = text[:MAX_MODEL_CHARS]
    return text, truncated


#: Columns of the ``char_stats`` matrix, one bit each in the per-character flags.
CHAR_STATS = ("letters", "latin_letters", "upper", "exclamations", "questions", "emoji")
_CLASS_TABLE: np.ndarray | None = None
_LETTER, _LATIN, _UPPER, _BANG, _QUESTION, _EMOJI = 1, 2, 4, 8, 16, 32
#: Which statistics each of the 64 flag combinations counts towards.
_FLAG_BITS = ((np.arange(64)[:, None] >> np.arange(len(CHAR_STATS))) & 1).astype(np.float64)


def _class_table() -> np.ndarray:
    """Flags for every BMP code point: letter, Latin letter, uppercase, '!', '?'.
    U+FFFF (not a character) stands for everything beyond the BMP: no flags."""
    global _CLASS_TABLE
    if _CLASS_TABLE is None:
        table = np.zeros(0x10000, dtype=np.uint8)
        for cp in range(0xFFFF):
            ch = chr(cp)
            if ch.isalpha():
                flags = _LETTER | (_LATIN if cp < 0x250 or 0x1E00 <= cp <= 0x1EFF else 0)
                table[cp] = flags | (_UPPER if ch.isupper() else 0)
        table[ord("!")] = _BANG
        table[ord("?")] = _QUESTION
        _CLASS_TABLE = table
    return _CLASS_TABLE


def char_stats(texts) -> np.ndarray:
    """Counts per text (see CHAR_STATS) from one pass of numpy over the whole batch:
    each character's flags, one bincount of (text, flags), then flags to counts."""
    n = len(texts)
    if n == 0:
        return np.zeros((0, len(CHAR_STATS)), dtype=np.float32)
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=n)
    flags = _class_table()[np.minimum(codes, 0xFFFF)]
    flags |= (codes >= 0x1F300).view(np.uint8) * np.uint8(_EMOJI)
    key = np.repeat(np.arange(n, dtype=np.int64) * 64, lengths) + flags
    combos = np.bincount(key, minlength=n * 64).reshape(n, 64)
    return (combos @ _FLAG_BITS).astype(np.float32)


class TextPreparer:
    """Stage: writes ``prepared_text``, ``folded_text``, ``truncated`` and ``char_stats``."""

    name = "prepare"
    reads = ("text", "subject")
    writes = ("prepared_text", "folded_text", "truncated", "char_stats")
    output_keys = ()

    def predict(self, batch: Batch) -> Mapping[str, np.ndarray]:
        texts, subjects = batch["text"], batch["subject"]
        prepared = np.empty(batch.n, dtype=object)
        folded = np.empty(batch.n, dtype=object)
        truncated = np.zeros(batch.n, dtype=bool)
        for i in range(batch.n):
            subject = subjects[i] if isinstance(subjects[i], str) else None
            prepared[i], truncated[i] = prepare(texts[i], subject)
            folded[i] = fold(prepared[i])
        return {"prepared_text": prepared, "folded_text": folded, "truncated": truncated,
                "char_stats": char_stats(prepared)}
