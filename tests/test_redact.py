import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from triage import _redact as R
from triage._redact import find_personal_data, redact, redact_batch

CASES = Path(__file__).parent / "data" / "redaction_cases.jsonl"
LANGUAGES = {"en", "de", "fr", "es", "it", "pl", "cs", "sk", "sl", "hr", "et"}


def load_cases() -> list[dict]:
    return [json.loads(line) for line in CASES.read_text("utf-8").splitlines() if line.strip()]


# --- validators: a known-valid value passes, a one-character change fails -------------

@pytest.mark.parametrize("check, valid, mutated", [
    (R.luhn_ok, "4111111111111111", "4111111111111112"),
    (R.card_ok, "378282246310005", "378282246310006"),
    (R.iban_ok, "DE89370400440532013000", "DE89370400440532013001"),
    (R.iban_ok, "GB82WEST12345698765432", "GB82WEST12345698765433"),
    (R.iban_ok, "HR1210010051863000160", "HR1210010051863000161"),
    (R.oib_ok, "69435151530", "69435151531"),
    (R.steuer_id_ok, "86095742719", "86095742718"),
    (R.pesel_ok, "44051401359", "44051401358"),
    (R.emso_ok, "0101006500006", "0101006500007"),
    (R.isikukood_ok, "37605030299", "37605030298"),
    (R.rodne_cislo_ok, "7801301365", "7801301366"),
    (R.rodne_cislo_ok, "480314681", "481334681"),  # pre-1954 form: no check digit, the date must hold
    (R.dni_nie_ok, "12345678Z", "12345678A"),
    (R.dni_nie_ok, "X1234567L", "X1234567M"),
    (R.codice_fiscale_ok, "RSSMRA85T10A562S", "RSSMRA85T10A562T"),
    (R.nir_ok, "185057800608491", "185057800608492"),
    (R.nir_ok, "178012A00401753", "178012A00401754"),
    (R.us_ssn_ok, "536224187", "666224187"),
    (R.uk_nino_ok, "JG103782A", "GB103782A"),
])
def test_validator_accepts_valid_and_rejects_mutated(check, valid, mutated):
    assert check(valid)
    assert not check(mutated)


def test_mod11_10_check_digit_matches_published_examples():
    assert R.mod11_10_check_digit("6943515153") == 0   # OIB 69435151530
    assert R.mod11_10_check_digit("8609574271") == 9   # Steuer-ID 86095742719


def test_steuer_id_needs_one_repeated_digit_not_just_the_check_digit():
    head = "1234567890"  # ten different digits: the checksum alone would pass
    number = head + str(R.mod11_10_check_digit(head))
    assert R.oib_ok(number)
    assert not R.steuer_id_ok(number)


def test_birth_dates_are_checked_not_only_the_checksum():
    weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    head = "8513320123"  # month 13 does not exist
    pesel = head + str((10 - sum(int(d) * w for d, w in zip(head, weights)) % 10) % 10)
    assert not R.pesel_ok(pesel)
    assert not R.rodne_cislo_ok("540314681")  # 9 digits only for people born before 1954


def test_iban_length_must_match_the_country():
    assert R.iban_shape_ok("HR1210010051863000160")
    assert not R.iban_ok("HR12100100518630001600")
    assert not R.iban_shape_ok("HR121001005186300016")


# --- every kind masked in context ------------------------------------------------------

