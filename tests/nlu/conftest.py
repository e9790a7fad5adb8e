"""Fixtures for the NLU component tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from nlu.components.places import PlaceExtractor  # noqa: E402


@pytest.fixture(scope="session")
def place_extractor() -> PlaceExtractor:
    """Return the place extractor with its default data files."""
    return PlaceExtractor({**PlaceExtractor.get_default_config()})
