"""Triager: the public entry point. Builds the pipeline once, then triages batches."""
from __future__ import annotations

from typing import Any, Iterable, Iterator, Sequence

from ._batch import Batch
from ._classify import Classifier
from ._language import DEFAULT_LANGUAGES, LanguageIdentifier
from ._ngrams import NgramCounter
from ._pipeline import Pipeline
from ._records import Message, coerce_record
from ._results import TriageResult, iter_rows, results_from_batch
from ._text import TextPreparer
from ._topics import DEFAULT_TOPICS
from ._warnings import InputWarnings


def _records_of(messages: Any) -> Iterator[Any]:
    """Rows of a pandas DataFrame, a pyarrow Table or RecordBatch, or any iterable."""
    if hasattr(messages, "to_pylist"):  # pyarrow Table / RecordBatch
        return iter(messages.to_pylist())
    if hasattr(messages, "to_dict") and hasattr(messages, "columns"):  # pandas DataFrame
        return iter(messages.to_dict(orient="records"))
    if isinstance(messages, (str, bytes)):
        raise TypeError("triage_batch takes an iterable of messages; use triage() for one text")
    return iter(messages)


class Triager:
    """Triage customer messages: language, sentiment, urgency, topic, team and KB.

    Parameters are stored as given; models, teams and the KB load on first use.

    teams: path of a teams file (YAML/JSON), a parsed mapping, None for the shipped
        default, or False for no routing. Capacity is what each team can take now; each
        ``triage_batch`` call (and each ``triage run``) assigns within it.
    kb: path of a knowledge base (JSONL file or folder of Markdown articles), None for the
        shipped default, or False for no suggestions.
    model: directory of a model trained with ``triage train`` or None for the default.
    languages: candidate languages for detection (ISO 639-1 codes).
    language_backend: 'ensemble' (default: lingua + py3langid), 'lingua', 'lingua-low',
        'py3langid' or 'langdetect' (the last needs the [bench] extra).
    batch_size: rows per internal batch in :meth:`triage_batch`.
    cache_dir: where KB indexes are cached (keyed by a hash of the KB); default
        ``$XDG_CACHE_HOME/triage`` or ``~/.cache/triage``.
    embeddings: folder of a local sentence-transformers model; when given, KB
        suggestions add dense similarity, and a model trained with ``triage train
        --embeddings`` reads its vectors (extra ``[embeddings]``). Never downloads.
    """

    def __init__(
        self,
        teams=None,
        kb=None,
        model: str | None = None,
        *,
        languages: Sequence[str] = DEFAULT_LANGUAGES,
        language_backend: str = "ensemble",
        batch_size: int = 2048,
        cache_dir: str | None = None,
        embeddings: str | None = None,
    ) -> None:
        self.teams = teams
        self.kb = kb
        self.model = model
        self.languages = tuple(languages)
        self.language_backend = language_backend
        self.batch_size = batch_size
        self.cache_dir = cache_dir
        self.embeddings = embeddings
        self._pipeline: Pipeline | None = None
        self._router = None

    @property
    def pipeline(self) -> Pipeline:
        """Every stage, routing included (routing assigns within each batch)."""
        if self._pipeline is None:
            stages = self._stages()
            router = self.router
            kb = self._kb_stage()
            self._pipeline = Pipeline(stages + ([router] if router is not None else [])
                                      + ([kb] if kb is not None else []))
        return self._pipeline

    @property
    def per_message_pipeline(self) -> Pipeline:
        """The stages that need no view of other messages (all but routing)."""
        stages = self.pipeline.stages
        return Pipeline([s for s in stages if s is not self.router])

    def _stages(self) -> list:
        if getattr(self, "_stage_list", None) is None:
            self._stage_list = [
                TextPreparer(),
                InputWarnings(),
                NgramCounter(),
                LanguageIdentifier(self.languages, backend=self.language_backend),
                Classifier(self.model, encoder=self._encoder()),
            ]
        return list(self._stage_list)

    def _kb_stage(self):
        if self.kb is False:
            return None
        from ._kb import KnowledgeBase

        labels = self._stages()[-1].labels
        return KnowledgeBase(self.kb, topics=labels.get("topic"), cache_dir=self.cache_dir, encoder=self._encoder())

    def _encoder(self):
        """The sentence encoder (one per Triager, shared by the classifier and the KB), or None."""
        if not self.embeddings:
            return None
        if getattr(self, "_encoder_obj", None) is None:
            from ._embeddings import Encoder

            self._encoder_obj = Encoder(self.embeddings)
        return self._encoder_obj

    @property
    def router(self):
        """The routing stage, or None when routing is off or the model predicts no topics."""
        if self._router is None and self.teams is not False:
            from ._errors import ConfigError
            from ._routing import Router
            from ._teams import default_teams_path, load_teams, read_teams_file

            labels = self._stages()[-1].labels
            if "topic" not in labels or "urgency" not in labels:
                if self.teams is not None:
                    raise ConfigError("routing needs a model that predicts topic and urgency")
                return None
            if self.teams is None and list(labels["topic"]) != sorted(DEFAULT_TOPICS):
                return None  # the shipped teams speak the default taxonomy only
            source = self.teams
            data = source if isinstance(source, dict) else read_teams_file(source or default_teams_path())
            name = "teams" if isinstance(source, dict) else str(source or "default teams")
            table = load_teams(data, labels["topic"], name)
            levels = data.get("service_levels") if isinstance(data, dict) else None
            self._router = Router(table, levels)
        return self._router

    @property
    def output_keys(self) -> tuple[str, ...]:
        return self.pipeline.output_keys

    def run_batch(self, batch: Batch) -> Batch:
        """Run every stage over a batch of input columns (the vectorized core)."""
        return self.pipeline.run(batch)

    def triage_records(self, records: Sequence[dict]) -> Iterator[dict]:
        """Output rows (contract dicts) for already-normalized records, in order."""
        batch = self.run_batch(Batch.from_records(records))
        return iter_rows(batch, self.output_keys)

    def triage_batch(self, messages: Iterable[Any]) -> list[TriageResult]:
        """One result per message, in input order; bad records carry ``error``.

        A message is a dict with the input keys, a :class:`Message`, or a plain string.
        """
        results: list[TriageResult] = []
        chunk: list[dict] = []
        for position, raw in enumerate(_records_of(messages), 1):
            chunk.append(coerce_record({"text": raw} if isinstance(raw, str) else raw, position))
            if len(chunk) >= self.batch_size:
                results.extend(self._triage_chunk(chunk))
                chunk = []
        if chunk:
            results.extend(self._triage_chunk(chunk))
        return results

    def _triage_chunk(self, records: list[dict]) -> list[TriageResult]:
        batch = self.run_batch(Batch.from_records(records))
        return results_from_batch(batch, self.output_keys)

    def triage(
        self,
        text: str,
        *,
        id: Any = None,
        subject: str | None = None,
        channel: str | None = None,
        customer: str | None = None,
        received_at: str | None = None,
    ) -> TriageResult:
        """Triage one message: a batch of one through the same core."""
        msg = Message(text=text, id=id, subject=subject, channel=channel,
                      customer=customer, received_at=received_at)
        return self._triage_chunk([coerce_record(msg, 1)])[0]
