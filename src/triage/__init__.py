"""triage: language, sentiment, urgency, topic, team and help articles for customer messages.

    >>> import triage
    >>> t = triage.Triager()
    >>> t.triage("Paket nije stigao već 3 tjedna!").language
    'hr'
"""
from __future__ import annotations

from ._errors import (
    ConfigError,
    InputFormatError,
    MissingExtraError,
    ModelIntegrityError,
    PipelineError,
    TriageError,
)
from ._records import Message
from ._results import TriageResult
from ._triager import Triager
from ._version import __version__

__all__ = [
    "ConfigError",
    "InputFormatError",
    "Message",
    "MissingExtraError",
    "ModelIntegrityError",
    "PipelineError",
    "TriageError",
    "TriageResult",
    "Triager",
    "__version__",
]
