import json
import subprocess
import sys

import triage


def test_public_names_are_exactly_these():
    assert sorted(triage.__all__) == sorted([
        "ConfigError", "InputFormatError", "Message", "MissingExtraError", "ModelIntegrityError",
        "PipelineError", "TriageError", "TriageResult", "Triager", "__version__",
    ])
    for name in triage.__all__:
        assert hasattr(triage, name)


def test_errors_subclass_the_builtins_callers_catch():
    assert issubclass(triage.ConfigError, ValueError)
    assert issubclass(triage.InputFormatError, ValueError)
    assert issubclass(triage.ModelIntegrityError, ValueError)
    assert issubclass(triage.MissingExtraError, ImportError)
    assert issubclass(triage.PipelineError, triage.TriageError)


def test_import_is_light_and_changes_nothing_global():
    code = (
        "import logging, os, sys, json; env = dict(os.environ); level = logging.getLogger().level; "
        "handlers = len(logging.getLogger().handlers); import triage; "
        "print(json.dumps({'env': env == dict(os.environ), 'level': level == logging.getLogger().level, "
        "'handlers': handlers == len(logging.getLogger().handlers), "
        "'heavy': sorted(m for m in ('lingua', 'py3langid', 'scipy', 'pyarrow', 'torch', 'pandas') if m in sys.modules)}))"
    )
    out = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert out == {"env": True, "level": True, "handlers": True, "heavy": []}


def test_contract_keys_of_a_single_message(triager):
    r = triager.triage("Paket nije stigao već 3 tjedna!", channel="email")
    d = r.to_dict()
    assert d["id"] == 1
    for key in ("language", "language_confidence", "sentiment", "sentiment_score", "urgency",
                "urgency_score", "topic", "topic_confidence"):
        assert key in d, key
    assert d["language"] == "hr"
    assert 0.0 <= d["language_confidence"] <= 1.0
    assert -1.0 <= d["sentiment_score"] <= 1.0
    assert d["topic"] in {"billing", "refund", "delivery", "product_defect", "technical", "account",
                          "service_quality", "security_privacy", "cancellation", "general"}


def test_every_stage_writes_its_keys(triager):
    d = triager.triage("My invoice shows a double charge for October.").to_dict()
    assert isinstance(d["kb"], list)
    assert d["team"] and d["team_reason"] and d["sla_due"] is None  # no received time, no deadline


def test_switched_off_stages_are_absent_not_faked():
    import triage

    d = triage.Triager(teams=False, kb=False).triage("My invoice shows a double charge for October.").to_dict()
    assert "team" not in d and "sla_due" not in d and "kb" not in d
    assert d["topic"]
