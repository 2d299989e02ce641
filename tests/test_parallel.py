import json

from triage._cli import main


def test_workers_give_the_same_output_as_one_process(tmp_path):
    src = tmp_path / "in.jsonl"
    texts = ["Paket nije stigao već tri tjedna!", "Refund please, order 55 was cancelled.", "Heslo nefunguje.",
             "Arve on vale, palun parandage.", "", "Mein Konto ist gesperrt, dringend!"]
    lines = [json.dumps({"id": f"m{i}", "text": texts[i % len(texts)] + f" #{i}" * (i % 3 > 0),
                         "received_at": "2026-11-20T10:00:00+01:00", "channel": "email"}) for i in range(300)]
    lines.insert(17, "not json")
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert main(["run", str(src), "-o", str(one), "-q", "--batch-size", "40"]) == 0
    assert main(["run", str(src), "-o", str(two), "-q", "--batch-size", "40", "--workers", "2"]) == 0
    assert one.read_bytes() == two.read_bytes()
    rows = [json.loads(line) for line in two.read_text("utf-8").splitlines()]
    assert len(rows) == 301 and rows[17]["error"] and rows[0]["team"]


def test_negative_workers_is_a_usage_error(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "x"}\n', encoding="utf-8")
    assert main(["run", str(src), "--workers", "-1"]) == 2
    assert "--workers" in capsys.readouterr().err
