"""A PostgreSQL server of the test's own, so that a test can stop its database.

It runs the machine's PostgreSQL binaries on a data folder under /tmp, on a
port of its own, with trust authentication on 127.0.0.1 only. As root the
commands run as the `postgres` user, because PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

POSTGRES_ROOT = Path("/usr/lib/postgresql")


def _bin_dir() -> Path:
    versions = sorted(
        (path for path in POSTGRES_ROOT.glob("*/bin") if (path / "pg_ctl").exists()),
        key=lambda path: int(path.parent.name),
    )
    if not versions:
        raise RuntimeError(f"No PostgreSQL server binaries under {POSTGRES_ROOT}")
    return versions[-1]


class PrivatePostgres:
    """One PostgreSQL server on 127.0.0.1:`port` with a data folder under /tmp."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.bin_dir = _bin_dir()
        self.data_dir = Path(tempfile.mkdtemp(prefix="sos-postgres-"))
        if os.geteuid() == 0:
            shutil.chown(self.data_dir, user="postgres", group="postgres")
        self._run("initdb", "-D", str(self.data_dir), "-A", "trust", "-U", "postgres")

    @property
    def maintenance_url(self) -> str:
        """SQLAlchemy URL of the server's `postgres` database."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.data_dir} -c fsync=off"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-o",
            options,
            "-l",
            str(self.data_dir / "server.log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        """Stop the server at once, ending every open connection."""
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        """Stop the server if it runs and delete its data folder."""
        subprocess.run(
            self._command(
                "pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "stop"
            ),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def _command(self, program: str, *arguments: str) -> list[str]:
        command = [str(self.bin_dir / program), *arguments]
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *command]
        return command

    def _run(self, program: str, *arguments: str) -> None:
        subprocess.run(
            self._command(program, *arguments),
            capture_output=True,
            check=True,
            cwd="/tmp",
        )
