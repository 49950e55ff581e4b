"""Running the `tracker` command as a user does: a process with its own environment."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO

_NOT_INHERITED = {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "TRACKER_CONFIG"}


def tracker_env(database: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.upper() not in _NOT_INHERITED}
    return {**env, "TRACKER_DATABASE_URL": database, "PYTHONUTF8": "1"}


def run_tracker(
    args: list[str], cwd: Path, database: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """One `tracker ...` command to its end; its output is captured."""
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args],
        cwd=cwd,
        env=tracker_env(database),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@dataclass
class Service:
    """A `tracker run` process whose log goes to a file (a long run would fill a pipe)."""

    process: subprocess.Popen[bytes]
    log: Path
    _handle: IO[bytes]

    @classmethod
    def start(cls, config: Path, cwd: Path, database: str, log: Path) -> Service:
        handle = log.open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "tracker", "run", "--config", str(config)],
            cwd=cwd,
            env=tracker_env(database),
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        return cls(process, log, handle)

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self.close()

    def close(self) -> None:
        """Never leave the process behind, and reap it (a zombie's pid still exists)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)
        self._handle.close()

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")
