"""One conversation redactor per conversation id, kept in memory only.

A `ConversationRedactor` maps each personal detail it has seen to a numbered
placeholder, so the same person is `[PERSON_1]` in every turn of one
conversation. It keeps keyed digests of the details it has seen, in memory
only. The cache is bounded, drops redactors that have been idle too long, and
forgets a conversation as soon as it is deleted. Nothing here is ever persisted.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from directory.redaction import ConversationRedactor


def _build_engine() -> Any:
    """Build the shared redaction engine (slow: loads the recognisers)."""
    from directory.redaction import build_redactor

    return build_redactor()


def _new_redactor(engine: Any) -> ConversationRedactor:
    from directory.redaction import ConversationRedactor

    return ConversationRedactor(engine=engine)


class RedactorCache:
    """Conversation redactors by conversation id, bounded and expiring.

    At most `max_conversations` redactors are kept; the least recently used is
    dropped first. A redactor idle for more than `idle_seconds` is dropped, so
    a later turn of that conversation starts its placeholders at 1 again.
    """

    def __init__(
        self,
        max_conversations: int,
        idle_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_conversations = max_conversations
        self.idle_seconds = idle_seconds
        self._clock = clock
        self._redactors: OrderedDict[str, tuple[float, ConversationRedactor]] = (
            OrderedDict()
        )
        self._engine: Any = None
        self._lock = threading.Lock()

    def get(self, conversation_id: str) -> ConversationRedactor:
        """Return the conversation's redactor, creating it on first use."""
        with self._lock:
            now = self._clock()
            self._drop_idle(now)

            entry = self._redactors.pop(conversation_id, None)
            redactor = entry[1] if entry else _new_redactor(self._get_engine())
            self._redactors[conversation_id] = (now, redactor)

            while len(self._redactors) > self.max_conversations:
                self._redactors.popitem(last=False)
            return redactor

    def forget(self, conversation_id: str) -> None:
        """Drop the conversation's redactor and what it has seen."""
        with self._lock:
            self._redactors.pop(conversation_id, None)

    def __len__(self) -> int:
        return len(self._redactors)

    def __contains__(self, conversation_id: object) -> bool:
        return conversation_id in self._redactors

    def _get_engine(self) -> Any:
        if self._engine is None:
            self._engine = _build_engine()
        return self._engine

    def _drop_idle(self, now: float) -> None:
        """Drop redactors last used more than `idle_seconds` ago (oldest first)."""
        while self._redactors:
            last_used, _ = next(iter(self._redactors.values()))
            if now - last_used <= self.idle_seconds:
                return
            self._redactors.popitem(last=False)


_cache: RedactorCache | None = None


def get_redactor_cache() -> RedactorCache:
    """Return the process's redactor cache, sized from the settings."""
    global _cache
    if _cache is None:
        from directory.settings import settings

        _cache = RedactorCache(
            max_conversations=settings.log_redactor_max_conversations,
            idle_seconds=settings.log_redactor_idle_seconds,
        )
    return _cache
