"""Personal-data redaction: e-mail addresses, phone numbers, IBANs, payment cards and
national identity numbers are replaced by masks such as ``[PHONE]``.

Complaints are full of numbers that are not personal (order and tracking numbers,
amounts, dates), so a candidate found by a pattern (rules/redaction.json) is kept only
when its checksum holds, and a phone number, which has none, only when its shape or a
cue word ("tel.", "mobil") says so. The rules are read and compiled on first use.
"""
from __future__ import annotations

import bisect
import datetime
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Callable, Sequence

__all__ = ["redact", "redact_batch"]

_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
_CF_ODD = dict(zip("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                   (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21,
                    2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23)))
_CF_OMOCODE = str.maketrans("LMNPQRSTUV", "0123456789")
_NINO_BAD_PREFIXES = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
_SEPARATORS = re.compile(r"[\s./-]")
_GROUP_CUT = re.compile(r"(?<=[\w)])(?: ?[./-] ?| )(?=[\w(])")
_MAYBE_PII = re.compile(r"[\d@]")


# --- checksums and formats: each takes the candidate without separators ---------------

def _is_digits(value: str) -> bool:
    """ASCII digits only: str.isdigit() also takes '²', which int() refuses."""
    return value.isascii() and value.isdigit()


def _valid_date(year: int, month: int, day: int) -> bool:
    """Birth-date fields make IDs much harder to hit by chance."""
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def luhn_ok(digits: str) -> bool:
    """Payment card check digit (ISO/IEC 7812)."""
    if not _is_digits(digits):
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_ok(digits: str) -> bool:
    """13-19 digits from a card network's range (2-6) with a Luhn check digit."""
    return 13 <= len(digits) <= 19 and digits[:1] in "23456" and luhn_ok(digits)


