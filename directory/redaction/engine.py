"""The shared analyzer: Presidio with the project's recognisers, built once."""

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry

from directory.redaction import patterns
from directory.redaction.lexicon import NameLexicon, load_lexicon
from directory.redaction.names import NameRecognizer
from directory.redaction.offline import LANGUAGE, BlankSpacyNlpEngine
from directory.redaction.scripts import NonLatinScriptRecognizer
from directory.redaction.streets import StreetNameRecognizer

logger = logging.getLogger(__name__)

# Findings below this score are dropped. Every recogniser here scores what it
# means to redact at 0.4 or more.
SCORE_THRESHOLD = 0.35

# Placeholder types. When two findings of equal length and score overlap, the
# type earlier in this list names the merged span.
TYPE_PRIORITY = (
    patterns.EMAIL,
    patterns.URL,
    patterns.PHONE,
    patterns.NI_NUMBER,
    patterns.VEHICLE_REG,
    patterns.POSTCODE,
    patterns.DATE_OF_BIRTH,
    patterns.ADDRESS,
    patterns.HANDLE,
    patterns.PERSON,
)


@dataclass(frozen=True)
class Finding:
    """A span of text to redact: `text[start:end]` is personal data of `entity_type`."""

    entity_type: str
    start: int
    end: int
    score: float


class RedactionEngine:
    """Finds personal data in text. Stateless, so one instance serves every
    conversation; build it with `build_redactor()`."""

    def __init__(self, analyzer: AnalyzerEngine, lexicon: NameLexicon) -> None:
        self.analyzer = analyzer
        self.lexicon = lexicon

    @property
    def entity_types(self) -> tuple[str, ...]:
        """Entity types this engine can return, which are the placeholder names."""
        return TYPE_PRIORITY

    def find(self, text: str) -> list[Finding]:
        """Return the spans of `text` to redact, sorted and not overlapping."""
        if not text.strip():
            return []
        results = self.analyzer.analyze(
            text=text, language=LANGUAGE, score_threshold=SCORE_THRESHOLD
        )
        findings = [
            Finding(result.entity_type, result.start, result.end, result.score)
            for result in results
            if result.entity_type in TYPE_PRIORITY and result.end > result.start
        ]
        return merge_overlaps(findings)


def merge_overlaps(findings: list[Finding]) -> list[Finding]:
    """Merge overlapping findings into one span each, so that every character
    any recogniser flagged is redacted. The merged span takes the type of the
    longest finding in it ("12 Hazel Close" is an address even though "Hazel"
    is a name), then of the highest-scoring, then the first in
    `TYPE_PRIORITY`."""
    ordered = sorted(findings, key=lambda finding: (finding.start, -finding.end))
    merged: list[Finding] = []
    group: list[Finding] = []
    group_end = -1
    for finding in ordered:
        if group and finding.start < group_end:
            group.append(finding)
            group_end = max(group_end, finding.end)
            continue
        if group:
            merged.append(_merge_group(group, group_end))
        group = [finding]
        group_end = finding.end
    if group:
        merged.append(_merge_group(group, group_end))
    return merged


def _merge_group(group: list[Finding], end: int) -> Finding:
    best = max(
        group,
        key=lambda finding: (
            finding.end - finding.start,
            finding.score,
            -TYPE_PRIORITY.index(finding.entity_type),
        ),
    )
    return Finding(best.entity_type, group[0].start, end, best.score)


def quieten_presidio() -> None:
    """Raise Presidio's loggers to WARNING unless the application set a level.

    presidio-analyzer 2.2.366 logs "Fetching all recognizers" at INFO on every
    call, one line per visitor message. It logs no text at any level.
    """
    for name in ("presidio-analyzer", "presidio-anonymizer"):
        presidio_logger = logging.getLogger(name)
        if presidio_logger.level == logging.NOTSET:
            presidio_logger.setLevel(logging.WARNING)


def build_recognizers(lexicon: NameLexicon) -> list[EntityRecognizer]:
    """Create one instance of every recogniser the engine runs."""
    return [
        patterns.PostcodeRecognizer(),
        patterns.PhoneRecognizer(),
        patterns.EmailRecognizer(),
        patterns.UrlRecognizer(),
        patterns.HandleRecognizer(lexicon),
        patterns.NiNumberRecognizer(),
        patterns.VehicleRegistrationRecognizer(lexicon),
        patterns.DateOfBirthRecognizer(),
        patterns.AddressRecognizer(lexicon),
        StreetNameRecognizer(lexicon),
        NameRecognizer(lexicon),
        NonLatinScriptRecognizer(lexicon),
    ]


@lru_cache(maxsize=4)
def build_redactor(places_dir: Path | None = None) -> RedactionEngine:
    """Build the shared redaction engine, once per `places_dir`.

    `places_dir` contains the project's `llr_places*.csv` files, whose towns,
    villages and landmarks are kept in text and whose main roads are kept when
    they come without a house number. It defaults to the `data_dir` setting.
    Building takes about a second (spaCy and Presidio start-up, word lists);
    later calls with the same argument return the same engine.
    """
    if places_dir is None:
        from directory.settings import settings

        places_dir = settings.data_dir
    quieten_presidio()
    lexicon = load_lexicon(places_dir)
    nlp_engine = BlankSpacyNlpEngine()
    nlp_engine.load()
    registry = RecognizerRegistry(supported_languages=[LANGUAGE])
    recognizers = build_recognizers(lexicon)
    for recognizer in recognizers:
        registry.add_recognizer(recognizer)
    analyzer = AnalyzerEngine(
        registry=registry, nlp_engine=nlp_engine, supported_languages=[LANGUAGE]
    )
    logger.info("Redaction engine built with %d recognisers", len(recognizers))
    return RedactionEngine(analyzer, lexicon)
