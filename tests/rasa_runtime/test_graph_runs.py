"""Runs of a small Rasa graph with the dask graphs that `graph_runs` keeps."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

import pytest
from rasa.engine.graph import (
    ExecutionContext,
    GraphComponent,
    GraphSchema,
    SchemaNode,
)
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

from rasa_runtime import graph_runs


class Doubler(GraphComponent):
    """Doubles the number it is given."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Doubler:
        return cls()

    def run(self, number: int) -> int:
        return 2 * number


def node(**needs: str) -> SchemaNode:
    return SchemaNode(
        needs=needs, uses=Doubler, constructor_name="create", fn="run", config={}
    )


@pytest.fixture
def runner(tmp_path: Path) -> DaskGraphRunner:
    graph_runs.install()
    # "twice" needs "once", which needs the run's input; "unused" is left out
    # of runs that target "twice".
    schema = GraphSchema(
        {
            "once": node(number="number"),
            "twice": node(number="once"),
            "unused": node(number="number"),
        }
    )
    return DaskGraphRunner.create(
        schema,
        LocalModelStorage(tmp_path),
        ExecutionContext(schema, "test-model"),
    )


def test_each_run_gets_its_own_inputs(runner: DaskGraphRunner) -> None:
    first = runner.run(inputs={"number": 3}, targets=["twice"])
    second = runner.run(inputs={"number": 5}, targets=["twice"])

    assert first == {"twice": 12}
    assert second == {"twice": 20}


def test_graph_built_once_per_targets(
    runner: DaskGraphRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[list[str]] = []
    minimal_graph_schema = GraphSchema.minimal_graph_schema

    def counted(schema: GraphSchema, targets: Any = None) -> GraphSchema:
        built.append(list(targets))
        return minimal_graph_schema(schema, targets)

    monkeypatch.setattr(GraphSchema, "minimal_graph_schema", counted)

    for number in range(3):
        runner.run(inputs={"number": number}, targets=["twice"])
    runner.run(inputs={"number": 1}, targets=["unused"])

    assert built == [["twice"], ["unused"]]


def test_kept_graph_holds_no_inputs(runner: DaskGraphRunner) -> None:
    runner.run(inputs={"number": 3}, targets=["twice"])

    kept = graph_runs.built_graph(runner, ("twice",))

    assert "number" not in kept
    assert set(kept) == {"once", "twice"}