def iban_ok(iban: str, lengths: dict[str, int] | None = None) -> bool:
    """ISO 13616: the country's length and mod-97 of the rearranged number equal to 1."""
    iban = iban.upper()
    lengths = _rules().iban_lengths if lengths is None else lengths
    if not (re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", iban) and 15 <= len(iban) <= 34):
        return False
    if lengths.get(iban[:2], len(iban)) != len(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def iban_shape_ok(iban: str, lengths: dict[str, int] | None = None) -> bool:
    """Country code, check digits and the country's exact length, checksum not tested:
    such a string is a (mistyped) IBAN, never a phone or card number."""
    iban = iban.upper()
    lengths = _rules().iban_lengths if lengths is None else lengths
    return re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", iban) is not None and lengths.get(iban[:2]) == len(iban)


def mod11_10_check_digit(digits: str) -> int:
    """ISO 7064 MOD 11,10 check digit of ``digits`` (Croatian OIB, German Steuer-ID)."""
    product = 10
    for ch in digits:
        total = (int(ch) + product) % 10 or 10
        product = (2 * total) % 11
    return (11 - product) % 10


def oib_ok(digits: str) -> bool:
    """Croatian OIB: 11 digits, ISO 7064 MOD 11,10."""
    return len(digits) == 11 and _is_digits(digits) and mod11_10_check_digit(digits[:10]) == int(digits[10])


def steuer_id_ok(digits: str) -> bool:
    """German Steuer-IdNr: no leading 0; in the first ten digits exactly one digit repeats
    (twice, or three times but not three in a row); ISO 7064 MOD 11,10 check digit."""
    if len(digits) != 11 or not _is_digits(digits) or digits[0] == "0":
        return False
    head = digits[:10]
    counts = {d: head.count(d) for d in set(head)}
    repeated = [d for d, c in counts.items() if c > 1]
    if len(repeated) != 1 or counts[repeated[0]] > 3:
        return False
    if counts[repeated[0]] == 3 and repeated[0] * 3 in head:
        return False
    return mod11_10_check_digit(head) == int(digits[10])


def pesel_ok(digits: str) -> bool:
    """Polish PESEL: a birth date (century coded in the month) and a weighted check digit."""
    if len(digits) != 11 or not _is_digits(digits):
        return False
    weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    if (10 - sum(int(d) * w for d, w in zip(digits, weights)) % 10) % 10 != int(digits[10]):
        return False
    month = int(digits[2:4])
    century = {0: 1900, 1: 2000, 2: 2100, 3: 2200, 4: 1800}[month // 20]
    return _valid_date(century + int(digits[:2]), month % 20, int(digits[4:6]))


def emso_ok(digits: str) -> bool:
    """Slovenian EMŠO (ex-Yugoslav JMBG): DDMMYYY birth date, region, mod-11 check digit."""
    if len(digits) != 13 or not _is_digits(digits):
        return False
    weights = (7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    check = 11 - sum(int(d) * w for d, w in zip(digits, weights)) % 11
    if check == 10 or (check % 11) != int(digits[12]):
        return False
    year = int(digits[4:7])
    year += 1000 if year >= 800 else 2000
    return _valid_date(year, int(digits[2:4]), int(digits[:2]))


def isikukood_ok(digits: str) -> bool:
    """Estonian isikukood: sex/century digit 1-8, birth date, two-pass mod-11 check digit."""
    if len(digits) != 11 or not _is_digits(digits) or digits[0] not in "12345678":
        return False
    year = 1800 + 100 * ((int(digits[0]) - 1) // 2) + int(digits[1:3])
    if not _valid_date(year, int(digits[3:5]), int(digits[5:7])):
        return False
    check = sum(int(d) * w for d, w in zip(digits, (1, 2, 3, 4, 5, 6, 7, 8, 9, 1))) % 11
    if check == 10:
        check = sum(int(d) * w for d, w in zip(digits, (3, 4, 5, 6, 7, 8, 9, 1, 2, 3))) % 11 % 10
    return check == int(digits[10])


def rodne_cislo_ok(digits: str) -> bool:
    """Czech/Slovak rodné číslo: YYMMDD (+50 on the month for women, +20 from 2004) and
    either 3 more digits (born before 1954, no check) or 4 with the number divisible by
    11 (or the first nine leaving 10 and a final 0, issued until 1985)."""
    if len(digits) not in (9, 10) or not _is_digits(digits):
        return False
    yy, mm, dd = int(digits[:2]), int(digits[2:4]), int(digits[4:6])
    if len(digits) == 9:
        if yy >= 54:
            return False
        year = 1900 + yy
    else:
        year = 1900 + yy if yy >= 54 else 2000 + yy
        if int(digits) % 11 and not (int(digits[:9]) % 11 == 10 and digits[9] == "0"):
            return False
    month = mm - 50 if mm > 50 else mm
    if month > 20:
        if year < 2004:
            return False
        month -= 20
    return _valid_date(year, month, dd)


def dni_nie_ok(value: str) -> bool:
    """Spanish DNI (8 digits) or NIE (X/Y/Z + 7 digits): the letter is the number mod 23."""
    value = value.upper()
    m = re.fullmatch(r"([XYZ]\d{7}|\d{8})([A-Z])", value)
    if not m:
        return False
    number, letter = m.groups()
    prefix = number[0] if number[0] in "XYZ" else ""
    n = int(str("XYZ".index(prefix)) + number[1:]) if prefix else int(number)
    return _DNI_LETTERS[n % 23] == letter


def codice_fiscale_ok(value: str) -> bool:
    """Italian codice fiscale: month letter, day (+40 for women) and the check letter
    computed from odd/even position tables; omocodia letters stand in for digits."""
    value = value.upper()
    if not re.fullmatch(r"[A-Z]{6}[0-9LMNP-V]{2}[ABCDEHLMPRST][0-9LMNP-V]{2}[A-Z][0-9LMNP-V]{3}[A-Z]", value):
        return False
    day = int(value[9:11].translate(_CF_OMOCODE))
    if not (1 <= day <= 31 or 41 <= day <= 71):
        return False
    total = sum(_CF_ODD[ch] if i % 2 == 0 else (int(ch) if ch.isdigit() else ord(ch) - 65)
                for i, ch in enumerate(value[:15]))
    return chr(65 + total % 26) == value[15]


def nir_ok(value: str) -> bool:
    """French NIR (numéro de sécurité sociale): 13 characters and a key 97 - (n mod 97);
    Corsica's 2A/2B count as 19/18."""
    value = value.upper()
    if not re.fullmatch(r"[1-478]\d{4}(?:\d{2}|2[AB])\d{8}", value):
        return False
    month = int(value[3:5])
    if not (1 <= month <= 12 or 20 <= month <= 42 or 50 <= month <= 99):
        return False
    number = int(value[:13].replace("2A", "19").replace("2B", "18"))
    return 97 - number % 97 == int(value[13:])


def us_ssn_ok(digits: str) -> bool:
    """US SSN: no all-zero group, area not 666 or 900-999."""
    if len(digits) != 9 or not _is_digits(digits):
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def uk_nino_ok(value: str) -> bool:
    """UK National Insurance number: prefix letters from the allowed set, suffix A-D."""
    value = value.upper()
    return (re.fullmatch(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]", value) is not None
            and value[:2] not in _NINO_BAD_PREFIXES)


# --- phone shapes: no checksum, so the grouping has to look like a phone number -------

def _phone_digits(raw: str) -> str:
    """Digits that count: without the 00 exit code and without an optional (0) trunk."""
    body = raw.replace("(0)", "") if raw.startswith(("+", "00")) else raw
    digits = re.sub(r"\D", "", body)
    return digits[2:] if raw.startswith("00") else digits


def phone_shape_ok(raw: str, shape: dict | None = None) -> bool:
    """A phone number without a cue: international (+ or 00 and a country code), a
    trunk 0 with typical grouping, or North-American; never a leading date."""
    shape = _rules().phone_shape if shape is None else shape
    if shape["date_prefix"].match(raw):
        return False
    digits = _phone_digits(raw)
    if raw.startswith("+"):
        return digits[:1] != "0" and shape["min_digits_plus"] <= len(digits) <= shape["max_digits"]
    if raw.startswith("00"):
        return digits[:1] != "0" and shape["min_digits_00"] <= len(digits) <= shape["max_digits"]
    if shape["nanp"].match(raw):
        return True
    return _trunk_grouping_ok(raw, digits, shape)


def _trunk_grouping_ok(raw: str, digits: str, shape: dict) -> bool:
    """0 + non-zero digit, grouped like national numbers are written (0171 2345678)."""
    if digits[:1] != "0" or digits[1:2] in ("", "0") or not raw.lstrip("(").startswith("0"):
        return False
    groups = re.findall(r"\d+", raw)
    first_lo, first_hi = shape["first_group_trunk"]
    other_lo, other_hi = shape["other_groups_trunk"]
    return (shape["min_groups_trunk"] <= len(groups) <= shape["max_groups_trunk"]
            and shape["min_digits_trunk"] <= len(digits) <= shape["max_digits_trunk"]
            and first_lo <= len(groups[0]) <= first_hi
            and all(other_lo <= len(g) <= other_hi for g in groups[1:]))


def phone_after_cue_ok(raw: str, shape: dict | None = None) -> bool:
    """After "tel."/"mobil"/..., any grouping of 7-15 digits except a leading date."""
    shape = _rules().phone_shape if shape is None else shape
    if shape["date_prefix"].match(raw):
        return False
    return shape["min_digits_cued"] <= len(_phone_digits(raw)) <= shape["max_digits"]


# validator name (as used in redaction.json) -> (function, wants separators removed)
_VALIDATORS: dict[str, tuple[Callable[[str], bool], bool]] = {
    "iban": (iban_ok, True),
    "iban_shape": (iban_shape_ok, True),
    "card": (card_ok, True),
    "oib": (oib_ok, True),
    "steuer_id": (steuer_id_ok, True),
    "pesel": (pesel_ok, True),
    "emso": (emso_ok, True),
    "isikukood": (isikukood_ok, True),
    "rodne_cislo": (rodne_cislo_ok, True),
    "dni_nie": (dni_nie_ok, True),
    "codice_fiscale": (codice_fiscale_ok, True),
    "nir": (nir_ok, True),
    "us_ssn": (us_ssn_ok, True),
    "uk_nino": (uk_nino_ok, True),
    "phone_shape": (phone_shape_ok, False),
    "phone_after_cue": (phone_after_cue_ok, False),
}


# --- rules ----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Pattern:
    name: str
    kind: str | None  # None: claims its span so nothing else is found there, masks nothing
    priority: int
    regex: re.Pattern
    validators: tuple[str, ...]
    trim: bool
    requires_cue: frozenset[str]
    vetoed_by_cue: frozenset[str]


@dataclass(frozen=True)
class _Rules:
    patterns: tuple[_Pattern, ...]
    priority: dict[str, int]  # pattern name -> priority
    masks: dict[str, str]
    cues: dict[str, re.Pattern]
    cue_window: int
    cue_max_gap: int
    phone_shape: dict
    iban_lengths: dict[str, int]


@dataclass(frozen=True)
class Found:
    """One piece of personal data: where it is, what it is, which pattern found it."""
    start: int
    end: int
    kind: str | None
    rule: str


def load_redaction_rules() -> dict:
    """The shipped rule data (rules/redaction.json)."""
    return json.loads(resources.files("triage.rules").joinpath("redaction.json").read_text("utf-8"))


def _check_pattern(spec: dict, masks: dict, cue_types: set[str]) -> None:
    """A typo in the rule file should fail loudly, not silently mask nothing."""
    problems = [f"unknown validator {v!r}" for v in spec.get("validators", []) if v not in _VALIDATORS]
    problems += [f"unknown cue type {c!r}" for c in [*spec.get("requires_cue", []), *spec.get("vetoed_by_cue", [])]
                 if c not in cue_types]
    if spec["kind"] is not None and spec["kind"] not in masks:
        problems.append(f"kind {spec['kind']!r} has no mask")
    if problems:
        raise ValueError(f"redaction pattern {spec.get('name')!r}: {'; '.join(problems)}")


def _compile_pattern(spec: dict) -> _Pattern:
    """One entry of 'patterns'."""
    flags = 0 if spec.get("case_sensitive") else re.IGNORECASE
    return _Pattern(spec["name"], spec["kind"], int(spec["priority"]), re.compile(spec["regex"], flags),
                    tuple(spec.get("validators", [])), bool(spec.get("trim", False)),
                    frozenset(spec.get("requires_cue", [])), frozenset(spec.get("vetoed_by_cue", [])))


def _compile_cue_words(words: list[str]) -> re.Pattern:
    """One regex for a cue type. Words that start with \\b and a letter are grouped by
    that letter behind a single \\b, so that at each word start the engine tries one
    branch per letter instead of every word: the same matches, three times faster."""
    by_letter: dict[str, list[str]] = {}
    other: list[str] = []
    for word in words:
        body = word[2:] if word.startswith("\\b") else ""
        if body[:1].isalpha() and body[1:2] not in ("?", "*", "+", "{"):
            by_letter.setdefault(body[0].lower(), []).append(body[1:])
        else:
            other.append(word)
    branches = [f"{re.escape(letter)}(?:{'|'.join(rests)})" for letter, rests in sorted(by_letter.items())]
    parts = ([f"\\b(?:{'|'.join(branches)})"] if branches else []) + other
    return re.compile("|".join(parts), re.IGNORECASE)


def _compile_cues(cues: dict[str, list[str]]) -> dict[str, re.Pattern]:
    """One regex per cue type, searched separately so that one cue cannot hide another
    that overlaps it ("mon numéro client")."""
    return {kind: _compile_cue_words(words) for kind, words in cues.items()}


def _compile_phone_shape(shape: dict) -> dict:
    """The phone limits, with their two regular expressions compiled."""
    return {**shape, "date_prefix": re.compile(shape["date_prefix"]), "nanp": re.compile(shape["nanp"])}


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    """Compiled once, on first use."""
    raw = load_redaction_rules()
    for spec in raw["patterns"]:
        _check_pattern(spec, raw["masks"], set(raw["cues"]))
    patterns = tuple(sorted((_compile_pattern(p) for p in raw["patterns"]), key=lambda p: p.priority))
    return _Rules(patterns, {p.name: p.priority for p in patterns}, dict(raw["masks"]),
                  _compile_cues(raw["cues"]), int(raw["cue_window_chars"]),
                  int(raw["cue_max_gap_chars"]), _compile_phone_shape(raw["phone_shape"]), dict(raw["iban_lengths"]))


# --- finding --------------------------------------------------------------------------

class _CueIndex:
    """Where the cue words of each type end in one text. The text is scanned once, on the
    first question: most texts have no candidate that gets this far."""

    def __init__(self, text: str, rules: _Rules) -> None:
        self._text = text
        self._rules = rules
        self._ends: dict[str, list[int]] | None = None

    def _cue_ends(self) -> dict[str, list[int]]:
        if self._ends is None:
            self._ends = {kind: [m.end() for m in rx.finditer(self._text)] for kind, rx in self._rules.cues.items()}
        return self._ends

    def nearest(self, start: int) -> str | None:
        """Type of the cue that ends closest before ``start`` with only a few non-digits
        between ("Tel.: ", "order no. "), or None; on a tie the type listed first wins."""
        best_type, best_end = None, max(-1, start - self._rules.cue_window - 1)
        for kind, ends in self._cue_ends().items():
            i = bisect.bisect_right(ends, start) - 1
            if i >= 0 and ends[i] > best_end:
                best_type, best_end = kind, ends[i]
        if best_type is None:
            return None
        gap = self._text[best_end:start]
        if len(gap) > self._rules.cue_max_gap or any(ch.isdigit() for ch in gap):
            return None
        return best_type


def _context_allows(pattern: _Pattern, cue: str | None) -> bool:
    """A pattern's cue requirement and veto, applied to the nearest cue."""
    if pattern.requires_cue and cue not in pattern.requires_cue:
        return False
    return cue is None or cue not in pattern.vetoed_by_cue


def _passes(pattern: _Pattern, candidate: str) -> bool:
    """True when any of the pattern's validators accepts the candidate (or it has none)."""
    if not pattern.validators:
        return True
    compact = _SEPARATORS.sub("", candidate)
    for name in pattern.validators:
        check, wants_compact = _VALIDATORS[name]
        if check(compact if wants_compact else candidate):
            return True
    return False


def _prefixes(candidate: str, trim: bool) -> list[str]:
    """The candidate, then (when trimming) shorter versions cut at group separators."""
    if not trim:
        return [candidate]
    cuts = [m.start() for m in _GROUP_CUT.finditer(candidate)]
    return [candidate] + [candidate[:c] for c in reversed(cuts)]


def _candidates(text: str, pattern: _Pattern, cues: _CueIndex) -> list[Found]:
    """Validated matches of one pattern; after a rejected match the search resumes one
    character later, so a phone number right after an order number is still found."""
    found: list[Found] = []
    pos = 0
    while True:
        m = pattern.regex.search(text, pos)
        if m is None:
            return found
        pos = m.start() + 1
        valid = next((c for c in _prefixes(m.group(0), pattern.trim) if _passes(pattern, c)), None)
        # the context is looked at only for valid candidates: it is the slower test
        if valid is None or not _context_allows(pattern, cues.nearest(m.start())):
            continue
        found.append(Found(m.start(), m.start() + len(valid), pattern.kind, pattern.name))
        pos = m.start() + len(valid)


def _resolve_overlaps(found: list[Found], rules: _Rules) -> list[Found]:
    """Keep the higher-priority (then earlier, then longer) of overlapping finds."""
    kept: list[Found] = []
    for f in sorted(found, key=lambda f: (rules.priority[f.rule], f.start, f.start - f.end)):
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)


def find_personal_data(text: str) -> list[Found]:
    """Every piece of personal data in ``text``, in order, non-overlapping."""
    if not _MAYBE_PII.search(text):
        return []
    rules = _rules()
    cues = _CueIndex(text, rules)
    found: list[Found] = []
    for pattern in rules.patterns:
        found.extend(_candidates(text, pattern, cues))
    return [f for f in _resolve_overlaps(found, rules) if f.kind is not None]


def _mask(text: str, found: list[Found], masks: dict[str, str]) -> str:
    """Replace each find by its kind's mask."""
    parts, pos = [], 0
    for f in found:
        parts.append(text[pos:f.start])
        parts.append(masks[f.kind])
        pos = f.end
    parts.append(text[pos:])
    return "".join(parts)


def redact(text: str) -> tuple[str, list[str]]:
    """``text`` with personal data masked ("[EMAIL]", "[PHONE]", "[IBAN]", "[CARD]",
    "[NATIONAL_ID]"), and the kinds that were masked, each once, in order of first
    appearance."""
    found = find_personal_data(text)
    if not found:
        return text, []
    return _mask(text, found, _rules().masks), list(dict.fromkeys(f.kind for f in found))


def redact_batch(texts: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    """:func:`redact` over many texts: the masked texts and, per text, the kinds found."""
    masked: list[str] = []
    kinds: list[list[str]] = []
    for text in texts:
        out, found = redact(text)
        masked.append(out)
        kinds.append(found)
    return masked, kinds
