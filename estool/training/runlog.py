"""Read a training run's logs for plotting: `read_run(base) -> RunLog`.

A run is a file base such as `log/cartpole_swingup.cma.16.32` or any of its files (see
`estool.training.runfiles`). Rows come from `.progress.jsonl` (appended every generation, so
the live source) or else from `.hist.json`, which also reads the original estool's logs;
evaluation scores from `.log.json` rows `[generation, eval_score, params]`. Every failure is a
`LogError` whose message names the file and the problem.
"""

from __future__ import annotations

import json
import math
import reprlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from estool.log import logger
from estool.training.runfiles import HIST_COLUMNS, run_file

# what a plot needs from each `.progress.jsonl` row
PROGRESS_COLUMNS = ("generation", "seconds", "fitness_mean", "fitness_min", "fitness_max")


class LogError(ValueError):
    """A run that cannot be plotted; the message names the file and the problem."""


@dataclass
class RunLog:
    """One run's curves, shape (G,) per generation and (E,) per evaluation.

    `env_steps` is cumulative; None when it cannot be known (a hist-only run whose file name
    does not carry num_episode and popsize). `eval_seconds` and `eval_env_steps` are those of
    the evaluation's generation, NaN where that generation has no row yet.
    """

    name: str
    source: Path  # the file the per-generation rows came from
    generation: np.ndarray
    seconds: np.ndarray
    env_steps: np.ndarray | None
    mean: np.ndarray
    min: np.ndarray
    max: np.ndarray
    eval_generation: np.ndarray
    eval_score: np.ndarray
    eval_seconds: np.ndarray
    eval_env_steps: np.ndarray | None


def _short(value: Any) -> str:
    return reprlib.repr(value)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise LogError(f"{where}: {_short(value)} is not a number")
    return float(value)


def _parse_json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise LogError(f"{where}: bad JSON ({error.msg}, line {error.lineno})") from None


def _read_text(path: Path) -> str:
    try:
        return path.read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise LogError(f"{path}: cannot read ({error})") from None


def _json_rows(path: Path) -> list:
    rows = _parse_json(_read_text(path), str(path))
    if not isinstance(rows, list):
        raise LogError(f"{path}: expected a list of rows, got {type(rows).__name__}")
    return rows


def read_progress(path: Path) -> dict[str, np.ndarray]:
    """`.progress.jsonl` columns PROGRESS_COLUMNS + `env_steps` (this generation's), shape (G,).

    A last line without its newline is being appended right now: skipped unless complete.
    """
    text = _read_text(path)
    lines = text.split("\n")
    table = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path} line {number}"
        if number == len(lines):  # no newline after it
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
        else:
            row = _parse_json(line, where)
        if not isinstance(row, dict):
            raise LogError(f"{where}: expected a JSON object, got {type(row).__name__}")
        values = []
        for name in (*PROGRESS_COLUMNS, "env_steps"):
            if name not in row:
                raise LogError(f"{where}: no '{name}'")
            values.append(_number(row[name], f"{where} {name}"))
        table.append(values)
    columns = np.array(table, dtype=float).reshape(-1, len(PROGRESS_COLUMNS) + 1).T
    return dict(zip((*PROGRESS_COLUMNS, "env_steps"), columns, strict=True))


def read_hist(path: Path) -> dict[str, np.ndarray]:
    """`.hist.json` (this project's or the original estool's) as HIST_COLUMNS, shape (G,)."""
    table = []
    for number, row in enumerate(_json_rows(path), 1):
        where = f"{path} row {number}"
        if not isinstance(row, list) or len(row) != len(HIST_COLUMNS):
            raise LogError(
                f"{where}: expected {len(HIST_COLUMNS)} numbers ({', '.join(HIST_COLUMNS)}), "
                f"got {_short(row)}"
            )
        table.append([_number(v, f"{where} {c}") for c, v in zip(HIST_COLUMNS, row, strict=True)])
    columns = np.array(table, dtype=float).reshape(-1, len(HIST_COLUMNS)).T
    return dict(zip(HIST_COLUMNS, columns, strict=True))


def read_eval_log(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """`.log.json` rows [generation, eval_score, params] -> (generations, scores), shape (E,)."""
    if not path.exists():
        return np.zeros(0), np.zeros(0)
    generations, scores = [], []
    for number, row in enumerate(_json_rows(path), 1):
        where = f"{path} row {number}"
        if not isinstance(row, list) or len(row) != 3:
            raise LogError(f"{where}: expected [generation, eval_score, params], got {_short(row)}")
        generations.append(_number(row[0], f"{where} generation"))
        scores.append(_number(row[1], f"{where} eval_score"))
    return np.array(generations, dtype=float), np.array(scores, dtype=float)


def episodes_and_popsize(base: Path) -> tuple[int, int] | None:
    """(num_episode, popsize) from estool's file name `<game>.<opt>.<num_episode>.<popsize>`."""
    parts = base.name.split(".")
    if len(parts) < 4 or not (parts[-2].isdigit() and parts[-1].isdigit()):
        return None
    return int(parts[-2]), int(parts[-1])


def estimated_env_steps(base: Path, steps_mean: np.ndarray) -> np.ndarray | None:
    """Cumulative env steps of a hist-only run: steps_mean x popsize x num_episode per generation.

    Exact for this project's hist; the original estool logged steps_mean + 1, close enough.
    """
    shape = episodes_and_popsize(base)
    if shape is None:
        return None
    num_episode, popsize = shape
    return np.cumsum(steps_mean * popsize * num_episode)


def _at_generations(generation: np.ndarray, values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """values[i] where generation[i] == wanted[j], NaN where no row has that generation."""
    lookup = dict(zip(generation.tolist(), values.tolist(), strict=True))
    return np.array([lookup.get(g, math.nan) for g in wanted.tolist()], dtype=float)


def read_run(base: Path, name: str | None = None) -> RunLog:
    """Read one run's logs; LogError (naming the file) when missing, empty or malformed.

    `name` labels the run in a plot; default its file base name.
    """
    progress, hist = run_file(base, ".progress.jsonl"), run_file(base, ".hist.json")
    if progress.exists():
        source, columns = progress, read_progress(progress)
        env_steps = np.cumsum(columns["env_steps"])
    elif hist.exists():
        source, columns = hist, read_hist(hist)
        env_steps = estimated_env_steps(base, columns["steps_mean"])
        if env_steps is None:
            logger.warning(
                "%s: env steps unknown (name is not <game>.<opt>.<num_episode>.<popsize>)", base
            )
    else:
        raise LogError(f"{base}: no run here (neither {progress.name} nor {hist.name})")
    if len(columns["generation"]) == 0:
        raise LogError(f"{source}: no generations logged yet")
    generation = columns["generation"]
    eval_generation, eval_score = read_eval_log(run_file(base, ".log.json"))
    eval_env_steps = None
    if env_steps is not None:
        eval_env_steps = _at_generations(generation, env_steps, eval_generation)
    return RunLog(
        name=name or base.name,
        source=source,
        generation=generation,
        seconds=columns["seconds"],
        env_steps=env_steps,
        mean=columns["fitness_mean"],
        min=columns["fitness_min"],
        max=columns["fitness_max"],
        eval_generation=eval_generation,
        eval_score=eval_score,
        eval_seconds=_at_generations(generation, columns["seconds"], eval_generation),
        eval_env_steps=eval_env_steps,
    )
