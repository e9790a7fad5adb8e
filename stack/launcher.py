"""Starts and stops the three processes of the assistant on one machine.

The action server and Rasa run from the Python 3.10 environment, the directory
service from the Python 3.11 one. Rasa and the action server listen on
127.0.0.1 only; Rasa's HTTP API requires a token.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
RASA_BIN = REPO_ROOT / ".venvs" / "rasa" / "bin"
SERVICE_BIN = REPO_ROOT / ".venvs" / "service" / "bin"
MODEL_PATH = REPO_ROOT / "models" / "assistant.tar.gz"
ENDPOINTS_PATH = REPO_ROOT / "bot" / "endpoints.yml"
LOG_DIR = REPO_ROOT / "var" / "log"

# Rasa loads TensorFlow and the model before it replies: about 30 seconds on the
# 2-core development machine. The limit leaves room for a slower one.
START_TIMEOUT_SECONDS = 180.0


class StackError(RuntimeError):
    """A process of the stack failed to start or stopped unexpectedly."""


@dataclass
class Ports:
    """Loopback ports of the three processes."""

    directory: int = 8000
    rasa: int = 5005
    actions: int = 5055


@dataclass
class Stack:
    """The running processes, their ports and the Rasa and log ingest tokens.

    `endpoints` is Rasa's endpoints file (the RabbitMQ set-up passes its own),
    and `extra_environment` is added to the environment of every process.
    """

    ports: Ports = field(default_factory=Ports)
    database_url: str | None = None
    rasa_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    log_ingest_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    endpoints: Path = ENDPOINTS_PATH
    extra_environment: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def directory_url(self) -> str:
        """Base URL of the directory service."""
        return f"http://127.0.0.1:{self.ports.directory}"

    @property
    def rasa_url(self) -> str:
        """Base URL of the Rasa server."""
        return f"http://127.0.0.1:{self.ports.rasa}"

    def environment(self) -> dict[str, str]:
        """Return the environment shared by the three processes."""
        env = dict(os.environ)
        env.update(
            {
                "PYTHONPATH": str(REPO_ROOT),
                "RASA_TELEMETRY_ENABLED": "false",
                "TF_CPP_MIN_LOG_LEVEL": "2",
                "SANIC_HOST": "127.0.0.1",
                "SOS_RASA_URL": self.rasa_url,
                "SOS_RASA_TOKEN": self.rasa_token,
                "SOS_DIRECTORY_URL": self.directory_url,
                "SOS_ACTION_SERVER_URL": (
                    f"http://127.0.0.1:{self.ports.actions}/webhook"
                ),
                "SOS_LOG_INGEST_URL": f"{self.directory_url}/api/logs/events",
                "SOS_LOG_INGEST_TOKEN": self.log_ingest_token,
            }
        )
        env.update(self.extra_environment)
        if self.database_url:
            env["SOS_DATABASE_URL"] = self.database_url
        return env

    def start(self) -> None:
        """Start the action server, Rasa and the directory service, then wait."""
        if not MODEL_PATH.exists():
            raise StackError(
                f"Trained model not found at {MODEL_PATH}: run `make train` first."
            )

        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self._spawn("actions", self._actions_command())
        self._spawn("rasa", self._rasa_command())
        self._spawn("directory", self._directory_command())

        self._wait_until_ready("directory", f"{self.directory_url}/health")
        self._wait_until_ready(
            "actions", f"http://127.0.0.1:{self.ports.actions}/health"
        )
        self._wait_until_ready(
            "rasa", f"{self.rasa_url}/status?token={self.rasa_token}"
        )

    def stop(self) -> None:
        """Stop every process, politely first, then by force."""
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)

        for name, process in self.processes.items():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                logger.warning("Process %s did not stop in 15 s; killing it.", name)
                process.kill()
                process.wait()

        self.processes.clear()

    def stop_process(self, name: str) -> None:
        """Stop one process, to test how the others cope without it."""
        process = self.processes.pop(name)
        process.terminate()
        process.wait(timeout=15)

    def _actions_command(self) -> list[str]:
        return [
            str(RASA_BIN / "python"),
            "-m",
            "rasa_sdk",
            "--actions",
            "actions",
            "--port",
            str(self.ports.actions),
        ]

    def _rasa_command(self) -> list[str]:
        return [
            str(RASA_BIN / "rasa"),
            "run",
            "--model",
            str(MODEL_PATH),
            "--enable-api",
            "--auth-token",
            self.rasa_token,
            "--interface",
            "127.0.0.1",
            "--port",
            str(self.ports.rasa),
            "--endpoints",
            str(self.endpoints),
            "--credentials",
            str(REPO_ROOT / "bot" / "credentials.yml"),
            "--logging-config-file",
            str(REPO_ROOT / "bot" / "logging.yml"),
        ]

    def _directory_command(self) -> list[str]:
        return [
            str(SERVICE_BIN / "python"),
            "-m",
            "uvicorn",
            "directory.app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.ports.directory),
            "--no-access-log",
        ]

    def _spawn(self, name: str, command: list[str]) -> None:
        log_file = (LOG_DIR / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=self.environment(),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        logger.info("Started %s (pid %s).", name, self.processes[name].pid)

    def _wait_until_ready(self, name: str, url: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS

        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                raise StackError(
                    f"Process {name} exited with code "
                    f"{self.processes[name].returncode}: see {LOG_DIR / name}.log"
                )
            try:
                if httpx.get(url, timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)

        raise StackError(
            f"Process {name} was not ready after {START_TIMEOUT_SECONDS:.0f} s: "
            f"see {LOG_DIR / name}.log"
        )


def _stop_on_sigterm(signum: int, frame: object) -> None:
    """Turn SIGTERM into the same clean stop as Ctrl+C."""
    raise KeyboardInterrupt


def run_forever() -> None:
    """Start the stack, print the URL to open, and stop on Ctrl+C or SIGTERM.

    The three processes run in process groups of their own, so a SIGTERM to the
    launcher alone would leave them running without this handler.
    """
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    stack = Stack()
    print("Starting the assistant (Rasa takes about half a minute to load)...")

    try:
        stack.start()
        print(f"\nSpeak Out Space is running: open {stack.directory_url}/\n")
        print("Press Ctrl+C to stop.")
        while all(process.poll() is None for process in stack.processes.values()):
            time.sleep(1)
        print("A process stopped unexpectedly: see the logs in var/log/.")
        stack.stop()
        sys.exit(1)
    except KeyboardInterrupt:
        print("\nStopping...")
    except StackError as exc:
        print(f"The assistant failed to start: {exc}", file=sys.stderr)
        sys.exit(1)
    finally:
        stack.stop()
