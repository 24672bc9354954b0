"""One live run per file base: an exclusive `flock` on `<base>.lock`, held until the process ends.

The kernel drops the lock when its holder exits, however it exits (a SIGKILL too), so a stale
lock never blocks a run. The file keeps the holder's pid, host and command, for the message that
a second run gets.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import time
from pathlib import Path

from estool.training.runfiles import run_file


class RunLocked(RuntimeError):
    """Another live process holds the run's lock; the message names it."""


class RunLock:
    """The lock of the run whose files are `<filebase>.*`; RunLocked if another process has it."""

    def __init__(self, filebase: Path):
        self.path = run_file(filebase, ".lock")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self._holder()
            os.close(self.fd)
            raise RunLocked(
                f"{filebase}.* is in use by a live run ({holder}); wait for it, "
                "stop it, or choose another --log_dir"
            ) from None
        me = dict(pid=os.getpid(), host=socket.gethostname(), command=" ".join(sys.argv))
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, json.dumps({**me, "started": time.strftime("%F %T")}).encode(), 0)

    def _holder(self) -> str:
        try:
            info = json.loads(os.pread(self.fd, 1 << 16, 0) or b"{}")
            return (
                f"pid {info['pid']} on {info['host']}, started {info['started']}: {info['command']}"
            )
        except (OSError, ValueError, KeyError, TypeError):
            return "its details are unreadable"

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # closing drops the flock
            self.fd = -1