@pytest.mark.parametrize("text, expected, kinds", [
    ("Please reply to ana.kovac@gmail.com today.", "Please reply to [EMAIL] today.", ["EMAIL"]),
    ("Nazovite me na +385 91 234 5678, hvala.", "Nazovite me na [PHONE], hvala.", ["PHONE"]),
    ("Rückruf unter 0171 2345678 bitte.", "Rückruf unter [PHONE] bitte.", ["PHONE"]),
    ("Appelez le 06 12 34 56 78 svp.", "Appelez le [PHONE] svp.", ["PHONE"]),
    ("Office (020) 7946 0958 after 9.", "Office [PHONE] after 9.", ["PHONE"]),
    ("Zavolejte na +420 603 123 456.", "Zavolejte na [PHONE].", ["PHONE"]),
    ("Moj broj je 091/234-5678.", "Moj broj je [PHONE].", ["PHONE"]),
    ("Helistage +372 5123 4567.", "Helistage [PHONE].", ["PHONE"]),
    ("tel. č. 603 123 456", "tel. č. [PHONE]", ["PHONE"]),
    ("Refund to DE89 3704 0044 0532 0130 00 please.", "Refund to [IBAN] please.", ["IBAN"]),
    ("IBAN HR1210010051863000160.", "IBAN [IBAN].", ["IBAN"]),
    ("Card 4111 1111 1111 1111 was charged twice.", "Card [CARD] was charged twice.", ["CARD"]),
    ("Karte 5555-5555-5555-4444 belastet.", "Karte [CARD] belastet.", ["CARD"]),
    ("OIB: 69435151530", "OIB: [NATIONAL_ID]", ["NATIONAL_ID"]),
    ("PESEL 44051401359 jest błędny w umowie.", "PESEL [NATIONAL_ID] jest błędny w umowie.", ["NATIONAL_ID"]),
    ("Steuer-ID 86 095 742 719 bitte korrigieren.", "Steuer-ID [NATIONAL_ID] bitte korrigieren.", ["NATIONAL_ID"]),
    ("EMŠO 0101006500006", "EMŠO [NATIONAL_ID]", ["NATIONAL_ID"]),
    ("isikukood 37605030299", "isikukood [NATIONAL_ID]", ["NATIONAL_ID"]),
    ("rodné číslo 780130/1365", "rodné číslo [NATIONAL_ID]", ["NATIONAL_ID"]),
    ("rodné číslo 480314/681", "rodné číslo [NATIONAL_ID]", ["NATIONAL_ID"]),
    ("DNI 12345678Z y NIE X1234567L", "DNI [NATIONAL_ID] y NIE [NATIONAL_ID]", ["NATIONAL_ID"]),
    ("Codice fiscale rssmra85t10a562s.", "Codice fiscale [NATIONAL_ID].", ["NATIONAL_ID"]),
    ("NIR 1 85 05 78 006 084 91.", "NIR [NATIONAL_ID].", ["NATIONAL_ID"]),
    ("SSN 536-22-4187, NI JG 10 37 82 A", "SSN [NATIONAL_ID], NI [NATIONAL_ID]", ["NATIONAL_ID"]),
])
def test_each_kind_is_masked_in_context(text, expected, kinds):
    assert redact(text) == (expected, kinds)


def test_kinds_are_listed_once_in_order_of_appearance():
    text = "Tel. 0171 2345678, Mail k.mueller@web.de, Handy 0151 23456789"
    assert redact(text) == ("Tel. [PHONE], Mail [EMAIL], Handy [PHONE]", ["PHONE", "EMAIL"])


def test_batch_matches_single_calls():
    texts = ["no data here", "call +44 20 7946 0958", "", "OIB 69435151530 i mail a.b@c.hr"]
    masked, kinds = redact_batch(texts)
    assert (masked, kinds) == ([redact(t)[0] for t in texts], [redact(t)[1] for t in texts])
    assert redact_batch([]) == ([], [])


# --- hard negatives stay as they are ---------------------------------------------------

@pytest.mark.parametrize("text", [
    "Order 62187499831 placed on 12.10.2026 at 14:30.",
    "Tracking 1Z999AA10123456784 and JJD000390007775498, DHL 00340434161094042557.",
    "Rechnung RE-2026-004512 über 1.234,56 € vom 12.10.2026.",
    "Faktura FV/2026/10/0457 na kwotę 1 234,56 zł, 00-950 Warszawa.",
    "Artikelnummer 0012-4471-90, Lieferung 10115 Berlin.",
    "Meeting 2026-10-12 10:30-11:45, room 0.12.",
    "Bestellnummer 69435151530 (its check digit happens to fit an OIB).",
    "The invoice number is 4111111111111111.",
    "Order number 185057800608491 (a valid NIR key, but an order number).",
    "IMEI 356938035643809 on the box.",
    "Variabilní symbol 7801301365, částka 1 234,50 Kč.",
    "Dodací list 480314/681 nesedí.",        # the pre-1954 rodné číslo form needs an ID cue
    "Code 0152345678 aktiviert.",             # a bare run of digits without a phone cue
    "IBAN HR12 2340 0093 2112 3456 7 (wrong check digits).",  # not masked, and not half-masked as a phone
    "Version 4.12.3, IP 192.168.100.200, 3 x 12,50 € = 37,50 €.",
])
def test_hard_negatives_are_left_alone(text):
    assert redact(text) == (text, [])


