"""Command line: ``python -m stack run | chat | eval``."""

from __future__ import annotations

import argparse
import sys

from stack.chat import chat_in_terminal
from stack.evaluation import run_evaluation
from stack.launcher import run_forever


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
