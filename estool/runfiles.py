"""A run's files, estool-compatible names under <log_dir>/<game>.<opt>.<num_episode>.<popsize>:

- `.json`           [current_params]                         (estool's format; model.py reads it)
- `.best.json`      [best_params, best_eval_score]
- `.hist.json`      one row per generation, columns `HIST_COLUMNS`
- `.log.json`       one row per evaluation: [generation, eval_score, params]
- `.progress.jsonl` append-only, one JSON object per generation (for live plots)
- `.ckpt.pkl`       everything needed to resume exactly (solver state, RNG, generation, best, logs)
- `.config.json`    the resolved configuration
All but the append-only progress file are replaced atomically (temp file + os.replace).
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from estool.fileio import atomic_write_bytes, atomic_write_json

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


class RunFiles:
    def __init__(self, filebase: Path):
        self.filebase = Path(filebase)
        self.filebase.parent.mkdir(parents=True, exist_ok=True)

    def path(self, suffix: str) -> Path:
        return self.filebase.with_name(self.filebase.name + suffix)

    def write_params(self, params: np.ndarray) -> None:
        atomic_write_json(self.path(".json"), [np.asarray(params).tolist()])

    def write_best(self, params: np.ndarray, score: float) -> None:
        atomic_write_json(self.path(".best.json"), [np.asarray(params).tolist(), score])

    def write_hist(self, rows: list[list[float]]) -> None:
        atomic_write_json(self.path(".hist.json"), rows)

    def write_eval_log(self, rows: list[list[Any]]) -> None:
        atomic_write_json(self.path(".log.json"), rows)

    def write_config(self, config: dict) -> None:
        atomic_write_json(self.path(".config.json"), config)

    def append_progress(self, row: dict) -> None:
        with open(self.path(".progress.jsonl"), "a") as f:
            f.write(json.dumps(row) + "\n")

    def truncate_progress(self, generations: int) -> None:
        """On resume: drop rows written after the checkpoint (a kill between the two writes)."""
        path = self.path(".progress.jsonl")
        if path.exists():
            rows = [r for r in path.read_text().splitlines() if r.strip()]
            kept = [r for r in rows if json.loads(r)["generation"] <= generations]
            atomic_write_bytes(path, "".join(r + "\n" for r in kept).encode())

    def write_checkpoint(self, state: dict) -> None:
        atomic_write_bytes(self.path(".ckpt.pkl"), pickle.dumps(state, pickle.HIGHEST_PROTOCOL))

    def read_checkpoint(self) -> dict:
        path = self.path(".ckpt.pkl")
        if not path.exists():
            raise FileNotFoundError(f"--resume: no checkpoint {path}; start without --resume")
        with open(path, "rb") as f:
            return pickle.load(f)
