from triage._cues import CueMatcher
from triage._text import fold


def fired(texts, langs):
    _, out = CueMatcher().match([fold(t) for t in texts], langs)
    return out


def test_cues_fire_per_language_on_folded_text():
    out = fired([
        "Smells of gas since the new boiler was installed",
        "Trebam račun do sutra, inače gubim posao",
        "Píšu vám už potřetí a pořád nic",
        "Pakk peab homseks kohal olema",
        "Ich werde meinen Anwalt einschalten",
    ], ["en", "hr", "cs", "et", "de"])
    assert "safety" in out[0]
    assert "deadline_24h" in out[1]
    assert "repeat_contact" in out[2]
    assert "deadline_24h" in out[3]
    assert "legal_action" in out[4]


def test_negation_cancels_a_cue():
    out = fired(["Nothing caught fire, it just stopped working", "Srećom nitko nije ozlijeđen",
                 "Nije mi jasno zašto, ali račun mi treba najkasnije do sutra ujutro"], ["en", "hr", "hr"])
    assert "safety" not in out[0] and "safety" not in out[1]
    assert "deadline_24h" in out[2]  # the negator is too far from the cue to cancel it


def test_plain_question_fires_nothing():
    assert fired(["URGENT!!! what are your opening hours?"], ["en"]) == [[]]


def test_literal_prefixes_of_cue_patterns():
    from triage._cues import literal_prefixes

    assert literal_prefixes("(gas leak|smell(s)? (of )?gas|sparks?)\\b") == ["gas leak", "smell", "spark"]
    assert literal_prefixes("((zum )?(dritten|x-ten) mal)") == ["zum ", "dritten", "x-ten"]
    assert literal_prefixes("(.{0,3}gas)") is None


def test_every_language_pattern_is_gated():
    # a gate skips words that cannot start a cue; every shipped pattern must allow one
    for lang, pattern in CueMatcher()._patterns.items():
        assert pattern.pattern.startswith("\\b(?="), lang


def test_phishing_victim_fires_fraud_now_and_a_refusal_does_not():
    # money can leave within the hour once card details are typed into a fake page
    out = fired([
        "got a text from you, clicked it and put in my card details and the code. was it fake??",
        "Habe auf den Link in der SMS geklickt und meine Kartendaten eingegeben, was nun?",
        "kliknula sam na link iz poruke i upisala podatke kartice",
        "klikkisin lingile ja sisestasin kaardi andmed",
        "I did not click the link and typed in no card details, is this text really from you?",
        "clicked the link in your email and entered my new address, thanks",
    ], ["en", "de", "hr", "et", "en", "en"])
    assert all("fraud_now" in o for o in out[:4]), out[:4]
    assert "fraud_now" not in out[4]  # the click is negated
    assert "fraud_now" not in out[5]  # entering an address is not handing over card details
