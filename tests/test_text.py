from hypothesis import given, settings
from hypothesis import strategies as st

from triage._text import char_stats, fold, html_to_text, normalize, prepare, strip_quotes_and_signatures


def test_html_becomes_lines_and_entities_are_decoded():
    text = html_to_text("<p>Dobar dan,</p><p>paket&nbsp;nije stigao &amp; nitko se ne javlja<br>Hvala</p>"
                        "<style>p{color:red}</style><blockquote>stara poruka</blockquote>")
    assert "Dobar dan," in text and "paket\xa0nije stigao & nitko" in text
    assert "color" not in text and "stara poruka" not in text


def test_quoted_replies_are_cut_in_many_languages():
    cases = [
        "My parcel is late.\n\nOn Mon, 12 Oct 2026 at 10:00, Shop <a@b.c> wrote:\n> We are sorry",
        "Paket kasni.\n\nDne 12. 10. 2026 v 10:00 Obchod <a@b.c> napsal(a):\nStará zpráva",
        "Paket kasni.\n\nAm 12.10.2026 um 10:00 schrieb Shop <a@b.c>:\nAlte Nachricht",
        "Paket kasni.\n\n-----Original Message-----\nFrom: Shop\nOld text",
        "Paket kasni.\n\nLe lun. 12 oct. 2026 à 10:00, Shop <a@b.c> a écrit :\nAncien",
        "Paket kasni.\n\nW dniu 12.10.2026 o 10:00 Sklep <a@b.c> napisał(a):\nStara",
        "Paket kasni.\n\nFrom: Shop <a@b.c>\nSent: Monday\nTo: me\nSubject: Re: order\nOld",
        "Paket kasni.\n\nE-pood <a@b.c> kirjutas:\nVana kiri",
    ]
    for text in cases:
        assert strip_quotes_and_signatures(text).splitlines()[0] in ("My parcel is late.", "Paket kasni.")
        assert len(strip_quotes_and_signatures(text).splitlines()) == 1, text


def test_signatures_and_closings_are_cut_but_never_everything():
    assert strip_quotes_and_signatures("Refund please.\n\nBest regards,\nJohn Smith\n+44 20 1234") == "Refund please."
    assert strip_quotes_and_signatures("Nemam internet.\n\nPoslano s mog iPhonea") == "Nemam internet."
    assert strip_quotes_and_signatures("> only a quote") == "> only a quote"


def test_fold_removes_diacritics_and_case():
    assert fold("Nemůžu se PŘIHLÁSIT, łódź, Đuro, Straße, õun") == "nemuzu se prihlasit, lodz, duro, strasse, oun"


def test_prepare_adds_subject_and_flags_truncation():
    text, truncated = prepare("x" * 6000, "Invoice")
    assert text.startswith("Invoice\n") and truncated
    text, truncated = prepare("Hello <b>there</b>", None)
    assert text == "Hello there" and not truncated


# The fast paths of normalize, fold and char_stats must give what the plain
# definitions give, on text full of the characters they treat specially.
_TRICKY = " \t\n\r\u00a0\u2003\u3000\u200b\u00ad\x00\x1b\x85ab Zé\u0301ŁßǅΣ!?🙂İ"


def _normalize_by_definition(text: str) -> str:
    import re
    import unicodedata

    text = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff\u00ad]", "",
                  unicodedata.normalize("NFKC", text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+", " ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _fold_by_definition(text: str) -> str:
    import re
    import unicodedata

    text = text.translate(str.maketrans({"ł": "l", "Ł": "L", "ß": "ss"}))
    return re.sub("[\u0300-\u036f]", "", unicodedata.normalize("NFKD", text)).lower()


@given(st.text(alphabet=st.sampled_from(_TRICKY), max_size=40))
@settings(max_examples=400, deadline=None)
def test_normalize_and_fold_match_their_definitions(text):
    assert normalize(text) == _normalize_by_definition(text)
    assert fold(text) == _fold_by_definition(text)


@given(st.lists(st.text(alphabet=st.sampled_from(_TRICKY), max_size=30), min_size=1, max_size=6))
@settings(max_examples=200, deadline=None)
def test_char_stats_counts_each_text_alone(texts):
    stats = char_stats(texts)
    for text, row in zip(texts, stats):
        letters = [c for c in text if c.isalpha() and ord(c) < 0x10000]
        expected = [len(letters), sum(ord(c) < 0x250 for c in letters), sum(c.isupper() for c in letters),
                    text.count("!"), text.count("?"), sum(ord(c) >= 0x1F300 for c in text)]
        assert row.tolist() == expected
