"""A run's files, estool-compatible names under <log_dir>/<game>.<opt>.<num_episode>.<popsize>:

- `.json`           [current_params]                         (estool's format; model.py reads it)
- `.best.json`      [best_params, best_eval_score]
- `.hist.json`      one row per generation, columns `HIST_COLUMNS`
- `.log.json`       one row per evaluation: [generation, eval_score, params]
- `.progress.jsonl` append-only, one JSON object per generation (for live plots)
- `.ckpt.pkl`       everything needed to resume exactly (solver state, RNG, generation, best, logs)
- `.ckpt.prev.pkl`  the checkpoint before it, for a resume when the latest is damaged
- `.config.json`    the resolved configuration
- `.lock`           held by the live run (`estool.training.lock`)
All but the append-only progress file are replaced atomically (temp file + os.replace).

Writes happen on one background thread, in the order they were asked for, so that the disk
(fsync) overlaps the workers' next generation; the data is serialized before the call returns.
`flush()` waits for them; the trainer flushes before each generation's writes and at the end.
"""

from __future__ import annotations

import json
import pickle
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from estool.fileio import atomic_write_bytes
from estool.log import logger

HIST_COLUMNS = (
    "generation",  # 1-based, as estool
    "seconds",  # wall-clock seconds since the run started (resumes continue the count)
    "fitness_mean",
    "fitness_min",
    "fitness_max",
    "fitness_std",
    "rms_sigma",  # root mean square of the solver's per-parameter sigma
    "steps_mean",  # mean episode length over the population
    "steps_max",
)


# every file of a run, longest first so that `.json` is tried last when stripping a suffix
SUFFIXES = (
    ".progress.jsonl",
    ".ckpt.prev.pkl",
    ".config.json",
    ".hist.json",
    ".best.json",
    ".log.json",
    ".ckpt.pkl",
    ".lock",
    ".json",
)
# what a run leaves (the lock file stays after every run and is no sign of one)
OUTPUTS = tuple(suffix for suffix in SUFFIXES if suffix != ".lock")


def run_file(filebase: Path, suffix: str) -> Path:
    """`<filebase><suffix>`, e.g. log/cartpole_swingup.cma.16.32 + .hist.json."""
    return filebase.with_name(filebase.name + suffix)


def run_base(path: str | Path) -> Path:
    """The file base of a run: `path` with a known run-file suffix removed."""
    path = Path(path)
    for suffix in SUFFIXES:
        if path.name.endswith(suffix) and len(path.name) > len(suffix):
            return path.with_name(path.name[: -len(suffix)])
    return path


