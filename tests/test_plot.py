"""estool.plot on real training runs and on the original estool's logs: PNGs, errors, --live."""

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from helpers import ROOT, one_error_line, run_command, train

pytest.importorskip("matplotlib")  # the plot extra
from matplotlib.image import imread

from estool.cli.plot import main
from estool.plot import draw, plot_runs, up_to
from estool.training.runfiles import run_base
from estool.training.runlog import read_progress, read_run

pytestmark = pytest.mark.e2e
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SOLVERS = ("openes", "pepg")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> list[Path]:
    """File bases of two real 4-generation training runs (two solvers), evaluated every 2."""
    log_dir = tmp_path_factory.mktemp("runs")
    for solver in SOLVERS:
        args = ["-n", "1", "-t", "4", "-e", "1", "--max_generations", "4", "--eval_steps", "2"]
        train(log_dir, "cartpole_swingup", "-o", solver, *args, timeout=120)
    return [log_dir / f"cartpole_swingup.{solver}.1.4" for solver in SOLVERS]


def copy_run(base: Path, folder: Path) -> Path:
    for path in base.parent.glob(base.name + ".*"):
        shutil.copy(path, folder / path.name)
    return folder / base.name


def assert_png(path: Path) -> None:
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    height, width, _ = imread(path).shape
    assert (width, height) == (1600, 480)


def plot_cli(*args) -> subprocess.CompletedProcess:
    return run_command("-m estool.plot", *args, check=False, timeout=60)


def test_run_base_strips_any_run_file_suffix():
    for suffix in ("", ".hist.json", ".progress.jsonl", ".log.json", ".best.json", ".json"):
        assert run_base(f"log/cartpole_swingup.cma.16.32{suffix}") == Path(
            "log/cartpole_swingup.cma.16.32"
        )


def test_one_run_writes_a_png_beside_it(runs, tmp_path):
    base = copy_run(runs[0], tmp_path)
    assert main([str(base) + ".hist.json"]) == 0
    assert_png(tmp_path / "cartpole_swingup.openes.1.4.png")


def test_reads_the_progress_file_with_env_steps_and_evaluations(runs):
    run = read_run(runs[0])
    assert run.source.name.endswith(".progress.jsonl")
    progress = [json.loads(line) for line in run.source.read_text().splitlines()]
    np.testing.assert_array_equal(run.generation, [1, 2, 3, 4])
    np.testing.assert_array_equal(run.env_steps, np.cumsum([r["env_steps"] for r in progress]))
    np.testing.assert_array_equal(run.mean, [r["fitness_mean"] for r in progress])
    np.testing.assert_array_equal(run.eval_generation, [2, 4])
    np.testing.assert_array_equal(run.eval_env_steps, run.env_steps[[1, 3]])
    np.testing.assert_array_equal(run.eval_seconds, run.seconds[[1, 3]])
    assert np.all(np.isfinite(run.eval_score))


def test_two_runs_overlay_with_a_legend_naming_both(runs, tmp_path):
    out = tmp_path / "both.png"
    assert main([*map(str, runs), "-o", str(out)]) == 0
    assert_png(out)
    fig = draw([read_run(base) for base in runs])
    legend = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    assert {"cartpole_swingup.openes.1.4", "cartpole_swingup.pepg.1.4"} <= set(legend)
    assert [ax.get_xlabel() for ax in fig.axes] == [
        "generation",
        "wall-clock seconds",
        "environment steps",
    ]


def test_runs_with_one_name_in_two_folders_are_told_apart(runs, tmp_path):
    seeds = [tmp_path / "seed1", tmp_path / "seed2"]
    bases = []
    for folder in seeds:
        folder.mkdir()
        bases.append(copy_run(runs[0], folder))
    plotted = plot_runs(bases, tmp_path / "seeds.png")
    assert [run.name for run in plotted] == [f"seed{i}/{bases[0].name}" for i in (1, 2)]
    assert_png(tmp_path / "seeds.png")


def test_generations_draws_each_run_up_to_that_generation(runs, tmp_path):
    whole = read_run(runs[0])
    first = up_to(whole, 3)
    assert list(first.generation) == [g for g in whole.generation if g <= 3]
    assert len(first.mean) == len(first.seconds) == len(first.env_steps) == len(first.generation)
    assert list(first.eval_generation) == [2] and first.eval_score[0] == whole.eval_score[0]
    assert main([str(runs[0]), "--generations", "3", "-o", str(tmp_path / "cut.png")]) == 0
    assert_png(tmp_path / "cut.png")
    done = run_command("-m estool.plot", runs[0], "--generations", "0", check=False)
    one_error_line(done, "--generations 0: must be >= 1")


