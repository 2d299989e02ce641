"""Routing: every message of a batch to one team that can solve it, in one pass.

A (messages x teams) eligibility matrix comes from language (or a translation-capable
team when no speaker covers the topic), skill on the likely topic and whether the team
takes critical work; a score matrix adds the expected skill over the whole topic
distribution (so uncertain messages go to teams that cover the likely topics), being
on shift at ``received_at`` and spare capacity. Messages then claim slots greedily,
most urgent and earliest due first, ties broken by input order and team order, so a
less urgent message never takes the last slot a more urgent one could have used.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Mapping

import numpy as np

from ._batch import Batch
from ._cues import LEVELS
from ._sla import add_working_time, due_minutes, merge_service_levels, next_shift_start, on_shift, parse_times
from ._teams import TeamTable

W_ON_SHIFT = 0.3
W_SPARE = 0.1
W_TRANSLATING = 0.25
MAX_ALTERNATES = 3


def _levels(urgency) -> np.ndarray:
    """Urgency labels as 0-3 (unknown labels count as medium)."""
    return np.array([LEVELS.index(u) if u in LEVELS else 1 for u in urgency], dtype=np.int64)


def _iso(dt: datetime) -> str:
    return dt.replace(microsecond=0).isoformat()


class Router:
    """Stage: reads language, topic_proba, urgency, channel and the received time
    (epoch seconds, from :class:`~triage._warnings.InputWarnings`); writes the team,
    its reason, ranked alternates and the service-level deadlines."""

    name = "route"
    reads = ("language", "topic_proba", "urgency", "urgency_score", "channel", "received_epoch")
    writes = ("team", "team_reason", "team_alternates", "sla_due", "ack_due")
    output_keys = writes

    def __init__(self, table: TeamTable, service_levels: Mapping | None = None) -> None:
        self.table = table
        self.service_levels = merge_service_levels(service_levels)

    def predict(self, batch: Batch) -> dict:
        args = (batch["language"], batch["topic_proba"], batch["urgency"])
        epochs = np.asarray(batch["received_epoch"], dtype=np.float64)
        chosen, left = self.choose(*args, batch["urgency_score"], batch["channel"], epochs)
        return self.explain(*args, batch["channel"], epochs, chosen, left)

    def assign(self, language, topic_proba, urgency, urgency_score, channel, received_at) -> dict:
        """Teams, reasons, alternates and deadlines for every message, in one call."""
        epochs = parse_times(received_at)
        chosen, left = self.choose(language, topic_proba, urgency, urgency_score, channel, epochs)
        return self.explain(language, topic_proba, urgency, channel, epochs, chosen, left)

    def _matrices(self, language, proba, level, epochs):
        """Eligibility and scores (rows x teams) for some messages."""
        t = self.table
        top = proba.argmax(axis=1)
        speaks, covers, translating, eligible = self.eligibility(language, top, level)
        shift_ok = (np.column_stack([on_shift(epochs, team.shift) for team in t.teams]) if t.teams
                    else np.zeros((len(language), 0), dtype=bool))
        capacity = t.capacity.astype(np.float64)
        spare = np.divide(capacity, capacity.max(), out=np.zeros_like(capacity), where=capacity.max() > 0)
        score = (proba @ (t.skill.T / 5.0) + W_ON_SHIFT * shift_ok + W_SPARE * spare[None, :]
                 - W_TRANSLATING * translating)
        return top, speaks, covers, translating, eligible, shift_ok, np.where(eligible, score, -np.inf)

    def choose(self, language, topic_proba, urgency, urgency_score, channel, epochs,
               block: int = 32_768) -> tuple[np.ndarray, np.ndarray]:
        """The global step: each message's team index (-1 for none) and the free slots
        left right after it took one. Messages claim slots most urgent and earliest due
        first; the score matrices are built a block at a time in that order, so memory
        stays a few dozen bytes per message whatever the number of teams."""
        n = len(language)
        language = np.asarray(language, dtype=object)
        proba = np.asarray(topic_proba, dtype=np.float32)
        level = _levels(urgency)
        epochs = np.asarray(epochs, dtype=np.float64)
        due = np.array([due_minutes(c if isinstance(c, str) else None, u, self.service_levels)[0]
                        for c, u in zip(channel, urgency)], dtype=np.float64)
        due_at = np.where(np.isnan(epochs), np.inf, epochs + due * 60)
        order = np.lexsort((np.arange(n), -np.asarray(urgency_score, dtype=float), due_at, -level))
        remaining = self.table.capacity.copy()
        chosen = np.full(n, -1, dtype=np.int64)
        left = np.zeros(n, dtype=np.int64)
        for b in range(0, n, block):
            rows = order[b:b + block]
            masked = self._matrices(language[rows], proba[rows], level[rows], epochs[rows])[-1]
            for r, i in enumerate(rows):
                row = np.where(remaining > 0, masked[r], -np.inf)
                j = int(np.argmax(row))
                if row[j] > -np.inf:
                    chosen[i] = j
                    remaining[j] -= 1
                    left[i] = remaining[j]
        return chosen, left

    def explain(self, language, topic_proba, urgency, channel, epochs, chosen, left) -> dict:
        """The per-message step: team names, reasons, alternates and deadlines for the
        messages given (any slice of a batch, once :meth:`choose` has run)."""
        t = self.table
        n = len(language)
        language = np.asarray(language, dtype=object)
        proba = np.asarray(topic_proba, dtype=np.float32)
        level = _levels(urgency)
        epochs = np.asarray(epochs, dtype=np.float64)
        top, speaks, covers, translating, eligible, shift_ok, masked = self._matrices(language, proba, level, epochs)
        teams = np.empty(n, dtype=object)
        reasons = np.empty(n, dtype=object)
        alternates = np.empty(n, dtype=object)
        sla = np.empty(n, dtype=object)
        ack = np.empty(n, dtype=object)
        order = np.argsort(-masked, axis=1, kind="stable")
        ranked_ok = np.take_along_axis(masked, order, axis=1) > -np.inf
        none_reasons: dict[tuple, str] = {}  # the reason for no team depends on these only
        for i in range(n):
            j = int(chosen[i])
            ranked = [k for k in order[i][ranked_ok[i]][:MAX_ALTERNATES + 1] if k != j]
            alternates[i] = [t.names[k] for k in ranked[:MAX_ALTERNATES]]
            chan = channel[i] if isinstance(channel[i], str) else None
            resolve_min, ack_min = due_minutes(chan, urgency[i], self.service_levels)
            if j < 0:
                teams[i] = None
                key = (language[i], int(top[i]), level[i] == 3)
                if key not in none_reasons:
                    none_reasons[key] = self._why_none(i, language[i], t.topics[top[i]], speaks[i], covers[i],
                                                       eligible[i], level[i])
                reasons[i] = none_reasons[key]
                if not np.isnan(epochs[i]):
                    sla[i] = _iso(datetime.fromtimestamp(epochs[i] + resolve_min * 60, timezone.utc))
                    ack[i] = _iso(datetime.fromtimestamp(epochs[i] + ack_min * 60, timezone.utc))
                continue
            team = t.teams[j]
            teams[i] = team.name
            reasons[i] = self._why(i, j, language[i], top[i], proba[i], translating[i, j], shift_ok[i, j],
                                   epochs[i], int(left[i]))
            if not np.isnan(epochs[i]):
                sla[i] = _iso(add_working_time(epochs[i], resolve_min, team.shift))
                ack[i] = _iso(add_working_time(epochs[i], ack_min, team.shift))
        return {"team": teams, "team_reason": reasons, "team_alternates": alternates,
                "sla_due": sla, "ack_due": ack}

    def eligibility(self, language: np.ndarray, top: np.ndarray, level: np.ndarray):
        """(messages x teams) matrices: speaks the language, skilled on the most likely
        topic, would translate, and may take the message at all."""
        t = self.table
        speaks = t.speaks(np.asarray(language, dtype=object))
        covers = t.skill[:, top].T > 0
        speaker_covers = (speaks & covers).any(axis=1)
        translating = ~speaks & t.translation[None, :] & ~speaker_covers[:, None]
        eligible = (speaks | translating) & covers
        eligible &= ~((np.asarray(level) == 3)[:, None] & ~t.takes_critical[None, :])
        return speaks, covers, translating, eligible

    def _why(self, i, j, lang, top, proba, translating, shift_ok, epoch, left) -> str:
        t = self.table
        team = t.teams[j]
        topic = t.topics[top]
        parts = [f"translates {lang} (no team that speaks it handles {topic})" if translating else f"speaks {lang}"]
        parts.append(f"{topic} skill {int(t.skill[j, top])}/5")
        others = [k for k in np.argsort(-proba) if k != top and proba[k] >= 0.2]
        if others:
            k = others[0]
            parts.append(f"also {t.topics[k]} skill {int(t.skill[j, k])}/5 (topic uncertain)")
        if team.shift.always:
            parts.append("works 24/7")
        elif np.isnan(epoch):
            parts.append("received time unknown")
        elif shift_ok:
            parts.append(f"on shift until {team.shift.describe_end()} ({team.shift.timezone})")
        else:
            nxt = next_shift_start(epoch, team.shift)
            parts.append(f"off shift, next shift {nxt.strftime('%a %H:%M') if nxt else 'unknown'} "
                         f"({team.shift.timezone}); no on-shift team could take it")
        parts.append(f"{left} of {team.capacity} slots left")
        return "; ".join(parts)

    def _why_none(self, i, lang, topic, speaks, covers, eligible, level) -> str:
        t = self.table
        if not speaks.any() and not (t.translation.any()):
            return f"no team speaks {lang} and no team is translation-capable"
        if not covers.any():
            return f"no team handles {topic}"
        if not (speaks & covers).any() and not eligible.any():
            return f"no team that speaks {lang} handles {topic}"
        if level == 3 and not (eligible).any():
            return f"no team that takes critical work speaks {lang} and handles {topic}"
        full = [t.names[k] for k in np.flatnonzero(eligible)]
        return (f"every team that could take it is at capacity ({', '.join(full[:4])}"
                f"{', ...' if len(full) > 4 else ''}); more urgent messages took the slots")
