"""Read a policy's parameters from any file a run leaves, this project's or the original estool's.

- `.json` / `.best.json` (both projects, estool's `zoo/` too): a JSON list whose first element is
  the flat parameter list, `[params]` or `[params, score]`;
- `.ckpt.pkl` (this project's checkpoint): the best evaluated parameters, or the solver's current
  mean when the run has not evaluated yet.
Every failure is a `ParamFileError` with a one-line message that names the file.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from estool.log import logger


class ParamFileError(ValueError):
    """A parameter file that is missing, malformed or the wrong size."""


def read_params(path: str | Path, expected: int | None = None, game: str = "") -> np.ndarray:
    """(num_params,) float64 parameters from `path`; `expected` checks their count."""
    path = Path(path)
    if not path.is_file():
        raise ParamFileError(f"{path}: no such file")
    if path.suffix == ".pkl":
        params = _from_checkpoint(path, game)
    else:
        params = _from_json(path)
    if expected is not None and params.size != expected:
        raise ParamFileError(
            f"{path} has {params.size} parameters but {game or 'the policy'} expects {expected}: "
            "is it a file for another game or policy size?"
        )
    return params


def _from_json(path: Path) -> np.ndarray:
    try:
        data = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ParamFileError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(data, list) or not data or not isinstance(data[0], list):
        raise ParamFileError(
            f"{path}: expected a JSON list whose first element is the parameter list "
            "(estool's [params] or [params, score])"
        )
    return _as_vector(data[0], path)


def _from_checkpoint(path: Path, game: str) -> np.ndarray:
    from estool.solvers.persist import solver_from_state
    from estool.training.runfiles import load_checkpoint

    try:
        checkpoint = load_checkpoint(path)
        trained_on, train = checkpoint["config"]["game"], checkpoint["train"]
    except (ValueError, KeyError, TypeError) as error:
        raise ParamFileError(f"{path}: not a readable estool checkpoint ({error})") from None
    if game and trained_on != game:
        logger.warning("warning: %s was trained on %s, playing it on %s", path, trained_on, game)
    if train.get("best_params") is not None:
        return _as_vector(train["best_params"], path)
    return _as_vector(solver_from_state(checkpoint["solver"]).current_param(), path)


def _as_vector(values, path: Path) -> np.ndarray:
    try:
        params = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ParamFileError(f"{path}: the parameters are not a flat list of numbers") from None
    if params.ndim != 1 or params.size == 0:
        raise ParamFileError(f"{path}: the parameters are not a flat list of numbers")
    if not np.all(np.isfinite(params)):
        raise ParamFileError(f"{path}: the parameters contain NaN or infinity")
    return params
