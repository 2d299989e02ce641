"""Service levels: when a reply is due, from channel and urgency, counted in the
assigned team's working hours (a 24/7 team counts wall-clock time)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Mapping

import numpy as np

from ._teams import Shift

#: Minutes to resolve (first real answer) by channel; configurable under
#: ``service_levels:`` in the teams file.
DEFAULT_SERVICE_LEVELS = {
    "response_minutes": {"chat": 10, "social": 60, "email": 1440, "webform": 1440,
                         "phone_transcript": 240, "default": 1440},
    "urgency_cap_minutes": {"critical": 60, "high": 240},
    "ack_minutes": {"chat": 2, "social": 15, "email": 60, "webform": 60, "phone_transcript": 30, "default": 60},
}


def merge_service_levels(custom: Mapping | None) -> dict:
    out = {k: dict(v) for k, v in DEFAULT_SERVICE_LEVELS.items()}
    for key, values in (custom or {}).items():
        if key in out and isinstance(values, Mapping):
            out[key].update({str(k): int(v) for k, v in values.items()})
    return out


#: Received times outside these years are unusable: deadlines computed from them would
#: overflow dates or mean nothing ("9999-12-31" is a placeholder, not a time).
YEARS = (1970, 2200)
_EPOCH_RANGE = (datetime(YEARS[0], 1, 1, tzinfo=timezone.utc).timestamp(),
                datetime(YEARS[1], 1, 1, tzinfo=timezone.utc).timestamp())


def parse_time(value) -> float:
    """Epoch seconds of an ISO 8601 time (UTC when it has no offset); NaN when unusable
    (not a time, or outside ``YEARS``)."""
    if not isinstance(value, str) or not value.strip():
        return float("nan")
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        dt = datetime.fromisoformat(text)
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=timezone.utc)
        epoch = dt.timestamp()
    except (ValueError, OverflowError, OSError):
        return float("nan")
    return epoch if _EPOCH_RANGE[0] <= epoch < _EPOCH_RANGE[1] else float("nan")


def parse_times(values) -> np.ndarray:
    return np.array([parse_time(v) for v in values], dtype=float)


@lru_cache(maxsize=256)
def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


@lru_cache(maxsize=1 << 16)
def _hour_offset(tz: str, hour: int) -> float:
    """UTC offset in seconds of ``tz`` during the given hour since the epoch (offsets
    change on the hour): cached, as batches keep asking about the same hours."""
    return _zone(tz).utcoffset(datetime.fromtimestamp(hour * 3600, timezone.utc)).total_seconds()


def local_minutes(epochs: np.ndarray, tz: str) -> tuple[np.ndarray, np.ndarray]:
    """Minute of day and weekday (Mon=0) in ``tz`` for every epoch (NaN -> -1)."""
    minute = np.full(epochs.shape, -1, dtype=np.int64)
    weekday = np.full(epochs.shape, -1, dtype=np.int64)
    ok = ~np.isnan(epochs)
    if not ok.any():
        return minute, weekday
    e = epochs[ok]
    hours = np.floor(e / 3600).astype(np.int64)
    uniq, inverse = np.unique(hours, return_inverse=True)
    offsets = np.array([_hour_offset(tz, h) for h in uniq.tolist()])
    local = e + offsets[inverse]
    days = np.floor(local / 86400).astype(np.int64)
    minute[ok] = ((local - days * 86400) // 60).astype(np.int64)
    weekday[ok] = (days + 3) % 7  # 1970-01-01 was a Thursday
    return minute, weekday


def on_shift(epochs: np.ndarray, shift: Shift) -> np.ndarray:
    """Whether the team works at each epoch; unknown times count as on shift."""
    if shift.always:
        return np.ones(epochs.shape, dtype=bool)
    minute, weekday = local_minutes(epochs, shift.timezone)
    days = np.array(shift.days + (False,))  # index -1 (unknown) -> False, fixed below
    if shift.overnight:
        late = (minute >= shift.start_min) & days[weekday]
        early = (minute < shift.end_min) & days[(weekday - 1) % 7]
        out = late | early
    else:
        out = (minute >= shift.start_min) & (minute < shift.end_min) & days[weekday]
    out[np.isnan(epochs)] = True
    return out


def _windows(day: datetime, shift: Shift):
    """Working windows (start, end) as aware datetimes that begin on the local ``day``."""
    if not shift.days[day.weekday()]:
        return []
    start = day + timedelta(minutes=shift.start_min)
    end_min = shift.end_min + (24 * 60 if shift.overnight else 0)
    return [(start, day + timedelta(minutes=end_min))]


def add_working_time(epoch: float, minutes: int, shift: Shift) -> datetime:
    """The moment ``minutes`` of the team's working time after ``epoch``, in its zone."""
    zone = _zone(shift.timezone)
    t = datetime.fromtimestamp(epoch, zone)
    if shift.always:
        return datetime.fromtimestamp(epoch + minutes * 60, zone)
    remaining = timedelta(minutes=minutes)
    day = t.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    for _ in range(30):  # at most a month ahead: a shift exists at least weekly
        for ws, we in _windows(day, shift):
            ws, we = ws.replace(tzinfo=zone), we.replace(tzinfo=zone)
            if we <= t:
                continue
            cursor = max(t, ws)
            if cursor + remaining <= we:
                return cursor + remaining
            remaining -= we - cursor
            t = we
        day = (day + timedelta(days=1)).replace(tzinfo=zone)
    return t + remaining


def next_shift_start(epoch: float, shift: Shift) -> datetime | None:
    zone = _zone(shift.timezone)
    t = datetime.fromtimestamp(epoch, zone)
    day = t.replace(hour=0, minute=0, second=0, microsecond=0)
    for _ in range(8):
        for ws, _we in _windows(day, shift):
            if ws.replace(tzinfo=zone) > t:
                return ws.replace(tzinfo=zone)
        day = day + timedelta(days=1)
    return None


def due_minutes(channel: str | None, urgency: str | None, levels: Mapping) -> tuple[int, int]:
    """(resolution minutes, acknowledgement minutes) for one message."""
    resp = levels["response_minutes"]
    ack = levels["ack_minutes"]
    minutes = resp.get(channel or "default", resp["default"])
    cap = levels["urgency_cap_minutes"].get(urgency or "")
    if cap is not None:
        minutes = min(minutes, cap)
    return minutes, min(ack.get(channel or "default", ack["default"]), minutes)
