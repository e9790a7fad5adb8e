"""Timing shared by the benchmarks that time one call in a loop."""

from __future__ import annotations

import time
from collections.abc import Callable


def milliseconds_per_call(call: Callable[[], object], rounds: int) -> float:
    """Return the mean milliseconds of `call` over `rounds` calls after one more.

    The first call is not timed, so that caches and imports it fills do not
    count.
    """
    call()
    started = time.perf_counter()
    for _ in range(rounds):
        call()
    return 1000 * (time.perf_counter() - started) / rounds
