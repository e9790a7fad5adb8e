"""Signposting results given lately, kept for the conversation log to reuse.

The log capture records which routes a turn's replies offered, and for that it
needs the signposting result of the turn's situation. The action asked
`POST /api/signpost` for the same situation a moment before, so the log reads
that result instead of running the engine again. It is also the exact answer
the visitor got, even if the directory changed in between. Replies to
visitors are never taken from here: every `POST /api/signpost` runs the engine.

Results are kept in this process only, for `KEEP_SECONDS`, at most
`MAX_RESULTS` of them. A situation not found here is signposted again.
"""

import threading
import time
from collections import OrderedDict

from directory.signposting.schemas import SignpostResult, Situation

KEEP_SECONDS = 60.0
MAX_RESULTS = 1000


class RecentResults:
    """The latest results by situation, bounded in number and age."""

    def __init__(self, max_results: int, keep_seconds: float) -> None:
        self.max_results = max_results
        self.keep_seconds = keep_seconds
        self._results: OrderedDict[str, tuple[float, SignpostResult]] = OrderedDict()
        # Signposting requests and the log capture run in different threads.
        self._lock = threading.Lock()

    def put(self, situation: Situation, result: SignpostResult) -> None:
        """Keep `result` as the latest result for `situation`."""
        key = situation.model_dump_json()
        with self._lock:
            self._results.pop(key, None)
            self._results[key] = (time.monotonic(), result)
            while len(self._results) > self.max_results:
                self._results.popitem(last=False)

    def get(self, situation: Situation) -> SignpostResult | None:
        """Return the latest result for `situation` if it is recent enough."""
        key = situation.model_dump_json()
        with self._lock:
            kept = self._results.get(key)
        if kept is None or time.monotonic() - kept[0] > self.keep_seconds:
            return None
        return kept[1]

    def clear(self) -> None:
        """Forget every result."""
        with self._lock:
            self._results.clear()


recent_results = RecentResults(MAX_RESULTS, KEEP_SECONDS)
