"""Atomic file writes: readers never see half a file; a killed writer leaves the old one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def temp_file_beside(path: Path, suffix: str = ".tmp") -> tuple[int, str]:
    """(fd, name) of a new temp file in `path`'s folder, with the permissions of a plain `open`.

    mkstemp makes files 0600; a run's outputs should be readable as any other file the user writes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)
    return fd, tmp


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `path` through a temp file in the same folder and `os.replace`."""
    path = Path(path)
    fd, tmp = temp_file_beside(path)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
