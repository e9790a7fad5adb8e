"""Time a full training of the Rasa model, with an empty component cache.

Runs `rasa train` on the project's config, domain and data into a temporary
folder, with `RASA_CACHE_DIRECTORY` pointing at an empty temporary folder so
that every component trains, as on a fresh clone. The reference in the same
run is `import tensorflow` in the Rasa environment. models/assistant.tar.gz and
.rasa/cache are left alone.

Run: `.venvs/service/bin/python bench/training_time.py`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
RASA_BIN = REPO_ROOT / ".venvs" / "rasa" / "bin"


def seconds_of(command: list[str], env: dict[str, str]) -> float:
    """Run `command` in the repository and return its wall-clock seconds."""
    started = time.perf_counter()
    subprocess.run(
        command,
        cwd=REPO_ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> int:
    env = {
        "PATH": "/usr/bin:/bin",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONPATH": str(REPO_ROOT),
    }
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"CPUs: {os.cpu_count()}, load average at start: {os.getloadavg()[0]:.2f}")

    reference = seconds_of([str(RASA_BIN / "python"), "-c", "import tensorflow"], env)
    with tempfile.TemporaryDirectory(prefix="sos-train-") as directory:
        env["RASA_CACHE_DIRECTORY"] = str(Path(directory) / "cache")
        training = seconds_of(
            [
                str(RASA_BIN / "rasa"),
                "train",
                "--config",
                "bot/config.yml",
                "--domain",
                "bot/domain",
                "--data",
                "bot/data",
                "nlu/data",
                "--out",
                str(Path(directory) / "models"),
                "--fixed-model-name",
                "assistant",
            ],
            env,
        )

    print(f"import tensorflow (reference): {reference:7.1f} s")
    print(f"rasa train, empty cache:       {training:7.1f} s")
    print(f"ratio:                         {training / reference:7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
