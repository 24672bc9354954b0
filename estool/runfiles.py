"""A run's files, estool-compatible names under <log_dir>/<game>.<opt>.<num_episode>.<popsize>:

- `.json`           [current_params]                         (estool's format; model.py reads it)
- `.best.json`      [best_params, best_eval_score]
- `.hist.json`      one row per generation, columns `HIST_COLUMNS`
- `.log.json`       one row per evaluation: [generation, eval_score, params]
- `.progress.jsonl` append-only, one JSON object per generation (for live plots)
- `.ckpt.pkl`       everything needed to resume exactly (solver state, RNG, generation, best, logs)
- `.config.json`    the resolved configuration
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
    ".config.json",
    ".hist.json",
    ".best.json",
    ".log.json",
    ".ckpt.pkl",
    ".json",
)


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

    A new 122 MB `bytes` per checkpoint (full CMA-ES on 2,804 parameters) cost the master 72 ms,
    mostly in page faults; refilling memory already mapped costs 28 ms.
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
        self.checkpoint_write = self.writer.submit(atomic_write_bytes, self.path(".ckpt.pkl"), data)
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

    def read_checkpoint(self) -> dict:
        path = self.path(".ckpt.pkl")
        if not path.exists():
            raise FileNotFoundError(f"--resume: no checkpoint {path}; start without --resume")
        with open(path, "rb") as f:
            return pickle.load(f)
