"""Placeholder values for the content templates, built from labels.yml."""

from collections.abc import Iterable, Mapping

from directory.signposting.content import Labels
from directory.signposting.matching import targeted_characteristics
from directory.signposting.schemas import Situation


def join_phrases(phrases: Iterable[str]) -> str:
    """Join phrases as English prose: "a", "a and b", "a, b and c"."""
    unique = list(dict.fromkeys(phrases))
    if len(unique) <= 1:
        return "".join(unique)
    return f"{', '.join(unique[:-1])} and {unique[-1]}"


def hostility_phrases(
    characteristics: Iterable[str], faiths: Iterable[str], labels: Labels
) -> list[str]:
    """Name the hostility towards each characteristic, faiths in place of religion."""
    faith_phrases = [labels.faiths[faith].hostility for faith in faiths]
    phrases = list(faith_phrases)
    for characteristic in characteristics:
        if characteristic == "religion" and faith_phrases:
            continue
        phrases.append(labels.characteristics[characteristic].hostility)
    return phrases


def placeholder_values(situation: Situation, labels: Labels) -> dict[str, str]:
    """Return the values of the situation placeholders of explanations and reasons."""
    characteristics = [
        code
        for code in situation.characteristics
        if code in targeted_characteristics(situation)
    ]
    hostility = join_phrases(
        hostility_phrases(characteristics, situation.faiths, labels)
    )
    incidents = join_phrases(
        labels.incident_types[code] for code in situation.incident_types
    )
    area = labels.areas.get(situation.area or "", "")

    return {
        "characteristic_summary": hostility or labels.fallbacks.characteristic_summary,
        "incident_summary": incidents or labels.fallbacks.incident_summary,
        "area_name": area or labels.fallbacks.area_name,
    }


def fill(template: str, values: Mapping[str, str]) -> str:
    """Fill a template whose placeholders content.py has already checked."""
    return template.format_map(values)
