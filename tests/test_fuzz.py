"""Hostile input, fuzzed with a bounded budget: every record comes out, nothing raises."""
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage._readers import read_chunks

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)
records = st.one_of(
    st.fixed_dictionaries({"text": st.text(max_size=200)}, optional={"id": json_values, "channel": json_values,
                                                                        "received_at": json_values,
                                                                        "subject": json_values}),
    json_values,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(records.map(lambda r: json.dumps(r).encode()), st.binary(max_size=80)),
                min_size=1, max_size=12))
def test_jsonl_reader_and_triage_never_lose_a_record(triager, lines):
    lines = [line.replace(b"\n", b" ").replace(b"\r", b" ") for line in lines]
    data = b"\n".join(lines) + b"\n"
    recs = [r for chunk in read_chunks("-", chunk_size=5, stdin=io.BytesIO(data)) for r in chunk]
    expected = sum(1 for line in lines if line.decode("utf-8", "replace").strip().lstrip("\ufeff"))
    assert len(recs) == expected
    out = list(triager.triage_records(recs))
    assert [o["id"] for o in out] == [r["id"] for r in recs]
    for o in out:
        assert ("error" in o) or ("language" in o and "topic" in o)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(max_size=300), min_size=1, max_size=8))
def test_any_text_gets_a_result(triager, texts):
    results = triager.triage_batch(texts)
    assert len(results) == len(texts)
    for text, r in zip(texts, results):
        assert (r.error is not None) == (not text.strip())
