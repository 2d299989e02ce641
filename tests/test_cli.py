import json
import subprocess
import sys

import pytest

from triage._cli import main


def run_cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "triage._cli", *args], input=stdin,
                          capture_output=True, text=True)


def test_run_jsonl_keeps_order_ids_and_error_lines(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join([
        json.dumps({"id": "x1", "text": "Moja narudžba nije stigla, molim provjerite."}),
        "{broken",
        json.dumps({"text": "Ich wurde zweimal belastet, bitte erstatten Sie den Betrag."}),
        json.dumps({"id": "x4", "text": None}),
        json.dumps({"id": "x5", "text": "   "}),
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["run", str(src), "-o", str(out), "--quiet"]) == 0
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["x1", 2, 3, "x4", "x5"]
    assert rows[0]["language"] == "hr" and rows[2]["language"] == "de"
    assert "not valid JSON" in rows[1]["error"] and set(rows[1]) == {"id", "error"}
    assert rows[3]["error"] == "record has no 'text'" and rows[4]["error"] == "'text' is empty"
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_output_format_follows_extension(tmp_path, fixtures, suffix):
    out = tmp_path / f"out{suffix}"
    assert main(["run", str(fixtures / "sample.csv"), "-o", str(out), "-q"]) == 0
    if suffix == ".csv":
        import csv

        rows = list(csv.DictReader(out.open(encoding="utf-8")))
        assert [r["id"] for r in rows] == ["c1", "c2", "c3"]
        assert rows[0]["language"] == "en" and rows[2]["language"] == "de" and rows[1]["error"]
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(out)
        assert table.column("id").to_pylist() == ["c1", "c2", "c3"]
        assert table.column("language").to_pylist()[2] == "de"


def test_mbox_and_eml_folder_end_to_end(tmp_path, fixtures):
    out = tmp_path / "mail.jsonl"
    assert main(["run", str(fixtures / "sample.mbox"), "-o", str(out), "-q"]) == 0
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r.get("language") for r in rows] == ["hr", "cs", None]
    assert main(["run", str(fixtures / "eml"), "-o", str(out), "-q"]) == 0
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["language"] for r in rows] == ["pl", "et"]


def test_stdin_to_stdout():
    res = run_cli("run", "-", stdin='{"id": 7, "text": "Nemůžu se přihlásit do aplikace."}\n')
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["language"] == "cs"


def test_cannot_run_at_all_is_one_line_without_traceback(tmp_path):
    res = run_cli("run", str(tmp_path / "missing.jsonl"))
    assert res.returncode == 2
    assert res.stderr.strip().startswith("triage: error:") and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    res = run_cli("run", str(tmp_path / "x.docx"))
    assert res.returncode == 2 and "cannot tell the format" in res.stderr


def test_help_imports_no_models():
    code = ("import sys; from triage._cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('lingua', 'py3langid', 'scipy', 'torch') if m in sys.modules))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.stdout.strip().splitlines()[-1] == "[]"


def test_run_with_teams_where_capacity_binds(tmp_path):
    teams = tmp_path / "teams.yaml"
    teams.write_text(
        "teams:\n"
        "  - {name: hr-desk, languages: [hr], topics: [delivery, refund, billing, product_defect, technical, account,"
        " service_quality, security_privacy, cancellation, general], capacity: 2, hours: '24/7'}\n")
    src = tmp_path / "in.jsonl"
    texts = ["Paket nije stigao već tri tjedna, gdje je?", "Netko mi upravo skida novac s računa, hitno!",
             "Imate li radno vrijeme subotom?", "Račun za listopad je dvostruko naplaćen."]
    src.write_text("".join(json.dumps({"id": i, "text": t, "received_at": "2026-11-20T10:00:00+01:00"},
                                      ensure_ascii=False) + "\n" for i, t in enumerate(texts)), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["run", str(src), "-o", str(out), "--teams", str(teams), "-q", "--batch-size", "1"]) == 0
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["id"] for r in rows] == [0, 1, 2, 3]
    assert sum(r["team"] == "hr-desk" for r in rows) == 2  # capacity holds across batches
    levels = ["low", "medium", "high", "critical"]
    taken = [levels.index(r["urgency"]) for r in rows if r["team"]]
    left = [levels.index(r["urgency"]) for r in rows if not r["team"]]
    assert min(taken) >= max(left)  # the more urgent messages claimed the slots
    assert all(r["team_reason"] for r in rows)
    assert any(r["team"] is None and "at capacity" in r["team_reason"] for r in rows)
    assert all(r["sla_due"] for r in rows)


def test_bad_teams_file_stops_before_work(tmp_path):
    teams = tmp_path / "teams.yaml"
    teams.write_text("teams: [{name: x, languages: [en], topics: [shoes], capacity: 1}]\n")
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "hello"}\n')
    res = run_cli("run", str(src), "--teams", str(teams))
    assert res.returncode == 2 and "unknown topic 'shoes'" in res.stderr and "Traceback" not in res.stderr