def test_a_phone_cue_turns_a_bare_digit_run_into_a_phone_number():
    assert redact("Tel. 0152345678") == ("Tel. [PHONE]", ["PHONE"])
    assert redact("numer telefonu 512 345 678") == ("numer telefonu [PHONE]", ["PHONE"])
    assert redact("512 345 678 zł") == ("512 345 678 zł", [])


def test_the_nearest_cue_wins():
    assert redact("Mon numéro client est le 30 118 452.")[1] == []
    assert redact("Bestellung 4711, Telefon 0152345678")[1] == ["PHONE"]


# --- rules and import -----------------------------------------------------------------

def test_rule_file_is_documented_and_consistent():
    rules = R.load_redaction_rules()
    assert rules["_doc"]
    names = [p["name"] for p in rules["patterns"]]
    assert len(names) == len(set(names))
    assert set(rules["masks"]) == {"EMAIL", "PHONE", "IBAN", "CARD", "NATIONAL_ID"}
    compiled = R._rules()
    assert {p.kind for p in compiled.patterns} - {None} == set(rules["masks"])


def test_grouped_cue_regex_finds_what_the_plain_alternation_finds():
    texts = [r["text"] for r in load_cases()] + ["Tel.-Nr. 0171", "telephone", "Mon numéro client", "#12"]
    for words in R.load_redaction_rules()["cues"].values():
        plain = re.compile("|".join(words), re.IGNORECASE)
        grouped = R._compile_cue_words(words)
        for text in texts:
            assert [m.span() for m in grouped.finditer(text)] == [m.span() for m in plain.finditer(text)], text


def test_import_is_lazy_and_changes_nothing_global():
    # the package itself is imported first: numpy, which it loads, adds warning filters
    code = (
        "import json, logging, os, sys, warnings, triage; env = dict(os.environ); path = list(sys.path); "
        "filters = list(warnings.filters); level = logging.getLogger().level; "
        "import triage._redact as r; "
        "print(json.dumps({'loaded': r._rules.cache_info().currsize, 'env': env == dict(os.environ), "
        "'path': path == sys.path, 'warnings': filters == warnings.filters, "
        "'level': level == logging.getLogger().level}))"
    )
    out = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert out == {"loaded": 0, "env": True, "path": True, "warnings": True, "level": True}


# --- the labelled data set -------------------------------------------------------------

def evaluate(rows, find=find_personal_data, mask=lambda t: redact(t)[0]) -> dict:
    """Span recall (a gold span counts when a find of the same kind covers it) and the
    share of negative texts (no personal data) that the masking changed."""
    hits = total = 0
    changed = negatives = 0
    for row in rows:
        text = row["text"]
        if not row["spans"]:
            negatives += 1
            changed += mask(text) != text
            continue
        found = find(text)
        for span in row["spans"]:
            start = text.index(span["value"])
            end = start + len(span["value"])
            total += 1
            hits += any(f.kind == span["kind"] and f.start <= start and f.end >= end for f in found)
    return {"recall": hits / total, "negatives_changed": changed / negatives}


def test_data_set_is_well_formed():
    rows = load_cases()
    assert len(rows) >= 250
    per_language = Counter(r["language"] for r in rows)
    assert set(per_language) == LANGUAGES and min(per_language.values()) >= 20
    assert sum(not r["spans"] for r in rows) >= 100
    for row in rows:
        for span in row["spans"]:
            assert span["kind"] in {"EMAIL", "PHONE", "IBAN", "CARD", "NATIONAL_ID"}
            assert row["text"].count(span["value"]) == 1, (row["text"], span["value"])


def test_the_evaluation_can_fail():
    rows = load_cases()
    assert evaluate(rows, find=lambda t: [], mask=lambda t: t)["recall"] == 0.0
    assert evaluate(rows, mask=lambda t: "[PHONE]")["negatives_changed"] == 1.0


def test_recall_and_false_positives_on_the_data_set():
    scores = evaluate(load_cases())
    assert scores["recall"] >= 0.95, scores
    assert scores["negatives_changed"] <= 0.02, scores
