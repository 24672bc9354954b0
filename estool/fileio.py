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


def atomic_write_bytes(
    path: str | os.PathLike, data: bytes, previous: str | os.PathLike | None = None
) -> None:
    """Write `data` to `path` through a temp file in the same folder and `os.replace`.

    With `previous`, the file `path` held until now is kept there (a checkpoint and the one
    before it), by a hard link renamed into place: `path` exists, old or new, at every moment.
    """
    path = Path(path)
    fd, tmp = temp_file_beside(path)
    kept = None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if previous is not None and path.exists():
            kept = f"{tmp}.previous"
            try:
                os.link(path, kept)
            except OSError:  # no hard links here: move it, `path` missing for a moment
                kept = None
                os.replace(path, previous)
            else:
                os.replace(kept, previous)
        os.replace(tmp, path)
    except BaseException:
        for name in (tmp, kept):
            if name is not None:
                Path(name).unlink(missing_ok=True)
        raise
