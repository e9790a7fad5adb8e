"""The evaluation sets and the ``make eval`` run that scores the held-out ones.

Each held-out set is scored twice: through the running stack by
``eval/evaluate.py`` (every label of the assessment), then by ``rasa test nlu``
on its messages (intents only). Adding a held-out set means adding its name
here. The tests of the sets read the same lists.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import List

from stack.launcher import (
    MODEL_PATH,
    RASA_BIN,
    REPO_ROOT,
    SERVICE_BIN,
    Ports,
    Stack,
    StackError,
)

EVAL_DIR = REPO_ROOT / "eval"
VAR_DIR = REPO_ROOT / "var"

# Sets never trained or tuned on. `make eval` scores each of them.
HELDOUT_SETS = ("heldout", "heldout2")
# Sets scored while the model is changed, whose misses have been read.
DEVELOPMENT_SETS = ("dev", "dev2", "dev3")


def set_path(name: str) -> Path:
    """Return the JSONL file of the named evaluation set."""
    return EVAL_DIR / f"{name}.jsonl"


def score_through_stack(stack: Stack, name: str) -> int:
    """Score one set through the running stack and write var/eval_NAME.json."""
    print(f"\n=== eval/{name}.jsonl ===\n", flush=True)
    return subprocess.call(
        [
            str(SERVICE_BIN / "python"),
            str(EVAL_DIR / "evaluate.py"),
            "--file",
            str(set_path(name)),
            "--url",
            stack.directory_url,
            "--json",
            str(VAR_DIR / f"eval_{name}.json"),
        ],
        cwd=REPO_ROOT,
    )


def score_intents(name: str) -> int:
    """Run `rasa test nlu` on one set's messages and print the intent accuracy."""
    nlu_file = VAR_DIR / f"{name}_nlu.yml"
    results = VAR_DIR / "results" / f"nlu_{name}"
    status = subprocess.call(
        [
            str(SERVICE_BIN / "python"),
            str(EVAL_DIR / "to_rasa_nlu.py"),
            "--file",
            str(set_path(name)),
            "--out",
            str(nlu_file),
        ],
        cwd=REPO_ROOT,
    )
    if status:
        return status
    status = subprocess.call(
        [
            str(RASA_BIN / "rasa"),
            "test",
            "nlu",
            "--model",
            str(MODEL_PATH),
            "--nlu",
            str(nlu_file),
            "--out",
            str(results),
            "--no-plot",
        ],
        cwd=REPO_ROOT,
    )
    if status:
        return status

    report = json.loads((results / "intent_report.json").read_text(encoding="utf-8"))
    print(
        f"eval/{name}.jsonl, rasa test nlu: intent accuracy "
        f"{report['accuracy']:.3f}, weighted F1 "
        f"{report['weighted avg']['f1-score']:.3f}",
        flush=True,
    )
    return 0


def run_evaluation() -> int:
    """Score every held-out set, through the stack and then with `rasa test nlu`.

    Every set is scored even when one fails, and the first failure is the
    exit status.
    """
    statuses: List[int] = []
    stack = Stack(ports=Ports(directory=8100, rasa=5105, actions=5155))
    try:
        stack.start()
        statuses += [score_through_stack(stack, name) for name in HELDOUT_SETS]
    except StackError as exc:
        print(f"The assistant failed to start: {exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop()

    statuses += [score_intents(name) for name in HELDOUT_SETS]
    return next((status for status in statuses if status), 0)
