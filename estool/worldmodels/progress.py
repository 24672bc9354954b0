"""Progress bars for the long World Models steps (tqdm: count, rate, ETA) on stderr.

Written to a terminal, the bar redraws each second; to a file or a pipe (a batch job's log), a
line every 30 s rather than thousands of redraws.
"""

from __future__ import annotations

import sys

from tqdm import tqdm


def progress_bar(total: int, unit: str, enabled: bool = True, initial: int = 0, desc: str = ""):
    """A tqdm bar of `total` `unit`s, starting at `initial` (a resumed job); a silent one when
    not `enabled` (an MPI worker rank)."""
    interactive = sys.stderr.isatty()
    return tqdm(
        total=total,
        initial=initial,
        unit=unit,
        desc=desc,
        disable=not enabled,
        mininterval=1.0 if interactive else 30.0,
        dynamic_ncols=interactive,
        leave=True,
    )
