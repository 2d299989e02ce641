"""Exception types: one per failure, each subclassing the built-in a caller would catch."""
from __future__ import annotations


class TriageError(Exception):
    """Base class of every error that triage raises on purpose."""


class ConfigError(TriageError, ValueError):
    """A parameter, teams file or option has a value that cannot work."""


class InputFormatError(TriageError, ValueError):
    """An input file cannot be read at all (unknown format, unreadable container)."""


class PipelineError(TriageError, ValueError):
    """Stages do not fit together: a stage reads a column nothing writes."""


class ModelIntegrityError(TriageError, ValueError):
    """A model directory does not match its manifest (hash, version or taxonomy)."""


class MissingExtraError(TriageError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""

    def __init__(self, package: str, extra: str, purpose: str) -> None:
        super().__init__(
            f"{purpose} needs the optional package {package!r}; "
            f"install it with: pip install 'triage[{extra}]'"
        )
        self.package = package
        self.extra = extra
