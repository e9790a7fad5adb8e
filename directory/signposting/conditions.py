"""Conditions that the content files attach to rules, sections, routes and notes.

A condition names a fact about the situation and a test (see the header of
`content/readings.yml`). A `when` value is a mapping whose conditions must all
hold, a list of such mappings of which one must hold, or None for "always".
"""

import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

from directory.signposting.schemas import Reading, Situation

FactKind = Literal["flag", "value", "list"]
Facts = Mapping[str, Any]

LIST_WORDS = ("empty", "not_empty")
LIST_OPERATORS = ("any_of", "only", "none_of")
VALUE_OPERATORS = ("in", "not_in")


@dataclass(frozen=True)
class FactSpec:
    """The kind of a fact and the values it can take (None for a flag)."""

    kind: FactKind
    values: frozenset[str] | None = None


def situation_fact_specs() -> dict[str, FactSpec]:
    """Return a spec for each situation field, plus `likely` (the reading)."""
    specs = {
        name: _spec_for(field.annotation)
        for name, field in Situation.model_fields.items()
    }
    specs["likely"] = FactSpec("value", frozenset(get_args(Reading)))
    return specs


def _spec_for(annotation: Any) -> FactSpec:
    if annotation is bool:
        return FactSpec("flag")
    if get_origin(annotation) is list:
        return FactSpec("list", _literal_values(get_args(annotation)[0]))
    return FactSpec("value", _literal_values(annotation))


def _literal_values(annotation: Any) -> frozenset[str]:
    """Collect the strings of a Literal type, also inside `Literal[...] | None`."""
    if get_origin(annotation) in (Union, types.UnionType):
        members = get_args(annotation)
        return frozenset().union(*(_literal_values(member) for member in members))
    if get_origin(annotation) is Literal:
        return frozenset(str(value) for value in get_args(annotation))
    return frozenset()


def check_when(when: Any, specs: Mapping[str, FactSpec]) -> None:
    """Raise ValueError or TypeError naming the first malformed condition."""
    if when is None:
        return
    mappings = when if isinstance(when, list) else [when]
    for mapping in mappings:
        if not isinstance(mapping, dict):
            raise TypeError(
                f"a `when` must be a mapping or a list of mappings, not {mapping!r}"
            )
        for name, test in mapping.items():
            _check_condition(name, test, specs)


def _check_condition(name: str, test: Any, specs: Mapping[str, FactSpec]) -> None:
    spec = specs.get(name)
    if spec is None:
        raise ValueError(
            f"unknown field {name!r} in a condition; use one of {sorted(specs)}"
        )

    if spec.kind == "flag":
        if not isinstance(test, bool):
            raise TypeError(f"field {name!r} takes true or false, not {test!r}")
        return

    if isinstance(test, dict):
        operators = LIST_OPERATORS if spec.kind == "list" else VALUE_OPERATORS
        _check_values(name, _operand(name, test, operators), spec)
    elif spec.kind == "list":
        if test not in LIST_WORDS:
            raise ValueError(
                f"list field {name!r} takes empty, not_empty or one of "
                f"{list(LIST_OPERATORS)}, not {test!r}"
            )
    elif test is not None:
        _check_values(name, [test], spec)


def _operand(name: str, test: dict[str, Any], operators: tuple[str, ...]) -> list[Any]:
    if len(test) != 1 or next(iter(test)) not in operators:
        raise ValueError(
            f"field {name!r} takes a mapping with one of {list(operators)}, "
            f"not {test!r}"
        )
    operand = next(iter(test.values()))
    if not isinstance(operand, list):
        raise TypeError(f"the operand for field {name!r} must be a list: {test!r}")
    return operand


def _check_values(name: str, values: list[Any], spec: FactSpec) -> None:
    allowed = spec.values or frozenset()
    unknown = [value for value in values if value is not None and value not in allowed]
    if unknown:
        raise ValueError(
            f"field {name!r} has no value {unknown!r}; use one of {sorted(allowed)}"
        )


def when_holds(when: Any, facts: Facts) -> bool:
    """Return whether `when` holds for the facts (None always holds)."""
    if when is None:
        return True
    if isinstance(when, list):
        return any(_all_hold(mapping, facts) for mapping in when)
    return _all_hold(when, facts)


def _all_hold(mapping: Mapping[str, Any], facts: Facts) -> bool:
    return all(_condition_holds(facts[name], test) for name, test in mapping.items())


def _condition_holds(value: Any, test: Any) -> bool:
    if isinstance(value, list):
        return _list_condition_holds(value, test)

    if isinstance(test, dict):
        operator, operand = next(iter(test.items()))
        if operator == "in":
            return value in operand
        return value not in operand

    return bool(value == test)


def _list_condition_holds(values: list[str], test: Any) -> bool:
    if test == "empty":
        return not values
    if test == "not_empty":
        return bool(values)

    operator, operand = next(iter(test.items()))
    present, listed = set(values), set(operand)
    if operator == "any_of":
        return bool(present & listed)
    if operator == "only":
        return bool(present) and present <= listed
    return not present & listed
