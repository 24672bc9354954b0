"""Golden histories: a short fixed-seed run per solver must give the committed `.hist.json` columns.

A refactor that changes what a run computes, by a single bit, fails here. After an intended change
of results, regenerate with `python tests/test_golden.py` and say why in the commit.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).with_name("golden")
RUNS = {
    "cma": ["-o", "cma"],
    "cma_diagonal": ["-o", "cma", "--diagonal"],
    "pepg": ["-o", "pepg"],
    "ses": ["-o", "ses"],
    "openes": ["-o", "openes", "--antithetic"],
    # popsize 20: two elites, so that the crossover's draws count (with one, both parents agree)
    "ga": ["-o", "ga", "--popsize", "20"],
}
COMMON = ["cartpole_swingup", "-n", "1", "--popsize", "10", "-e", "2", "-s", "7"]
COMMON += ["--max_generations", "5", "--eval_steps", "5", "--solver_threads", "1"]
# every column of `.hist.json` but the wall time (index 1)
COLUMNS = [0, 2, 3, 4, 5, 6, 7, 8]


def history(name: str, log_dir: Path) -> dict:
    """The run's `.hist.json` columns (wall time left out) and its `.best.json` score."""
    cmd = [sys.executable, str(ROOT / "train.py"), *COMMON, *RUNS[name], "--log_dir", str(log_dir)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    (hist,) = log_dir.glob("*.hist.json")
    (best,) = log_dir.glob("*.best.json")
    rows = [[row[i] for i in COLUMNS] for row in json.loads(hist.read_text())]
    return {"hist": rows, "best_eval": json.loads(best.read_text())[1]}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_history_is_the_committed_one(name, tmp_path):
    expected = json.loads(GOLDEN.joinpath(f"{name}.json").read_text())
    assert history(name, tmp_path) == expected


if __name__ == "__main__":
    import tempfile

    for run_name in RUNS:
        with tempfile.TemporaryDirectory() as folder:
            result = history(run_name, Path(folder))
        rows = ",\n  ".join(json.dumps(row) for row in result["hist"])
        text = f'{{"best_eval": {json.dumps(result["best_eval"])},\n "hist": [\n  {rows}\n ]}}\n'
        GOLDEN.joinpath(f"{run_name}.json").write_text(text)
