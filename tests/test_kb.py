import json
from pathlib import Path

import numpy as np
import pytest

from triage import ConfigError
from triage._kb import KnowledgeBase, default_kb_path, load_articles
from triage._text import fold

ROOT = Path(__file__).resolve().parents[1]

ARTICLES = [
    {"id": "a1", "title": "Parcel marked delivered but not received", "language": "en", "topic": "delivery",
     "body": "If tracking says delivered but the parcel is not there, check with neighbours and the "
             "pick-up point, then report it as not received; we open an investigation with the courier."},
    {"id": "a1-hr", "translation_of": "a1", "title": "Paket označen kao dostavljen, ali nije stigao",
     "language": "hr", "topic": "delivery",
     "body": "Ako praćenje pošiljke kaže da je paket dostavljen, a nije, provjerite kod susjeda i prijavite."},
    {"id": "a2", "title": "Reset your password", "language": "en", "topic": "account",
     "body": "Use 'Forgot password' on the sign-in page; the reset link in the e-mail is valid for one hour."},
]


@pytest.fixture()
def kb_file(tmp_path):
    p = tmp_path / "kb.jsonl"
    p.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in ARTICLES) + "\n", encoding="utf-8")
    return p


def test_markdown_folder_and_errors(tmp_path):
    d = tmp_path / "kb"
    d.mkdir()
    (d / "x.md").write_text("---\nid: x1\ntitle: Hello\nlanguage: en\n---\nBody text\n", encoding="utf-8")
    arts = load_articles(d)
    assert arts[0].id == "x1" and arts[0].body.strip() == "Body text" and arts[0].canonical == "x1"
    (d / "y.md").write_text("no front matter", encoding="utf-8")
    with pytest.raises(ConfigError, match="front matter"):
        load_articles(d)
    with pytest.raises(ConfigError, match="does not exist"):
        load_articles(tmp_path / "missing")


def test_local_version_preferred_and_results_are_arrays(kb_file, tmp_path):
    kb = KnowledgeBase(kb_file, cache_dir=tmp_path / "cache")
    texts = ["Paket piše da je dostavljen ali ga nema", "my parcel says delivered but nothing arrived",
             "forgot my password, the link expired"]
    ids, scores, langs = kb.search([fold(t) for t in texts], ["hr", "en", "en"])
    assert ids.shape == scores.shape == (3, 2)
    assert ids[0, 0] == "a1-hr" and langs[0, 0] == "hr"
    assert ids[1, 0] == "a1" and ids[2, 0] == "a2"
    assert np.all(scores[:, 0] >= scores[:, 1])


def test_cross_language(kb_file, tmp_path):
    kb = KnowledgeBase(kb_file, cache_dir=tmp_path / "cache")
    ids, _, _ = kb.search([fold("Zapomněl jsem heslo a odkaz pro reset nefunguje")], ["cs"])
    assert ids[0, 0] == "a2"  # Czech query, only an English article


def test_index_is_cached_by_content_hash(kb_file, tmp_path):
    cache = tmp_path / "cache"
    KnowledgeBase(kb_file, cache_dir=cache).index()
    files = sorted(cache.glob("kb-index-*.npz"))
    assert len(files) == 1
    before = files[0].stat().st_mtime_ns
    KnowledgeBase(kb_file, cache_dir=cache).index()
    assert files[0].stat().st_mtime_ns == before  # reused, not rebuilt
    kb_file.write_text(kb_file.read_text("utf-8").replace("one hour", "two hours"), encoding="utf-8")
    KnowledgeBase(kb_file, cache_dir=cache).index()
    assert len(list(cache.glob("kb-index-*.npz"))) == 2


def test_shipped_kb_matches_the_corpus():
    shipped = [(a.id, a.title, a.body) for a in load_articles(default_kb_path())]
    corpus = [(a.id, a.title, a.body) for a in load_articles(ROOT / "corpora" / "kb" / "articles")]
    assert shipped == corpus, "run: python corpora/kb/export.py"


def test_triager_output_has_kb(tmp_path):
    import triage

    r = triage.Triager(cache_dir=str(tmp_path)).triage(
        "I was charged twice for the same order, two payments of 59.90 on my card")
    assert r.kb and r.kb[0]["id"].startswith("kb-") and 0 < r.kb[0]["score"] <= 2
