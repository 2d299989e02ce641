from triage._cli import main
from triage._teams import coverage_problems, parse_teams

TOPICS = ["billing", "delivery"]


def test_parse_list_and_levels_shift_and_unknown_keys():
    teams, problems = parse_teams({"teams": [
        {"name": "a", "languages": ["hr", "SL"], "topics": ["billing"], "capacity": 3, "hours": "22:00-06:00",
         "timezone": "Europe/Zagreb", "days": "fri-mon", "queue_id": 17},
        {"name": "b", "languages": "en", "topics": {"delivery": 5}, "capacity": 0, "hours": "24/7"},
    ]}, TOPICS)
    assert problems == []
    a, b = teams
    assert a.languages == ("hr", "sl") and a.skills == {"billing": 4}
    assert a.shift.overnight and a.shift.days == (True, False, False, False, True, True, True)
    assert a.extra == {"queue_id": 17}
    assert b.shift.always and b.skills == {"delivery": 5}


def test_every_problem_is_listed():
    _, problems = parse_teams({"teams": [
        {"name": "a", "languages": [], "topics": {"billing": 9, "shoes": 1}, "capacity": "ten",
         "hours": "9-5", "timezone": "Nowhere/City", "days": "someday"},
        {"name": "a", "languages": ["en"], "topics": ["delivery"], "capacity": 1},
    ]}, TOPICS)
    text = "\n".join(problems)
    for needle in ("'languages' must be", "integer 1-5", "unknown topic 'shoes'", "'capacity' must be",
                   "hours '9-5'", "timezone 'Nowhere/City'", "days 'someday'", "used twice"):
        assert needle in text, needle


def test_coverage():
    teams, _ = parse_teams({"teams": [{"name": "a", "languages": ["en"], "topics": ["billing"], "capacity": 1}]},
                           TOPICS)
    assert coverage_problems(teams, TOPICS, ["en", "et"]) == [
        "no team speaks 'et', a language the deployment supports", "no team covers topic 'delivery'"]


def test_teams_check_command(tmp_path, capsys):
    good = tmp_path / "good.yaml"
    good.write_text("teams:\n" + "".join(
        f"  - {{name: t{i}, languages: [{lang}], topics: [billing, refund, delivery, product_defect, technical, "
        f"account, service_quality, security_privacy, cancellation, general], capacity: 5}}\n"
        for i, lang in enumerate(["en", "de", "fr", "es", "it", "pl", "cs", "sk", "sl", "hr", "et"])))
    assert main(["teams", "check", str(good)]) == 0
    assert "11 teams, 55 slots" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text('{"teams": [{"name": "x", "languages": ["en"], "topics": ["nope"], "capacity": 1}]}')
    assert main(["teams", "check", str(bad)]) == 1
    assert "unknown topic 'nope'" in capsys.readouterr().out
