"""Tests of loading and editing the content files."""

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from directory.settings import settings
from directory.signposting.content import (
    ContentError,
    load_explanations,
    load_labels,
    load_reading_rules,
    load_route_rules,
)
from directory.signposting.engine import explain, likely
from directory.signposting.schemas import Situation

GRAFFITI = Situation(
    characteristics=["religion"],
    faiths=["muslim"],
    incident_types=["criminal_damage"],
    area="charnwood",
)


def rewrite(path: Path, old: str, new: str) -> None:
    """Replace text in a content file and move its modification time forward."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not found in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    stat = path.stat()
    # A later mtime makes the edit visible even on file systems with coarse times.
    forward = stat.st_mtime_ns + 2_000_000_000
    os.utime(path, ns=(stat.st_atime_ns, forward))


def test_repository_content_loads() -> None:
    assert load_reading_rules().rules
    assert load_explanations().sections
    assert load_route_rules().routes
    assert load_labels().faiths["muslim"].hostility == "anti-Muslim hatred"


def test_edited_explanation_applies_without_restart(content_copy: Path) -> None:
    before = explain(GRAFFITI)
    rewrite(
        content_copy / "explanations.yml",
        "this\n        sounds like it could be a hate crime.",
        "this\n        sounds like it could be a hate crime (edited).",
    )

    after = explain(GRAFFITI)

    assert not any("(edited)" in paragraph for paragraph in before)
    assert any("(edited)" in paragraph for paragraph in after)


def test_edited_label_changes_summary(content_copy: Path) -> None:
    rewrite(
        content_copy / "labels.yml",
        "hostility: anti-Muslim hatred",
        "hostility: Islamophobia",
    )

    assert "Islamophobia" in " ".join(explain(GRAFFITI))


def test_edited_rule_changes_reading(content_copy: Path) -> None:
    rewrite(content_copy / "readings.yml", "    - criminal_damage\n", "")

    assert likely(GRAFFITI) == "unclear"


@pytest.mark.parametrize(
    ("file_name", "old", "new", "loader", "message"),
    [
        (
            "explanations.yml",
            "{incident_summary}",
            "{incident}",
            load_explanations,
            "unknown placeholder",
        ),
        ("routes.yml", "urgent: true", "urgnet: true", load_route_rules, "urgnet"),
        (
            "routes.yml",
            "route: crisis",
            "route: teleport",
            load_route_rules,
            "teleport",
        ),
        ("readings.yml", "rules:", "rules: [", load_reading_rules, "readings.yml"),
        ("labels.yml", "  rutland: Rutland\n", "", load_labels, "rutland"),
        (
            "routes.yml",
            "max_services_per_route: 3",
            "max_services_per_route: 0",
            load_route_rules,
            "max_services_per_route",
        ),
    ],
    ids=[
        "unknown-placeholder",
        "unknown-field",
        "unknown-route",
        "broken-yaml",
        "missing-label",
        "no-services-per-route",
    ],
)
def test_invalid_content_raises_content_error(
    content_copy: Path,
    file_name: str,
    old: str,
    new: str,
    loader: Callable[[], object],
    message: str,
) -> None:
    rewrite(content_copy / file_name, old, new)

    with pytest.raises(ContentError, match=message):
        loader()


def test_missing_content_dir_names_setting(
    content_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "content_dir", content_copy / "missing")

    with pytest.raises(ContentError, match="SOS_CONTENT_DIR"):
        load_labels()