def write_original_estool_run(base: Path) -> None:
    """The original estool's files: integer seconds, 9 columns, a quantized-params log."""
    hist = [
        [1, 0, 35.36, 0.25, 413.25, 61.55, 0.9621, 189.54, 1000],
        [2, 1, 35.82, 0.61, 535.46, 73.26, 0.93404, 192.46, 1000],
        [3, 1, 17.43, 2.74, 141.73, 21.86, 0.91124, 119.67, 530],
    ]
    base.with_name(base.name + ".hist.json").write_text(json.dumps(hist, indent=0))
    log = [[2, 373.7, [0.0914, -1.2668]]]
    base.with_name(base.name + ".log.json").write_text(json.dumps(log))


def test_original_estool_hist_plots_with_estimated_env_steps(tmp_path):
    base = tmp_path / "cartpole_swingup.cma.2.8"
    write_original_estool_run(base)
    run = read_run(base)
    np.testing.assert_allclose(run.env_steps, np.cumsum([189.54, 192.46, 119.67]) * 16)
    np.testing.assert_allclose(run.eval_env_steps, run.env_steps[[1]])
    assert main([str(base), "-o", str(tmp_path / "old.png")]) == 0
    assert_png(tmp_path / "old.png")


def test_hist_without_estool_name_plots_without_env_steps(tmp_path):
    base = tmp_path / "oldrun"
    write_original_estool_run(base)
    assert read_run(base).env_steps is None
    assert main([str(base)]) == 0
    assert_png(tmp_path / "oldrun.png")


def test_a_line_being_appended_is_skipped(tmp_path):
    path = tmp_path / "run.progress.jsonl"
    row = dict(generation=1, seconds=0.5, fitness_mean=1, fitness_min=0, fitness_max=2)
    path.write_text(json.dumps({**row, "env_steps": 10}) + "\n" + '{"generation": 2, "sec')
    np.testing.assert_array_equal(read_progress(path)["generation"], [1])


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("run.hist.json", None, "no run here"),
        ("run.hist.json", "[[1, 2, 3, 4, 5, 6, 7, 8, 9", "bad JSON"),
        ("run.hist.json", "[[1, 2, 3, 4, 5, 6, 7, 8]]", "row 1: expected 9 numbers"),
        ("run.hist.json", '[[1, 2, 3, 4, 5, 6, 7, 8, "9"]]', "row 1 steps_max: '9' is not"),
        ("run.progress.jsonl", '{"generation": 1}\n', "line 1: no 'seconds'"),
        ("run.progress.jsonl", "{oops}\n", "line 1: bad JSON"),
    ],
)
def test_missing_or_malformed_run_is_a_one_line_error(tmp_path, name, text, message):
    if text is not None:
        (tmp_path / name).write_text(text)
    out = plot_cli(tmp_path / name)
    one_error_line(out, message)
    assert "run" in out.stderr
    assert not list(tmp_path.glob("*.png"))


def test_malformed_eval_log_is_a_one_line_error(runs, tmp_path):
    base = copy_run(runs[0], tmp_path)
    base.with_name(base.name + ".log.json").write_text("[[2, 17.5]]")
    out = plot_cli(base)
    one_error_line(out, f"estool plot: error: {base}.log.json row 1: expected [generation")
    assert not list(tmp_path.glob("*.png"))


def test_without_matplotlib_is_a_one_line_error(runs):
    code = "import sys; sys.modules['matplotlib'] = None; from estool.cli.plot import main; "
    code += f"sys.exit(main([{str(runs[0])!r}]))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    one_error_line(
        out,
        "estool plot: error: plotting needs matplotlib (the plot extra): pip install matplotlib",
    )


def wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_live_rewrites_the_png_as_the_run_grows_and_ctrl_c_exits_0(runs, tmp_path):
    base = copy_run(runs[0], tmp_path)
    out = tmp_path / "live.png"
    cmd = [sys.executable, "-m", "estool.plot", str(base), "-o", str(out), "--live"]
    proc = subprocess.Popen([*cmd, "--interval", "0.2"], cwd=ROOT, stdout=subprocess.PIPE)
    try:
        wait_for(out.exists)
        first = out.stat()
        progress = base.with_name(base.name + ".progress.jsonl")
        row = json.loads(progress.read_text().splitlines()[-1])
        row.update(generation=row["generation"] + 1, seconds=row["seconds"] + 1.0)
        with open(progress, "a") as f:
            f.write(json.dumps(row) + "\n")
        wait_for(lambda: out.stat().st_ino != first.st_ino)
        assert_png(out)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
