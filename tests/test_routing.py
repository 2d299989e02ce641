import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from triage._cues import LEVELS
from triage._routing import Router
from triage._teams import TeamTable, parse_teams

TOPICS = ["billing", "refund", "delivery", "technical"]
LANGS = ["en", "hr", "de", "et"]


def make_router(team_specs):
    teams, problems = parse_teams({"teams": team_specs}, TOPICS)
    assert not problems, problems
    return Router(TeamTable(teams, TOPICS))


team_strategy = st.fixed_dictionaries({
    "languages": st.lists(st.sampled_from(LANGS), min_size=1, max_size=3, unique=True),
    "topics": st.dictionaries(st.sampled_from(TOPICS), st.integers(1, 5), min_size=1, max_size=4),
    "capacity": st.integers(0, 6),
    "translation": st.booleans(),
    "takes_critical": st.booleans(),
})
message_strategy = st.tuples(st.sampled_from(LANGS), st.integers(0, 3), st.sampled_from(LEVELS),
                             st.floats(0.3, 1.0), st.sampled_from(["chat", "email", None]))


def run(router, messages):
    lang = np.array([m[0] for m in messages], dtype=object)
    proba = np.full((len(messages), len(TOPICS)), 0.0)
    for i, m in enumerate(messages):
        proba[i] = (1 - m[3]) / (len(TOPICS) - 1)
        proba[i, m[1]] = m[3]
    urgency = np.array([m[2] for m in messages], dtype=object)
    score = np.array([LEVELS.index(m[2]) / 3 for m in messages])
    channel = np.array([m[4] for m in messages], dtype=object)
    received = np.array(["2026-11-20T10:00:00+01:00"] * len(messages), dtype=object)
    out = router.assign(lang, proba, urgency, score, channel, received)
    return out, (lang, proba.argmax(1), np.array([LEVELS.index(u) for u in urgency]))


@settings(max_examples=150, deadline=None)
@given(st.lists(team_strategy, min_size=1, max_size=5), st.lists(message_strategy, min_size=1, max_size=40))
def test_routing_properties(team_specs, messages):
    specs = [{**s, "name": f"team-{i}"} for i, s in enumerate(team_specs)]
    router = make_router(specs)
    out, (lang, top, level) = run(router, messages)
    names = router.table.names
    chosen = np.array([names.index(t) if t is not None else -1 for t in out["team"]])
    # 1. capacity is never exceeded
    for j, spec in enumerate(specs):
        assert np.sum(chosen == j) <= spec["capacity"]
    speaks, covers, translating, eligible = router.eligibility(lang, top, level)
    for i, j in enumerate(chosen):
        if j < 0:
            assert out["team_reason"][i]
            continue
        # 2. the team speaks the language, or the reason says it translates
        assert speaks[i, j] or (translating[i, j] and out["team_reason"][i].startswith("translates"))
        assert eligible[i, j]
    # 3. no more urgent message is left out while a less urgent one took a slot of a
    #    team that could have served both
    for i in np.flatnonzero(chosen < 0):
        for k in np.flatnonzero(chosen >= 0):
            if level[k] < level[i]:
                assert not eligible[i, chosen[k]], (i, k)
    # 4. the same input gives the same assignment
    again, _ = run(router, messages)
    assert list(again["team"]) == list(out["team"])


def test_capacity_is_used_when_demand_exceeds_it():
    specs = [{"name": f"t{i}", "languages": ["en", "hr"], "topics": {t: 3 for t in TOPICS}, "capacity": 7}
             for i in range(5)]
    router = make_router(specs)
    rng = np.random.default_rng(0)
    messages = [(str(rng.choice(["en", "hr"])), int(rng.integers(0, 4)), str(rng.choice(LEVELS)), 0.9, "email")
                for _ in range(60)]
    out, _ = run(router, messages)
    used = sum(t is not None for t in out["team"])
    assert used >= 0.95 * 35


def test_uncertain_topic_prefers_the_team_that_covers_both_topics():
    router = make_router([
        {"name": "billing-only", "languages": ["en"], "topics": {"billing": 5}, "capacity": 5},
        {"name": "swarm", "languages": ["en"], "topics": {"billing": 4, "refund": 4}, "capacity": 5},
    ])
    proba = np.array([[0.5, 0.45, 0.025, 0.025], [0.97, 0.01, 0.01, 0.01]])
    out = router.assign(np.array(["en", "en"], dtype=object), proba, np.array(["medium", "medium"], dtype=object),
                        np.array([0.3, 0.3]), np.array(["email", "email"], dtype=object),
                        np.array([None, None], dtype=object))
    assert list(out["team"]) == ["swarm", "billing-only"]
    assert "topic uncertain" in out["team_reason"][0]


def test_no_speaker_means_translation_or_null_with_reason():
    router = make_router([
        {"name": "hr-desk", "languages": ["hr"], "topics": ["delivery"], "capacity": 2},
        {"name": "translators", "languages": ["en"], "topics": ["delivery", "billing"], "capacity": 2,
         "translation": True},
    ])
    proba = np.array([[0, 0, 1.0, 0], [1.0, 0, 0, 0], [0, 0, 1.0, 0]])
    out = router.assign(np.array(["et", "hr", "hr"], dtype=object), proba,
                        np.array(["low"] * 3, dtype=object), np.zeros(3), np.array([None] * 3, dtype=object),
                        np.array([None] * 3, dtype=object))
    assert out["team"][0] == "translators" and out["team_reason"][0].startswith("translates et")
    assert out["team"][1] == "translators"  # no hr speaker handles billing
    assert out["team"][2] == "hr-desk"
    router = make_router([{"name": "hr-desk", "languages": ["hr"], "topics": ["delivery"], "capacity": 2}])
    out = router.assign(np.array(["et"], dtype=object), np.array([[0, 0, 1.0, 0]]), np.array(["low"], dtype=object),
                        np.zeros(1), np.array([None], dtype=object), np.array([None], dtype=object))
    assert out["team"][0] is None and "no team speaks et" in out["team_reason"][0]


def test_on_shift_team_is_preferred_and_sla_counts_working_hours():
    router = make_router([
        {"name": "day", "languages": ["en"], "topics": ["billing"], "capacity": 5, "hours": "08:00-16:00",
         "timezone": "Europe/Zagreb", "days": "mon-fri"},
        {"name": "night", "languages": ["en"], "topics": ["billing"], "capacity": 5, "hours": "22:00-06:00",
         "timezone": "Europe/Zagreb", "days": "mon-sun"},
    ])
    proba = np.array([[1.0, 0, 0, 0], [1.0, 0, 0, 0]])
    out = router.assign(np.array(["en", "en"], dtype=object), proba, np.array(["medium"] * 2, dtype=object),
                        np.array([0.3, 0.3]), np.array(["email", "chat"], dtype=object),
                        np.array(["2026-11-20T23:30:00+01:00", "2026-11-20T15:55:00+01:00"], dtype=object))
    assert list(out["team"]) == ["night", "day"]
    # chat: 10 working minutes; 5 before 16:00 Friday, the rest on Monday from 08:00
    assert out["sla_due"][1] == "2026-11-23T08:05:00+01:00"
    assert "on shift until 16:00" in out["team_reason"][1]
