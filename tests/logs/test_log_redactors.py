"""The in-memory cache of conversation redactors: bounded, expiring, forgetful."""

from directory.logs.redactors import RedactorCache


class Clock:
    """A monotonic clock that the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_same_redactor_per_conversation() -> None:
    cache = RedactorCache(max_conversations=10, idle_seconds=60)

    assert cache.get("a") is cache.get("a")
    assert cache.get("a") is not cache.get("b")


def test_least_recently_used_dropped() -> None:
    cache = RedactorCache(max_conversations=2, idle_seconds=60)
    first = cache.get("a")
    cache.get("b")
    cache.get("a")

    cache.get("c")

    assert len(cache) == 2
    assert "b" not in cache
    assert cache.get("a") is first


def test_idle_redactor_dropped() -> None:
    clock = Clock()
    cache = RedactorCache(max_conversations=10, idle_seconds=60, clock=clock)
    old = cache.get("a")
    clock.now += 30
    cache.get("b")

    clock.now += 45
    cache.get("c")

    assert "a" not in cache
    assert "b" in cache
    assert cache.get("a") is not old


def test_forget_drops_redactor() -> None:
    cache = RedactorCache(max_conversations=10, idle_seconds=60)
    cache.get("a")

    cache.forget("a")
    cache.forget("never-seen")

    assert "a" not in cache
    assert len(cache) == 0


def test_new_redactor_numbers_from_one() -> None:
    cache = RedactorCache(max_conversations=10, idle_seconds=60)
    cache.get("a").redact("Farida Quennell rang me")
    second = cache.get("a").redact("Gareth Pennington rang me")

    cache.forget("a")
    fresh = cache.get("a").redact("Gareth Pennington rang me")

    assert second.startswith("[PERSON_2]")
    assert fresh.startswith("[PERSON_1]")
