"""Knowledge-base suggestions for the whole batch at once.

Articles (a folder of Markdown with front matter, or JSONL) are indexed by three views:
hashed word and within-word character n-grams of the folded text (robust to Slavic and
Estonian inflection), and multilingual concepts (rules/concepts.json), which let a
Croatian or Estonian complaint reach an English article without translation. A batch
is scored with sparse matrix products, a topic prior from the topic probabilities is
added, versions of one article are pooled, and the top k come from argpartition. An
article is suggested in the customer's language when a version exists. Below a
calibrated score nothing is suggested: no article is better than a wrong one.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from ._batch import Batch
from ._concepts import ConceptMatcher, lexicon_digest
from ._errors import ConfigError
from ._text import fold, prepare

INDEX_VERSION = 1
#: Score weights and the threshold, tuned on half of corpora/kb/queries.jsonl
#: (benchmarks/kb/RESULTS.md reports the other half).
W_LEXICAL = 0.5
W_CONCEPT = 0.5
W_TOPIC = 0.15
MIN_SCORE = 0.2
#: Weight of the dense cosine similarity when an encoder is given (extra [embeddings]).
W_DENSE = 0.5
TOP_K = 3
FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True)
class Article:
    id: str
    canonical: str
    title: str
    body: str
    language: str
    topic: str | None = None


def _front_matter(text: str, where: str) -> tuple[dict, str]:
    if not text.startswith("---"):
        raise ConfigError(f"{where}: a KB article must start with '---' front matter (id, title, language)")
    _, _, rest = text.partition("\n")
    head, sep, body = rest.partition("\n---")
    if not sep:
        raise ConfigError(f"{where}: the front matter is not closed by '---'")
    import yaml

    try:
        meta = yaml.safe_load(head) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: front matter is not valid YAML ({exc})") from exc
    return meta, body.partition("\n")[2]


def _article(meta: Mapping, body: str, where: str) -> Article:
    missing = [k for k in ("id", "title", "language") if not meta.get(k)]
    if missing:
        raise ConfigError(f"{where}: article lacks {', '.join(missing)}")
    return Article(id=str(meta["id"]), canonical=str(meta.get("translation_of") or meta["id"]),
                   title=str(meta["title"]), body=str(body or meta.get("body") or ""),
                   language=str(meta["language"]).lower(), topic=meta.get("topic"))


def load_articles(path: str | Path) -> list[Article]:
    """Articles from a folder of .md files or a .jsonl file, in a stable order."""
    path = Path(path)
    articles: list[Article] = []
    if path.is_dir():
        files = sorted(path.rglob("*.md"))
        if not files:
            raise ConfigError(f"KB folder {str(path)!r} holds no .md articles")
        for f in files:
            meta, body = _front_matter(f.read_text("utf-8"), str(f))
            articles.append(_article(meta, body, str(f)))
    elif path.is_file():
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if line.strip():
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ConfigError(f"{path}:{n}: not valid JSON ({exc})") from exc
                articles.append(_article(rec, rec.get("body", ""), f"{path}:{n}"))
    else:
        raise ConfigError(f"KB {str(path)!r} does not exist; give a folder of .md articles or a .jsonl file")
    ids = [a.id for a in articles]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise ConfigError(f"KB article ids are not unique: {dup[:5]}")
    return articles


def default_kb_path() -> Path:
    return Path(__file__).resolve().parent / "data" / "kb.jsonl"


def _digest(articles: Sequence[Article]) -> str:
    h = hashlib.sha256(f"kb-index-{INDEX_VERSION}-{lexicon_digest()}".encode())
    for a in articles:
        h.update(json.dumps([a.id, a.canonical, a.title, a.body, a.language, a.topic]).encode("utf-8"))
    return h.hexdigest()


def _normalize_rows(m: sp.csr_matrix) -> sp.csr_matrix:
    """Rows scaled to unit L2 norm (empty rows stay empty), on the data array directly."""
    from .models._featurizer import segment_sums

    m = sp.csr_matrix(m, dtype=np.float32)
    norms = np.sqrt(segment_sums(np.square(m.data), m.indptr))
    norms[norms == 0] = 1.0
    data = m.data * np.repeat((1.0 / norms).astype(np.float32), np.diff(m.indptr))
    return sp.csr_matrix((data, m.indices, m.indptr), shape=m.shape)


class KnowledgeBase:
    """Stage: reads prepared/folded text, language and (when present) topic
    probabilities; writes ``kb``, a list of {id, score, language} per message."""

    name = "kb"
    reads = ("prepared_text", "folded_text", "language", "ngram_counts", "concept_counts")
    writes = ("kb",)
    output_keys = ("kb",)

    def __init__(self, path: str | Path | None = None, topics: Sequence[str] | None = None,
                 cache_dir: str | Path | None = None, k: int = TOP_K, encoder=None) -> None:
        self.path = Path(path) if path else default_kb_path()
        self.topics = list(topics) if topics else None
        self.cache_dir = cache_dir
        self.k = k
        self.encoder = encoder
        if self.topics:
            self.reads = self.reads + ("topic_proba",)
        self._index = None

    # -- index ------------------------------------------------------------------------
    def _featurizer(self):
        from .models._featurizer import Featurizer

        return Featurizer(bits=18, char_range=(3, 5), min_df=1)

    def index(self):
        if self._index is None:
            self._index = self._load_or_build()
        return self._index

    def _cache_file(self, digest: str) -> Path | None:
        base = self.cache_dir
        if base is None:
            base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "triage"
        return Path(base) / f"kb-index-{digest[:24]}.npz" if base else None

    def _load_or_build(self):
        articles = load_articles(self.path)
        digest = _digest(articles)
        cache = self._cache_file(digest)
        fz = self._featurizer()
        if cache is not None and cache.is_file():
            try:
                with np.load(cache, allow_pickle=False) as z:
                    if str(z["digest"]) == digest:
                        fz.set_state(z["vocab"], z["idf"])
                        lex = sp.csr_matrix((z["lex_data"], z["lex_indices"], z["lex_indptr"]),
                                            shape=tuple(z["lex_shape"]))
                        return self._finish(articles, fz, lex)
            except (OSError, KeyError, ValueError):
                pass  # a damaged or foreign cache is rebuilt
        texts = [fold(prepare(f"{a.title}\n{a.title}\n{a.body}", None)[0]) for a in articles]
        raw = fz.raw(texts)
        fz.fit(raw)
        lex = _normalize_rows(fz.transform(raw))
        if cache is not None:
            try:
                cache.parent.mkdir(parents=True, exist_ok=True)
                tmp = cache.with_suffix(".tmp.npz")
                np.savez(tmp, digest=np.array(digest), vocab=fz.vocab_, idf=fz.idf_, lex_data=lex.data,
                         lex_indices=lex.indices, lex_indptr=lex.indptr, lex_shape=np.array(lex.shape))
                os.replace(tmp, cache)
            except OSError:
                pass  # no writable cache: the index lives in memory only
        return self._finish(articles, fz, lex)

    def _finish(self, articles, fz, lex):
        concepts = ConceptMatcher()
        texts = [fold(f"{a.title}\n{a.title}\n{a.body}") for a in articles]
        con = _normalize_rows(concepts.counts(texts).log1p())
        canon = sorted({a.canonical for a in articles})
        group = np.array([canon.index(a.canonical) for a in articles])
        topic_of = {}
        for a in articles:
            if a.topic and a.canonical not in topic_of:
                topic_of[a.canonical] = a.topic
        dense = None
        if self.encoder is not None:
            dense = self.encoder.encode([f"{a.title}. {a.body}" for a in articles])
        lang = np.array([a.language for a in articles], dtype=object)
        languages = sorted(set(lang))
        lang_index = {code: i for i, code in enumerate(languages)}
        # version_table[article, language]: the version to show; the last column serves
        # languages the KB does not have (the fallback language's version, else the first)
        version_table = np.zeros((len(canon), len(languages) + 1), dtype=np.int64)
        for g in range(len(canon)):
            versions = {lang[j]: j for j in np.flatnonzero(group == g)}
            default = versions.get(FALLBACK_LANGUAGE, next(iter(versions.values())))
            version_table[g] = [versions.get(code, default) for code in languages] + [default]
        pool_order = np.argsort(group, kind="stable")
        pool_starts = np.flatnonzero(np.r_[True, np.diff(group[pool_order]) != 0])
        return {"articles": articles, "featurizer": fz, "lex": lex, "concepts": concepts, "con": con,
                "dense": dense, "lang_index": lang_index, "version_table": version_table,
                "article_ids": np.array([a.id for a in articles], dtype=object),
                "pool_order": pool_order, "pool_starts": pool_starts,
                "canon": canon, "group": group, "topic_of": [topic_of.get(c) for c in canon],
                "lang": np.array([a.language for a in articles], dtype=object)}

    # -- scoring ----------------------------------------------------------------------
    def scores(self, folded: Sequence[str], topic_proba: np.ndarray | None = None, raw=None, concepts=None,
               texts: Sequence[str] | None = None):
        """(messages x articles) combined scores, per version of each article; ``texts``
        (the prepared text) feed the dense encoder when there is one."""
        ix = self.index()
        q_lex = _normalize_rows(ix["featurizer"].transform(raw if raw is not None else list(folded)))
        concepts = ix["concepts"].counts(list(folded)) if concepts is None else concepts
        q_con = _normalize_rows(concepts.log1p())
        # articles x messages, then transposed: the product walks the few article rows
        # against the messages' columns, a third faster than messages x articles
        s = (W_LEXICAL * (ix["lex"] @ q_lex.T.tocsr()).toarray()
             + W_CONCEPT * (ix["con"] @ q_con.T.tocsr()).toarray()).T
        if topic_proba is not None and self.topics:
            # each version's topic column (-1: no topic), read in one gather
            topic_col = np.array([self.topics.index(t) if t in self.topics else -1
                                  for t in (ix["topic_of"][g] for g in ix["group"])], dtype=np.int64)
            if (topic_col >= 0).any():
                proba = np.asarray(topic_proba, dtype=np.float64)
                prior = np.where(topic_col >= 0, proba[:, np.maximum(topic_col, 0)], 0.0)
                s = s + W_TOPIC * prior
        if ix["dense"] is not None:
            q = self.encoder.encode(list(texts if texts is not None else folded))
            s = s + W_DENSE * (q @ ix["dense"].T)
        return s

    def search(self, folded: Sequence[str], languages: Sequence[str], topic_proba=None, k: int | None = None,
               raw=None, concepts=None, texts=None):
        """(ids, scores, languages) arrays of shape (n, k); empty id where nothing qualifies."""
        k = k or self.k
        ix = self.index()
        s = self.scores(folded, topic_proba, raw, concepts, texts)
        n_canon = len(ix["canon"])
        order, starts = ix["pool_order"], ix["pool_starts"]
        pooled = np.maximum.reduceat(s[:, order], starts, axis=1)  # best version of each article
        k_eff = min(k, n_canon)
        top = np.argpartition(-pooled, k_eff - 1, axis=1)[:, :k_eff]
        order = np.take_along_axis(pooled, top, axis=1).argsort(axis=1)[:, ::-1]
        top = np.take_along_axis(top, order, axis=1)
        top_scores = np.take_along_axis(pooled, top, axis=1)
        # the version shown: the message's language, else the fallback language, else any
        lang_col = np.array([ix["lang_index"].get(lang, len(ix["lang_index"])) for lang in languages])
        chosen = ix["version_table"][top, lang_col[:, None]]
        ok = top_scores >= MIN_SCORE
        ids = np.where(ok, ix["article_ids"][chosen], "")
        langs = np.where(ok, ix["lang"][chosen], "")
        return ids, np.round(np.where(ok, top_scores, 0.0), 4), langs

    def predict(self, batch: Batch) -> dict:
        proba = batch["topic_proba"] if self.topics and "topic_proba" in batch else None
        ids, scores, langs = self.search(batch["folded_text"], batch["language"], proba,
                                         raw=batch["ngram_counts"], concepts=batch["concept_counts"],
                                         texts=batch["prepared_text"])
        out = np.empty(batch.n, dtype=object)
        for i, (row_ids, row_scores, row_langs) in enumerate(zip(ids.tolist(), scores.tolist(), langs.tolist())):
            out[i] = [{"id": a, "score": sc, "language": lg} for a, sc, lg in zip(row_ids, row_scores, row_langs) if a]
        return {"kb": out}
