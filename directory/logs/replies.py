"""Redaction of the visitor's values that the assistant's replies repeat.

Rasa fills `{slot}` placeholders of a response with slot values or with the
values an action passes, so `utter_ask_area_for_postcode` repeats the outward
postcode the visitor typed. The capture stores such a reply with each filled
value replaced as `directory.redaction.redact_value` replaces the same slot,
with the conversation's redactor, so the reply shows the placeholder that the
visitor's text and the slots of that conversation show. The rest of the
response is the assistant's own wording and stays as it is. The visitor's
erasure reference becomes `[REFERENCE]`: the log keeps the reference in its own
column, and a copy in the replies would only spread it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from directory.settings import REPO_ROOT

if TYPE_CHECKING:
    from directory.redaction import ConversationRedactor

DOMAIN_DIR = REPO_ROOT / "bot" / "domain"
# Values that are replaced by a fixed text instead of the redactor's placeholder.
FIXED_REPLACEMENTS = {"erasure_reference": "[REFERENCE]"}
# A `{name}` placeholder of a Rasa response; `{{` and `}}` are literal braces.
PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


def redact_reply(
    response: str | None, text: str, redactor: Callable[[], ConversationRedactor]
) -> str:
    """Return the reply text with the values filled into its response redacted.

    A reply that comes from a response with placeholders, but matches none of
    its variants (the domain changed since Rasa sent it), is redacted as
    visitor text, because the filled value cannot be separated from the wording.
    `redactor` returns the conversation's redactor, and is called only for a
    reply that has values to redact.
    """
    patterns = response_patterns(DOMAIN_DIR).get(response or "")
    if not patterns:
        return text

    for pattern in patterns:
        match = pattern.fullmatch(text)
        if match is not None:
            return _replace_values(text, match, redactor())
    return redactor().redact(text)


def _replace_values(
    text: str, match: re.Match[str], redactor: ConversationRedactor
) -> str:
    pieces = []
    position = 0
    for group, value in match.groupdict().items():
        start, end = match.span(group)
        slot = group.rsplit("__", 1)[0]
        pieces.append(text[position:start])
        replacement = FIXED_REPLACEMENTS.get(slot)
        if replacement is None:
            replacement = redactor.redact_value(slot, value)
        pieces.append(replacement)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


@cache
def response_patterns(domain_dir: Path) -> dict[str, list[re.Pattern[str]]]:
    """Return, for each response with placeholders, one pattern per text variant.

    Raises:
        FileNotFoundError: `domain_dir` has no domain file. Without the
            responses, a reply that repeats the visitor's words would be
            stored as sent, so the capture fails instead.
    """
    paths = sorted(domain_dir.glob("*.yml"))
    if not paths:
        raise FileNotFoundError(
            f"No Rasa domain files (*.yml) found in {domain_dir}; the log capture "
            "needs the bot's responses to redact replies. Deploy the bot/domain "
            "folder of the repository beside the directory service."
        )
    patterns: dict[str, list[re.Pattern[str]]] = {}
    for path in paths:
        domain = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, variants in (domain.get("responses") or {}).items():
            for variant in variants or []:
                pattern = _variant_pattern(variant)
                if pattern is not None:
                    patterns.setdefault(name, []).append(pattern)
    return patterns


def _variant_pattern(variant: Any) -> re.Pattern[str] | None:
    """Compile a response text to a pattern with one group per placeholder."""
    template = variant.get("text") if isinstance(variant, dict) else None
    if not isinstance(template, str) or PLACEHOLDER.search(template) is None:
        return None

    parts = []
    position = 0
    seen: dict[str, int] = {}
    for found in PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[position : found.start()]))
        slot = found.group(1)
        if slot is None:
            parts.append(re.escape(found.group(0)[0]))
        else:
            # Group names must be unique; a slot used twice gets a suffix.
            seen[slot] = seen.get(slot, 0) + 1
            parts.append(f"(?P<{slot}__{seen[slot]}>.+?)")
        position = found.end()
    parts.append(re.escape(template[position:]))
    if not seen:
        return None
    return re.compile("".join(parts), re.DOTALL)
