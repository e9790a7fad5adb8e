"""Timing shared by the benchmarks: calls in a loop and CPU time of processes."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path


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


def cpu_seconds(pid: int) -> float:
    """Return the user plus system CPU seconds a process has used, 0 if gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # Fields 14 and 15 of /proc/<pid>/stat (utime, stime), in clock ticks.
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_until_idle(pids: list[int], timeout_seconds: float = 120.0) -> None:
    """Wait until the processes use less than 5 % of a core over one second.

    The directory service builds its redaction engine when the first events
    of the warm-up arrive, which takes seconds on a loaded machine, and the
    event broker posts a turn's events 0.2 s after the reply. Measuring before
    both are done would count that work as part of the measured turns.
    """
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        before = sum(cpu_seconds(pid) for pid in pids)
        time.sleep(1.0)
        if sum(cpu_seconds(pid) for pid in pids) - before < 0.05:
            return
    print(f"warning: the stack was still busy {timeout_seconds:.0f} s after warm-up")
