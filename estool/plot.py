"""Plot training progress (`estool plot RUN [RUN ...] [-o out.png] [--live]`, `estool.cli.plot`).

One PNG, three panels: population fitness (mean line, min-max band) and evaluation scores
(markers) against generation, wall-clock time and environment steps; several runs overlay.

A RUN is a file base such as `log/cartpole_swingup.cma.16.32` or any of its files; this
project's logs and the original estool's are read by `estool.training.runlog.read_run`. Drawing
(`draw` -> matplotlib Figure) imports matplotlib only when called.
As with pycma's `CMADataLogger`, training only appends data and plotting is a separate reader,
so a plot can follow a run while it trains.
"""

from __future__ import annotations

import dataclasses
import io
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from estool.fileio import atomic_write_bytes
from estool.log import logger
from estool.training.runfiles import run_base, run_file
from estool.training.runlog import LogError, RunLog, read_run

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

EVAL_MARKER = dict(markersize=5, markeredgecolor="black", markeredgewidth=0.6)
ROW_FIELDS = ("generation", "seconds", "env_steps", "mean", "min", "max")  # RunLog's (G,) arrays
EVAL_FIELDS = ("eval_generation", "eval_score", "eval_seconds", "eval_env_steps")  # its (E,) ones
MATPLOTLIB_MISSING = "plotting needs matplotlib (the plot extra): pip install matplotlib"


def time_unit(seconds: float) -> tuple[float, str]:
    """(divisor, name) that keeps a time axis up to `seconds` readable."""
    for divisor, name in ((3600.0, "hours"), (60.0, "minutes")):
        if seconds >= 2 * divisor:
            return divisor, name
    return 1.0, "seconds"


def _draw_curve(ax: Axes, run: RunLog, x: np.ndarray, eval_x: np.ndarray, color: str) -> None:
    """Mean line, min-max band and evaluation markers of one run on one panel."""
    ax.fill_between(x, run.min, run.max, color=color, alpha=0.2, linewidth=0)
    ax.plot(x, run.mean, color=color, marker="." if len(x) == 1 else None)
    ax.plot(eval_x, run.eval_score, linestyle="none", marker="D", color=color, **EVAL_MARKER)


def _legend_handles(runs: list[RunLog]) -> list:
    """One entry a run (its file base name), then what the band and the markers mean."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Line2D([], [], color=f"C{i % 10}", label=run.name) for i, run in enumerate(runs)]
    marker = Line2D([], [], linestyle="none", marker="D", color="grey", **EVAL_MARKER)
    marker.set_label("evaluation score")
    return [*handles, Patch(color="grey", alpha=0.3, label="population min-max"), marker]


def draw(runs: list[RunLog]) -> Figure:
    """A Figure with three panels (x: generation, wall-clock time, env steps), one colour a run."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(16, 4.8), layout="constrained")
    FigureCanvasAgg(fig)
    by_generation, by_time, by_steps = fig.subplots(1, 3, sharey=True)
    divisor, unit = time_unit(max(float(run.seconds[-1]) for run in runs))
    for i, run in enumerate(runs):
        color = f"C{i % 10}"
        _draw_curve(by_generation, run, run.generation, run.eval_generation, color)
        _draw_curve(by_time, run, run.seconds / divisor, run.eval_seconds / divisor, color)
        if run.env_steps is not None:
            _draw_curve(by_steps, run, run.env_steps, run.eval_env_steps, color)
    if all(run.env_steps is None for run in runs):
        by_steps.text(0.5, 0.5, "env steps unknown", ha="center", transform=by_steps.transAxes)
    by_generation.legend(handles=_legend_handles(runs), fontsize="small")
    by_generation.xaxis.set_major_locator(MaxNLocator(integer=True))
    by_generation.set_ylabel("fitness, evaluation score")
    by_generation.set_xlabel("generation")
    by_time.set_xlabel(f"wall-clock {unit}")
    by_steps.set_xlabel("environment steps")
    for ax in (by_generation, by_time, by_steps):
        ax.grid(alpha=0.3)
    return fig


def render_png(runs: list[RunLog]) -> bytes:
    """`draw(runs)` as PNG bytes."""
    buffer = io.BytesIO()
    draw(runs).savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def unique_bases(paths: list[str]) -> list[Path]:
    """Run bases in order, each once (a shell glob such as `log/run.*` names many files)."""
    return list(dict.fromkeys(run_base(p) for p in paths))


def run_names(bases: list[Path]) -> list[str]:
    """Legend names: file base names, with as many parent folders as tell apart runs that share
    one (two seeds: `seed0/cma.16.64`, `seed1/cma.16.64`)."""
    depth = 1
    while True:
        names = ["/".join(base.parts[-depth:]) for base in bases]
        if len(set(names)) == len(names) or all(depth >= len(b.parts) for b in bases):
            return names
        depth += 1


def up_to(run: RunLog, generation: int) -> RunLog:
    """`run`'s rows and evaluations up to `generation` (a long run drawn beside a short one)."""
    rows, evals = run.generation <= generation, run.eval_generation <= generation
    cut = {k: (rows, getattr(run, k)) for k in ROW_FIELDS}
    cut |= {k: (evals, getattr(run, k)) for k in EVAL_FIELDS}
    return dataclasses.replace(
        run, **{k: None if v is None else v[keep] for k, (keep, v) in cut.items()}
    )


def plot_runs(bases: list[Path], out: Path, generations: int | None = None) -> list[RunLog]:
    """Read every run (up to `generations` if given), then write the PNG atomically (nothing is
    written if a read fails)."""
    runs = [read_run(base, name) for base, name in zip(bases, run_names(bases), strict=True)]
    if generations is not None:
        runs = [up_to(run, generations) for run in runs]
    png = render_png(runs)
    try:
        atomic_write_bytes(out, png)
    except OSError as error:
        raise LogError(f"{out}: cannot write ({error.strerror or error})") from None
    return runs


def _inputs_signature(bases: list[Path]) -> tuple:
    """Changes whenever a run file that a plot reads is appended to or replaced."""
    stats = []
    for base in bases:
        for suffix in (".progress.jsonl", ".hist.json", ".log.json"):
            try:
                st = run_file(base, suffix).stat()
            except FileNotFoundError:
                continue
            stats.append((str(base), suffix, st.st_ino, st.st_mtime_ns, st.st_size))
    return tuple(stats)


def watch(bases: list[Path], out: Path, interval: float, generations: int | None = None) -> None:
    """Rewrite `out` whenever the logs change, checking every `interval` s, until Ctrl-C.

    The first plot must succeed (LogError otherwise); later failures, such as a run file
    caught mid-write, are logged and retried.
    """
    signature = _inputs_signature(bases)
    plot_runs(bases, out, generations)
    logger.info("wrote %s; updating every %g s until Ctrl-C", out, interval)
    while True:
        time.sleep(interval)
        now = _inputs_signature(bases)
        if now == signature:
            continue
        try:
            runs = plot_runs(bases, out, generations)
        except LogError as error:
            logger.warning("plot not updated: %s", error)
            continue
        signature = now
        logger.debug("updated %s to generation %s", out, [int(r.generation[-1]) for r in runs])


if __name__ == "__main__":  # python -m estool.plot: the same as `estool plot`
    from estool.cli.plot import main

    sys.exit(main())
