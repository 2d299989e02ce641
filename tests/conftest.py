from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def triager():
    import triage

    return triage.Triager()


@pytest.fixture()
def fixtures() -> Path:
    return FIXTURES
