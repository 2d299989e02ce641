import pytest

from triage import ConfigError
from triage._language import LanguageIdentifier

# Written for this test, one everyday complaint per language, some without diacritics.
SAMPLES = {
    "en": "I have been waiting three weeks for my parcel and nobody answers my emails.",
    "de": "Ich warte seit drei Wochen auf mein Paket und niemand beantwortet meine Mails.",
    "fr": "J'attends mon colis depuis trois semaines et personne ne répond à mes messages.",
    "es": "Llevo tres semanas esperando mi paquete y nadie contesta mis correos.",
    "it": "Aspetto il mio pacco da tre settimane e nessuno risponde alle mie email.",
    "pl": "Czekam na paczke juz trzy tygodnie i nikt nie odpowiada na moje maile.",
    "cs": "Na balik cekam uz tri tydny a nikdo mi neodpovida na emaily.",
    "sk": "Na balik cakam uz tri tyzdne a nikto mi neodpoveda na maily.",
    "sl": "Na paket cakam ze tri tedne in nihce ne odgovori na moja sporocila.",
    "hr": "Cekam paket vec tri tjedna i nitko ne odgovara na moje mailove.",
    "et": "Ootan oma pakki juba kolm nädalat ja keegi ei vasta mu kirjadele.",
}


@pytest.fixture(scope="module")
def ident():
    return LanguageIdentifier()


def test_each_default_language_is_recognized(ident):
    codes, conf = ident.detect(list(SAMPLES.values()))
    assert list(codes) == list(SAMPLES)
    assert all(0.3 < c <= 1.0 for c in conf)


def test_text_without_language_is_und(ident):
    codes, _ = ident.detect(["12345 678", "😀😀😀", "", "  !!! "])
    assert list(codes) == ["und"] * 4


def test_other_scripts_are_not_forced_into_a_latin_language(ident):
    codes, _ = ident.detect(["Моя посылка не пришла уже три недели", "我的包裹三个星期还没到"])
    assert list(codes) == ["und", "und"]


def test_bosnian_and_serbian_merge_into_croatian_unless_listed():
    assert LanguageIdentifier(["hr", "sl", "en"])._merges == {"bs": "hr", "sr": "hr"}
    assert LanguageIdentifier(["hr", "bs", "en"], backend="lingua")._merges == {"sr": "hr"}


def test_candidate_set_is_configuration():
    ident = LanguageIdentifier(["en", "de"])
    codes, _ = ident.detect([SAMPLES["en"], SAMPLES["de"]])
    assert list(codes) == ["en", "de"]
    with pytest.raises(ConfigError, match="unknown language backend"):
        LanguageIdentifier(backend="nope")
    with pytest.raises(ConfigError, match="not supported"):
        LanguageIdentifier(["en", "xx"]).detect(["hello there my friend"])


def test_every_backend_agrees_on_plain_sentences():
    for backend in ("ensemble-full", "in-domain", "lingua", "py3langid"):
        codes, _ = LanguageIdentifier(backend=backend).detect([SAMPLES["de"], SAMPLES["et"], SAMPLES["pl"]])
        assert list(codes) == ["de", "et", "pl"], backend
