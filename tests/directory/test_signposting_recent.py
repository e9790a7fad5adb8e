"""The signposting results kept for the conversation log (RecentResults)."""

import pytest

from directory.signposting import recent
from directory.signposting.recent import RecentResults
from directory.signposting.schemas import SignpostResult, Situation

CHARNWOOD = Situation(characteristics=["race"], area="charnwood")
MELTON = Situation(characteristics=["race"], area="melton")


def result(reading: str) -> SignpostResult:
    return SignpostResult(likely=reading, explanation=[], routes=[], notes=[])


def test_result_found_by_equal_situation() -> None:
    results = RecentResults(max_results=10, keep_seconds=60.0)
    results.put(CHARNWOOD, result("crime"))

    found = results.get(Situation(characteristics=["race"], area="charnwood"))

    assert found == result("crime")
    assert results.get(MELTON) is None


def test_later_result_replaces_earlier() -> None:
    results = RecentResults(max_results=10, keep_seconds=60.0)
    results.put(CHARNWOOD, result("crime"))
    results.put(CHARNWOOD, result("non_crime_incident"))

    assert results.get(CHARNWOOD) == result("non_crime_incident")


def test_oldest_result_dropped_over_limit() -> None:
    results = RecentResults(max_results=1, keep_seconds=60.0)
    results.put(CHARNWOOD, result("crime"))
    results.put(MELTON, result("non_crime_incident"))

    assert results.get(CHARNWOOD) is None
    assert results.get(MELTON) == result("non_crime_incident")


def test_old_result_not_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(recent.time, "monotonic", lambda: now[0])
    results = RecentResults(max_results=10, keep_seconds=60.0)
    results.put(CHARNWOOD, result("crime"))

    now[0] += 59.0
    kept_until_limit = results.get(CHARNWOOD)
    now[0] += 2.0

    assert kept_until_limit == result("crime")
    assert results.get(CHARNWOOD) is None
