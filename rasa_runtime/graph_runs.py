"""Build the graph of each kind of model run once, instead of on every run.

Rasa 3.6 runs a trained model's graph for every parse and for every prediction
of the next action. Each run works out again which nodes the targets need,
walking the dependencies recursively without remembering nodes already seen,
and builds the dask graph from them. A py-spy profile of one-at-a-time chat
turns (`bench/turn_profile.py`, raw samples kept) put that walk at about 7 % of
the Rasa server's CPU time.

A loaded model's graph does not change, so the replacement keeps the dask
graph of each set of targets on the runner and gives each run a copy, to which
it adds that run's inputs as Rasa does. The nodes, the targets and the results
are the same.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Tuple

import dask
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

logger = logging.getLogger("rasa.engine.runner.dask")

BUILT_GRAPHS = "_built_dask_graphs"


def built_graph(runner: DaskGraphRunner, targets: Tuple[str, ...]) -> Dict[str, Any]:
    """Return the dask graph of `targets`, built on the first call."""
    graphs: Dict[Tuple[str, ...], Dict[str, Any]] = runner.__dict__.setdefault(
        BUILT_GRAPHS, {}
    )
    if targets not in graphs:
        schema = runner._graph_schema.minimal_graph_schema(list(targets))
        graphs[targets] = runner._build_dask_graph(schema)
    return graphs[targets]


def run(
    self: DaskGraphRunner,
    inputs: Optional[Dict[str, Any]] = None,
    targets: Optional[List[str]] = None,
) -> Dict[str, Any]:
    """Run the graph as `DaskGraphRunner.run` does, with the kept dask graph."""
    run_targets = targets if targets else self._graph_schema.target_names
    run_graph = dict(built_graph(self, tuple(run_targets)))

    if inputs:
        self._add_inputs_to_graph(inputs, run_graph)

    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            f"Running graph with inputs: {inputs}, targets: {targets} "
            f"and {self._execution_context}."
        )

    try:
        dask_result = dask.get(run_graph, run_targets)
        return dict(dask_result)
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e


def install() -> None:
    """Make every DaskGraphRunner keep its dask graphs."""
    DaskGraphRunner.run = run  # type: ignore[method-assign]