class ReusedBuffer:
    """A write-only file for `pickle.dump` that keeps its memory from one dump to the next.

    A large checkpoint (a full CMA-ES's covariance) pickled into new memory every generation costs
    the master mostly page faults; refilling memory already mapped costs a third of it.
    """

    def __init__(self):
        self.data = np.empty(0, np.uint8)
        self.size = 0

    def write(self, chunk) -> int:
        chunk = np.frombuffer(chunk, np.uint8)
        end = self.size + len(chunk)
        if end > len(self.data):
            grown = np.empty(end + end // 4, np.uint8)  # room for a growing history
            grown[: self.size] = self.data[: self.size]
            self.data = grown
        self.data[self.size : end] = chunk
        self.size = end
        return len(chunk)

    def written(self) -> np.ndarray:
        """The bytes written since the last `clear()` (a view: valid until the next write)."""
        return self.data[: self.size]

    def clear(self) -> None:
        self.size = 0


class RunFiles:
    def __init__(self, filebase: Path):
        self.filebase = Path(filebase)
        self.filebase.parent.mkdir(parents=True, exist_ok=True)
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="runfiles")
        self.pending: list[Future] = []
        self.checkpoint_buffer = ReusedBuffer()
        self.checkpoint_write: Future | None = None  # the last checkpoint's, which reads the buffer

    def path(self, suffix: str) -> Path:
        return run_file(self.filebase, suffix)

    def earlier_outputs(self) -> list[Path]:
        """The files an earlier run with this file base left here."""
        return [self.path(suffix) for suffix in OUTPUTS if self.path(suffix).exists()]

    def delete_earlier_outputs(self) -> None:
        for path in self.earlier_outputs():
            path.unlink()

    def _write(self, suffix: str, data: bytes) -> None:
        self.pending.append(self.writer.submit(atomic_write_bytes, self.path(suffix), data))

    def _write_json(self, suffix: str, obj: Any) -> None:
        self._write(suffix, json.dumps(obj).encode())

    def flush(self) -> None:
        """Wait until every write asked for is on disk; re-raises a failed write's error."""
        pending, self.pending = self.pending, []
        for future in pending:
            future.result()

    def write_params(self, params: np.ndarray) -> None:
        self._write_json(".json", [np.asarray(params).tolist()])

    def write_best(self, params: np.ndarray, score: float) -> None:
        self._write_json(".best.json", [np.asarray(params).tolist(), score])

    def write_hist(self, rows: list[list[float]]) -> None:
        self._write_json(".hist.json", rows)

    def write_eval_log(self, rows: list[list[Any]]) -> None:
        self._write_json(".log.json", rows)

    def write_config(self, config: dict) -> None:
        self._write_json(".config.json", config)

    def append_progress(self, row: dict) -> None:
        line = json.dumps(row) + "\n"

        def append() -> None:
            with open(self.path(".progress.jsonl"), "a") as f:
                f.write(line)

        self.pending.append(self.writer.submit(append))

    def truncate_progress(self, generations: int) -> None:
        """On resume: drop rows written after the checkpoint (a kill between the two writes)."""
        path = self.path(".progress.jsonl")
        if path.exists():
            rows = [r for r in path.read_text().splitlines() if r.strip()]
            kept = [r for r in rows if json.loads(r)["generation"] <= generations]
            atomic_write_bytes(path, "".join(r + "\n" for r in kept).encode())

    def write_checkpoint(self, state: dict) -> None:
        if self.checkpoint_write is not None:
            self.checkpoint_write.result()  # done writing the buffer (long ago: a generation)
        self.checkpoint_buffer.clear()
        pickle.dump(state, self.checkpoint_buffer, pickle.HIGHEST_PROTOCOL)
        data = self.checkpoint_buffer.written()
        self.checkpoint_write = self.writer.submit(
            atomic_write_bytes, self.path(".ckpt.pkl"), data, self.path(".ckpt.prev.pkl")
        )
        self.pending.append(self.checkpoint_write)

    def restore_eval_log(self, rows: list[list[Any]]) -> list[list[Any]]:
        """On resume: the checkpoint's `[generation, score]` rows with their parameters put back
        from `.log.json` (the checkpoint leaves them out, so that it does not grow with every
        evaluation). Rows the file has beyond the checkpoint are dropped."""
        path = self.path(".log.json")
        if not rows or len(rows[0]) == 3:  # nothing evaluated yet, or rows that carry params
            return rows
        try:
            saved = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            raise ValueError(
                f"--resume: cannot read {path} ({error}); it holds the evaluations"
            ) from None
        if not isinstance(saved, list):
            saved = []
        by_generation = {row[0]: row for row in saved if isinstance(row, list) and len(row) == 3}
        restored = []
        for generation, score in rows:
            row = by_generation.get(generation)
            # compared as JSON text, so that a NaN score matches itself
            if row is None or json.dumps(row[1]) != json.dumps(score):
                raise ValueError(
                    f"--resume: {path} does not match the checkpoint at generation {generation}"
                )
            restored.append(row)
        return restored

    def has_checkpoint(self) -> bool:
        return self.path(".ckpt.pkl").exists() or self.path(".ckpt.prev.pkl").exists()

    def read_checkpoint(self) -> dict:
        """The latest checkpoint, or the one before it (with a notice) when the latest is
        damaged; ValueError when neither loads, FileNotFoundError when there is none."""
        latest, previous = self.path(".ckpt.pkl"), self.path(".ckpt.prev.pkl")
        if not latest.exists() and not previous.exists():
            raise FileNotFoundError(f"--resume: no checkpoint {latest}; start without --resume")
        problems = []
        for path in (latest, previous):
            try:
                checkpoint = load_checkpoint(path)
            except (OSError, ValueError) as error:
                problems.append(f"{path.name}: {error}")
                continue
            if problems:
                generation = checkpoint["train"]["generation"]
                logger.warning(
                    "warning: %s; resuming from %s (generation %d)", problems[0], path, generation
                )
            return checkpoint
        raise ValueError(
            f"--resume: no checkpoint loads ({'; '.join(problems)}); start over with --overwrite"
        )


def load_checkpoint(path: Path) -> dict:
    """A checkpoint's contents; ValueError (saying why) for a file cut short or not a checkpoint."""
    import estool.solvers  # noqa: F401  (pycma's classes, to unpickle the solver's state)

    if not path.exists():
        raise ValueError("missing")
    try:
        with open(path, "rb") as f:
            checkpoint = pickle.load(f)
    except Exception as error:  # a damaged pickle can fail in many ways
        raise ValueError(f"cannot unpickle ({type(error).__name__}: {error})") from None
    keys = ("config", "popsize", "solver", "train")
    if not isinstance(checkpoint, dict) or not all(k in checkpoint for k in keys):
        raise ValueError("not an estool checkpoint")
    return checkpoint
