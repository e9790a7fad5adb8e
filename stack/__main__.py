"""Command line: ``python -m stack run | chat | eval``."""

from __future__ import annotations

import argparse
import subprocess
import sys

from stack.chat import chat_in_terminal
from stack.launcher import REPO_ROOT, SERVICE_BIN, Ports, Stack, StackError, run_forever

# The held-out sets that `make eval` scores, each never trained on, and the
# file each one's figures go to.
HELDOUT_SETS = {
    "heldout.jsonl": "eval.json",
    "heldout2.jsonl": "eval2.json",
}


def run_evaluation() -> int:
    """Start the stack on spare ports, score each held-out set, and stop."""
    stack = Stack(ports=Ports(directory=8100, rasa=5105, actions=5155))

    try:
        stack.start()
        statuses = []
        for name, figures_file in HELDOUT_SETS.items():
            print(f"\n=== eval/{name} ===\n", flush=True)
            status = subprocess.call(
                [
                    str(SERVICE_BIN / "python"),
                    str(REPO_ROOT / "eval" / "evaluate.py"),
                    "--file",
                    str(REPO_ROOT / "eval" / name),
                    "--url",
                    stack.directory_url,
                    "--json",
                    str(REPO_ROOT / "var" / figures_file),
                ],
                cwd=REPO_ROOT,
            )
            statuses.append(status)

        # Every set is scored even when one fails, and the first failure is
        # the exit status.
        return next((status for status in statuses if status), 0)
    except StackError as exc:
        print(f"The assistant failed to start: {exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop()


def main() -> int:
    """Parse the command line and run the chosen command."""
    parser = argparse.ArgumentParser(prog="python -m stack")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start the assistant and print the URL to open")
    chat = commands.add_parser("chat", help="chat with a running assistant")
    chat.add_argument(
        "--url",
        default="http://127.0.0.1:8000",
        help="base URL of the running directory service",
    )
    commands.add_parser("eval", help="score the held-out evaluation sets")
    arguments = parser.parse_args()

    if arguments.command == "run":
        run_forever()
        return 0
    if arguments.command == "chat":
        return chat_in_terminal(arguments.url)
    return run_evaluation()


if __name__ == "__main__":
    sys.exit(main())
