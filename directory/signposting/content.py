"""Loading of the editable wording and rules in `settings.content_dir`.

Each file is parsed and checked on first use and again whenever its
modification time or size changes, so an edit applies to the next request
without a restart. A file that cannot be read or fails its checks raises
ContentError, which names the file and what to fix.
"""

import logging
import string
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from directory.settings import settings
from directory.signposting.conditions import FactSpec, check_when, situation_fact_specs
from directory.signposting.schemas import (
    Area,
    Characteristic,
    Faith,
    IncidentType,
    Reading,
    RouteName,
)

logger = logging.getLogger(__name__)

READINGS_FILE = "readings.yml"
EXPLANATIONS_FILE = "explanations.yml"
ROUTES_FILE = "routes.yml"
LABELS_FILE = "labels.yml"

EXPLANATION_PLACEHOLDERS = frozenset(
    {"incident_summary", "characteristic_summary", "area_name"}
)
ROUTE_PLACEHOLDERS = EXPLANATION_PLACEHOLDERS | {"service_hostility"}


class ContentError(Exception):
    """A content file is missing, is not valid YAML, or fails its checks."""


class _ContentModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def check(self) -> None:
        """Raise ValueError for what the field types cannot express."""


class ReadingRule(_ContentModel):
    """A rule of readings.yml: the reading given when `when` holds."""

    likely: Reading | None
    when: Any = None


class ReadingRules(_ContentModel):
    """The contents of readings.yml."""

    # Named lists that the rules refer to through YAML anchors.
    incident_groups: dict[str, list[IncidentType]] = Field(default_factory=dict)
    rules: list[ReadingRule] = Field(min_length=1)

    def check(self) -> None:
        """Check the conditions of every rule."""
        specs = situation_fact_specs()
        del specs["likely"]
        for rule in self.rules:
            check_when(rule.when, specs)


class ExplanationSection(_ContentModel):
    """A section of explanations.yml: paragraphs added when `when` holds."""

    when: Any = None
    paragraphs: list[str] = Field(min_length=1)


class Explanations(_ContentModel):
    """The contents of explanations.yml."""

    sections: list[ExplanationSection]

    def check(self) -> None:
        """Check the conditions and placeholders of every section."""
        specs = situation_fact_specs()
        for section in self.sections:
            check_when(section.when, specs)
            _check_placeholders(section.paragraphs, EXPLANATION_PLACEHOLDERS)


class RouteRule(_ContentModel):
    """A route of routes.yml: when it is suggested and the reason given."""

    route: RouteName
    when: Any = None
    withhold_when: Any = None
    first_services: list[str] = Field(default_factory=list)
    max_services: int | None = Field(default=None, ge=1)
    reason: str
    specialist_reason: str | None = None
    anonymous_suffix: bool = True


class ConditionalText(_ContentModel):
    """A sentence shown when `when` holds."""

    when: Any = None
    text: str


class RouteRules(_ContentModel):
    """The contents of routes.yml."""

    routes: list[RouteRule] = Field(min_length=1)
    max_services_per_route: int = Field(default=3, ge=1)
    anonymous_suffix: ConditionalText | None = None
    notes: list[ConditionalText] = Field(default_factory=list)

    def check(self) -> None:
        """Check the conditions and placeholders of routes, suffix and notes."""
        specs = situation_fact_specs()
        for rule in self.routes:
            check_when(rule.when, specs)
            check_when(rule.withhold_when, specs)
            reasons = [rule.reason, rule.specialist_reason or ""]
            _check_placeholders(reasons, ROUTE_PLACEHOLDERS)

        if self.anonymous_suffix is not None:
            check_when(self.anonymous_suffix.when, specs)
            _check_placeholders([self.anonymous_suffix.text], ROUTE_PLACEHOLDERS)

        note_specs = {**specs, "unchecked_services": FactSpec("flag")}
        for note in self.notes:
            check_when(note.when, note_specs)
            _check_placeholders([note.text], ROUTE_PLACEHOLDERS)


class Label(_ContentModel):
    """The name of a characteristic or faith and the hostility towards it."""

    name: str
    hostility: str


class Fallbacks(_ContentModel):
    """Placeholder values used when the situation does not provide one."""

    characteristic_summary: str
    incident_summary: str
    area_name: str


class Labels(_ContentModel):
    """The contents of labels.yml."""

    characteristics: dict[str, Label]
    faiths: dict[str, Label]
    incident_types: dict[str, str]
    areas: dict[str, str]
    fallbacks: Fallbacks

    def check(self) -> None:
        """Check that every code of the situation vocabulary has a label."""
        expected = {
            "characteristics": set(get_args(Characteristic)) - {"none"},
            "faiths": set(get_args(Faith)),
            "incident_types": set(get_args(IncidentType)),
            "areas": set(get_args(Area)),
        }
        for section, codes in expected.items():
            missing = codes - set(getattr(self, section))
            if missing:
                raise ValueError(
                    f"section {section!r} has no label for {sorted(missing)}"
                )


ModelT = TypeVar("ModelT", bound=_ContentModel)


@dataclass(frozen=True)
class _CachedFile:
    mtime_ns: int
    size: int
    value: _ContentModel


_cache: dict[tuple[Path, str], _CachedFile] = {}
_cache_lock = threading.Lock()


def load_reading_rules() -> ReadingRules:
    """Return the checked contents of readings.yml."""
    return _load(READINGS_FILE, ReadingRules)


def load_explanations() -> Explanations:
    """Return the checked contents of explanations.yml."""
    return _load(EXPLANATIONS_FILE, Explanations)


def load_route_rules() -> RouteRules:
    """Return the checked contents of routes.yml."""
    return _load(ROUTES_FILE, RouteRules)


def load_labels() -> Labels:
    """Return the checked contents of labels.yml."""
    return _load(LABELS_FILE, Labels)


def _load(file_name: str, model: type[ModelT]) -> ModelT:
    """Return a content file parsed as `model`, reading it again if it changed."""
    path = Path(settings.content_dir) / file_name
    try:
        stat = path.stat()
    except OSError as exc:
        raise ContentError(
            f"Content file {path} could not be read ({exc.strerror}). Check "
            "SOS_CONTENT_DIR, which must point at the project's content folder."
        ) from exc

    key = (path, model.__name__)
    with _cache_lock:
        cached = _cache.get(key)
    if cached and (cached.mtime_ns, cached.size) == (stat.st_mtime_ns, stat.st_size):
        return cached.value  # type: ignore[return-value]

    value = _parse(path, model)
    with _cache_lock:
        _cache[key] = _CachedFile(stat.st_mtime_ns, stat.st_size, value)
    logger.info("Loaded content file %s", path)
    return value


def _parse(path: Path, model: type[ModelT]) -> ModelT:
    """Parse and check one content file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        value = model.model_validate(raw)
        value.check()
    except (OSError, yaml.YAMLError, ValidationError, ValueError, TypeError) as exc:
        raise ContentError(
            f"Content file {path} is invalid: {exc}. Fix the file; the next "
            "request reads it again."
        ) from exc
    return value


def _check_placeholders(templates: Iterable[str], allowed: frozenset[str]) -> None:
    formatter = string.Formatter()
    for template in templates:
        try:
            fields = [field for _, field, _, _ in formatter.parse(template) if field]
        except ValueError as exc:
            raise ValueError(f"malformed braces in {template!r}: {exc}") from exc
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(
                f"unknown placeholder {sorted(unknown)} in {template!r}; "
                f"use one of {sorted(allowed)}"
            )