def test_output_is_identical_across_batch_sizes(tmp_path):
    src = tmp_path / "in.jsonl"
    texts = ["Paket nije stigao, trazim povrat novca!", "Mein Passwort funktioniert nicht mehr.",
             "Facture en double ce mois-ci, merci de corriger.", "", "Tere, arve on vale.",
             "Zamówienie przyszło uszkodzone.", "Someone logged into my account from abroad!!"] * 5
    src.write_text("".join(json.dumps({"id": i, "text": t, "received_at": "2026-11-20T09:00:00+01:00",
                                       "channel": "email"}, ensure_ascii=False) + "\n"
                           for i, t in enumerate(texts)), encoding="utf-8")
    outs = []
    for size in ("1", "3", "2048"):
        out = tmp_path / f"out{size}.jsonl"
        assert main(["run", str(src), "-o", str(out), "-q", "--batch-size", size]) == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] == outs[2]


def test_hostile_text_still_gets_its_line(tmp_path):
    src = tmp_path / "in.jsonl"
    records = [{"id": "nul", "text": "Pa\x00ket ni\x1bje stigao"}, {"id": "huge", "text": "reklamacija " * 900_000},
               {"id": "word", "text": "x" * 200_000}, {"id": "emoji", "text": "😡😡😡"},
               {"id": "rtl", "text": "הזמנה שלי לא הגיעה"}, {"id": "html", "text": "<p>&nbsp;</p>"}]
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["run", str(src), "-o", str(out), "-q"]) == 0
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    assert rows[0]["language"] == "hr"
    assert rows[3]["language"] == "und" and rows[4]["language"] == "und"


def test_killed_run_resumes_without_duplicates_or_gaps(tmp_path):
    import signal
    import time

    src = tmp_path / "in.jsonl"
    texts = ["Paket nije stigao.", "Refund please, order 55.", "Heslo nefunguje.", "Arve on vale."]
    src.write_text("".join(json.dumps({"id": i, "text": texts[i % 4] + f" #{i}"}) + "\n" for i in range(3000)),
                   encoding="utf-8")
    full = tmp_path / "full.jsonl"
    assert main(["run", str(src), "-o", str(full), "-q", "--no-teams", "--batch-size", "50"]) == 0
    out = tmp_path / "out.jsonl"
    part = tmp_path / "out.jsonl.part"
    proc = subprocess.Popen([sys.executable, "-m", "triage._cli", "run", str(src), "-o", str(out), "-q",
                             "--no-teams", "--batch-size", "50"], stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and (not part.exists() or part.stat().st_size < 20_000):
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "continue with --resume" in err and not out.exists() and part.exists()
    done = sum(1 for _ in part.open(encoding="utf-8"))
    assert 0 < done < 3000
    with part.open("ab") as f:  # a half-written last line is cut on resume
        f.write(b'{"id": 99')
    assert main(["run", str(src), "-o", str(out), "-q", "--no-teams", "--batch-size", "50", "--resume"]) == 0
    assert out.read_bytes() == full.read_bytes()
    assert not part.exists()


def test_with_text_and_redact(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": 1, "text": "Call me on +385 91 234 5678 or jana@example.com, card "
                                                "4111 1111 1111 1111."}) + "\n" + json.dumps({"id": 2}) + "\n",
                   encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["run", str(src), "-o", str(out), "-q", "--with-text", "--redact"]) == 0
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert "[PHONE]" in rows[0]["text"] and "[EMAIL]" in rows[0]["text"] and "[CARD]" in rows[0]["text"]
    assert "jana@" not in out.read_text("utf-8") and "4111" not in out.read_text("utf-8")
    assert "text" not in rows[1] and rows[1]["error"]


def test_logs_and_stderr_never_contain_message_text(tmp_path, capsys, caplog):
    import logging

    secret = "Zyxwvu-Secret-Text"
    records = [json.dumps({"id": 1, "text": f"{secret} my parcel is late", "channel": f"{secret}-channel",
                           "received_at": f"{secret}-date"}),
               '{"id": 2, "text": "' + secret + ' cut off',
               json.dumps({"id": 3, "text": [secret]}), json.dumps({"id": 4, "text": "x" * 6000 + secret})]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(records) + "\n", encoding="utf-8")
    caplog.set_level(logging.DEBUG)
    assert main(["run", str(src), "-o", str(tmp_path / "out.jsonl"), "--redact"]) == 0
    assert main(["run", str(src), "-o", str(tmp_path / "out.csv"), "--no-teams", "--batch-size", "1"]) == 0
    captured = capsys.readouterr()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert secret not in captured.err and secret not in captured.out and secret not in logged
    assert secret in (tmp_path / "out.csv").read_text("utf-8")  # the output itself still carries it (warnings)
