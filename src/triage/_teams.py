"""Teams file: who can take which complaints, in which languages, when, and how many.

Parsed into columns (a languages matrix, a skills matrix, capacities, shifts) that the
router combines with the whole batch at once. ``check_teams`` lists every problem of
a file with a clear message instead of stopping at the first.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ._errors import ConfigError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Skill level given to topics listed without a level.
LISTED_SKILL = 4
_HOURS = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)\s*-\s*([01]?\d|2[0-4]):([0-5]\d)$")
KNOWN_KEYS = ("name", "languages", "topics", "capacity", "hours", "timezone", "days",
              "takes_critical", "translation")


@dataclass(frozen=True)
class Shift:
    """Working time of a team in its own time zone; ``always`` for 24/7."""

    always: bool = True
    start_min: int = 0
    end_min: int = 24 * 60
    days: tuple[bool, ...] = (True,) * 7
    timezone: str = "UTC"

    @property
    def overnight(self) -> bool:
        return self.end_min <= self.start_min

    def describe_end(self) -> str:
        return f"{self.end_min // 60:02d}:{self.end_min % 60:02d}"


@dataclass(frozen=True)
class Team:
    name: str
    languages: tuple[str, ...]
    skills: dict[str, int]
    capacity: int
    shift: Shift = field(default_factory=Shift)
    takes_critical: bool = True
    translation: bool = False
    extra: dict = field(default_factory=dict)


def _parse_days(value: Any, where: str, problems: list[str]) -> tuple[bool, ...]:
    if value is None:
        return (True,) * 7
    text = ",".join(value) if isinstance(value, list) else str(value)
    days = [False] * 7
    for part in text.lower().replace(" ", "").split(","):
        if not part:
            continue
        if "-" in part:
            a, _, b = part.partition("-")
            if a not in DAY_NAMES or b not in DAY_NAMES:
                problems.append(f"{where}: days {value!r} is not like 'mon-fri' or 'mon,wed,sat'")
                return (True,) * 7
            i, j = DAY_NAMES.index(a), DAY_NAMES.index(b)
            k = i
            while True:
                days[k] = True
                if k == j:
                    break
                k = (k + 1) % 7
        elif part in DAY_NAMES:
            days[DAY_NAMES.index(part)] = True
        else:
            problems.append(f"{where}: days {value!r} is not like 'mon-fri' or 'mon,wed,sat'")
            return (True,) * 7
    return tuple(days)


def _parse_shift(raw: dict, where: str, problems: list[str]) -> Shift:
    hours = raw.get("hours", "24/7")
    tz = raw.get("timezone", "UTC")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(str(tz))
    except Exception:
        problems.append(f"{where}: timezone {tz!r} is not an IANA time zone name (e.g. 'Europe/Zagreb')")
        tz = "UTC"
    days = _parse_days(raw.get("days"), where, problems)
    if str(hours).strip().lower() in ("24/7", "24x7", "always"):
        return Shift(always=all(days), days=days, timezone=str(tz))
    m = _HOURS.match(str(hours).strip())
    if not m:
        problems.append(f"{where}: hours {hours!r} is not like '08:00-16:00' or '24/7'")
        return Shift(timezone=str(tz))
    h1, m1, h2, m2 = map(int, m.groups())
    return Shift(always=False, start_min=h1 * 60 + m1, end_min=h2 * 60 + m2, days=days, timezone=str(tz))


def parse_teams(data: Any, topics: Sequence[str], source: str = "teams") -> tuple[list[Team], list[str]]:
    """Teams and the problems found; never raises on content."""
    problems: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("teams"), list):
        return [], [f"{source}: needs a top-level 'teams:' list"]
    teams: list[Team] = []
    seen: set[str] = set()
    for i, raw in enumerate(data["teams"], 1):
        where = f"{source}: team {i}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: is not a mapping")
            continue
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}: has no 'name'")
            continue
        where = f"{source}: team {name!r}"
        if name in seen:
            problems.append(f"{where}: the name is used twice")
        seen.add(name)
        langs = raw.get("languages")
        if isinstance(langs, str):
            langs = [langs]
        if not isinstance(langs, list) or not langs or not all(isinstance(x, str) for x in langs):
            problems.append(f"{where}: 'languages' must be a list of ISO 639-1 codes")
            langs = []
        skills: dict[str, int] = {}
        topics_raw = raw.get("topics")
        if isinstance(topics_raw, list):
            skills = {str(t): LISTED_SKILL for t in topics_raw}
        elif isinstance(topics_raw, dict):
            for t, level in topics_raw.items():
                if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 5:
                    problems.append(f"{where}: skill level of {t!r} must be an integer 1-5, not {level!r}")
                    continue
                skills[str(t)] = level
        else:
            problems.append(f"{where}: 'topics' must be a list of topics or a mapping topic -> level 1-5")
        for t in skills:
            if t not in topics:
                problems.append(f"{where}: unknown topic {t!r}; known topics: {', '.join(topics)}")
        capacity = raw.get("capacity", 0)
        if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 0:
            problems.append(f"{where}: 'capacity' must be a whole number >= 0, not {capacity!r}")
            capacity = 0
        shift = _parse_shift(raw, where, problems)
        teams.append(Team(
            name=name, languages=tuple(x.lower() for x in langs),
            skills={t: v for t, v in skills.items() if t in topics}, capacity=capacity, shift=shift,
            takes_critical=bool(raw.get("takes_critical", True)), translation=bool(raw.get("translation", False)),
            extra={k: v for k, v in raw.items() if k not in KNOWN_KEYS},
        ))
    return teams, problems


def coverage_problems(teams: Sequence[Team], topics: Sequence[str], languages: Sequence[str]) -> list[str]:
    problems = []
    spoken = {lang for t in teams for lang in t.languages}
    for lang in languages:
        if lang not in spoken:
            problems.append(f"no team speaks {lang!r}, a language the deployment supports")
    covered = {topic for t in teams for topic in t.skills}
    for topic in topics:
        if topic not in covered:
            problems.append(f"no team covers topic {topic!r}")
    return problems


def read_teams_file(path: str | Path) -> Any:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"teams file {str(path)!r} does not exist")
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}: not valid JSON ({exc})") from exc
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from exc


def default_teams_path() -> Path:
    return Path(__file__).resolve().parent / "data" / "teams.yaml"


class TeamTable:
    """Teams as columns for the router: (teams x languages), (teams x topics), capacities."""

    def __init__(self, teams: Sequence[Team], topics: Sequence[str]) -> None:
        self.teams = list(teams)
        self.names = [t.name for t in teams]
        self.topics = list(topics)
        self.capacity = np.array([t.capacity for t in teams], dtype=np.int64)
        self.skill = np.array([[t.skills.get(k, 0) for k in topics] for t in teams], dtype=np.float64)
        self.skill = self.skill.reshape(len(teams), len(topics))
        self.takes_critical = np.array([t.takes_critical for t in teams], dtype=bool)
        self.translation = np.array([t.translation for t in teams], dtype=bool)

    def speaks(self, languages: np.ndarray) -> np.ndarray:
        """(messages x teams): the team speaks the message's language."""
        out = np.zeros((len(languages), len(self.teams)), dtype=bool)
        for j, team in enumerate(self.teams):
            out[:, j] = np.isin(languages, team.languages)
        return out


def load_teams(source: str | Path | dict | None, topics: Sequence[str], name: str | None = None) -> TeamTable:
    """A TeamTable from a path, a parsed mapping, or None for the shipped default;
    ``name`` is how error messages call the source."""
    data = source if isinstance(source, dict) else read_teams_file(source or default_teams_path())
    name = name or (str(source) if source is not None and not isinstance(source, dict) else "teams")
    teams, problems = parse_teams(data, topics, name)
    if problems:
        raise ConfigError("the teams file has problems (run 'triage teams check FILE'):\n  " + "\n  ".join(problems))
    if not teams:
        raise ConfigError("the teams file lists no teams")
    return TeamTable(teams, topics)


