"""model.py on a real tiny training run: scores, MPI scoring, videos, estool files, clear errors."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from helpers import ROOT, needs_extra_of, one_error_line, run_command, train

from estool.cli.main import main as estool_main
from estool.evaluation.rollout import simulate
from estool.presets import preset_for
from estool.training.paramfile import ParamFileError, read_params
from models.registry import make_policy

pytestmark = pytest.mark.e2e
GAME = "cartpole_swingup"
RETURN_LINE = re.compile(r"^seed (\d+): return (-?[\d.]+), (\d+) steps$", re.M)
MEAN_LINE = re.compile(r"^mean (-?[\d.]+) ± ([\d.]+) over (\d+) episodes?", re.M)


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    """File base of a real 4-generation CMA-ES run, evaluated every 2 generations."""
    log_dir = tmp_path_factory.mktemp("run")
    args = ["-o", "cma", "-n", "1", "-t", "4", "-e", "1", "--max_generations", "4"]
    train(log_dir, GAME, *args, "--eval_steps", "2", timeout=120)
    return log_dir / f"{GAME}.cma.1.4"


def model(*args, check=True):
    return run_command(str(ROOT / "model.py"), *args, check=check)


def direct_rollout(params: np.ndarray, seeds, max_len=None):
    preset = preset_for(GAME)
    policy = make_policy(preset.policy)
    policy.set_params(params)
    return simulate(policy, preset.env.make(), preset.env, seeds, max_len)


def test_norender_scores_match_a_direct_rollout(run):
    out = model(GAME, f"{run}.best.json", "7", "--norender", "-e", "5")
    rows = RETURN_LINE.findall(out.stdout)
    assert [int(seed) for seed, _, _ in rows] == [7, 8, 9, 10, 11]
    params = np.array(json.loads(Path(f"{run}.best.json").read_text())[0])
    returns, steps = direct_rollout(params, range(7, 12))
    np.testing.assert_allclose([float(r) for _, r, _ in rows], returns, atol=0.005)
    assert [int(s) for _, _, s in rows] == steps.tolist()
    mean, std, count = MEAN_LINE.search(out.stdout).groups()
    assert int(count) == 5
    assert float(mean) == pytest.approx(returns.mean(), abs=0.005)
    assert float(std) == pytest.approx(returns.std(), abs=0.005)


@pytest.mark.mpi
def test_scores_are_the_same_on_any_number_of_mpi_workers(run):
    serial = model(GAME, f"{run}.json", "--norender", "-e", "6", "--max_len", "300")
    spread = model(GAME, f"{run}.json", "--norender", "-e", "6", "--max_len", "300", "-n", "3")
    assert RETURN_LINE.findall(serial.stdout) == RETURN_LINE.findall(spread.stdout)
    assert len(RETURN_LINE.findall(serial.stdout)) == 6
    assert MEAN_LINE.search(serial.stdout).groups() == MEAN_LINE.search(spread.stdout).groups()


def test_record_mp4_has_a_frame_per_step_plus_the_reset(run, tmp_path):
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")

    video = tmp_path / "play.mp4"
    out = model(GAME, f"{run}.best.json", "--record", video, "-e", "2", "--max_len", "60")
    steps = [int(s) for _, _, s in RETURN_LINE.findall(out.stdout)]
    frames = imageio_ffmpeg.read_frames(str(video))
    meta = next(frames)
    assert meta["size"] == (400, 400) and meta["fps"] == 50
    assert sum(1 for _ in frames) == sum(steps) + len(steps) == 122
    assert not list(tmp_path.glob(".*"))  # no temp file left


def test_record_gif_plays_the_whole_episode(run, tmp_path):
    Image = pytest.importorskip("PIL.Image")

    video = tmp_path / "play.gif"
    model(GAME, f"{run}.ckpt.pkl", "--record", video, "--max_len", "40")
    with Image.open(video) as gif:
        assert gif.size == (400, 400)
        durations = []
        for index in range(gif.n_frames):  # Pillow merges repeated frames, adding their durations
            gif.seek(index)
            durations.append(gif.info["duration"])
    assert sum(durations) == 41 * 20  # 41 frames at 50 fps


def test_headless_play_records_beside_the_file(run, tmp_path):
    pytest.importorskip("imageio_ffmpeg")
    params = tmp_path / "policy.json"
    params.write_text(Path(f"{run}.json").read_text())
    out = model(GAME, params, "--max_len", "10")
    assert "no display: recording to" in out.stdout
    assert (tmp_path / "policy.mp4").stat().st_size > 0


def test_reads_the_original_estool_files(run, tmp_path):
    """estool wrote `[params]` and `[params, score]` with indent=0, rounded to 4 decimals."""
    params = np.array(json.loads(Path(f"{run}.best.json").read_text())[0]).round(4)
    best = tmp_path / f"{GAME}.cma.16.64.best.json"
    best.write_text(json.dumps([params.tolist(), 812.5], indent=0, separators=(",", ": ")))
    current = tmp_path / f"{GAME}.cma.16.64.json"
    current.write_text(json.dumps([params.tolist()], indent=0, separators=(",", ": ")))
    for path in (best, current):
        np.testing.assert_array_equal(read_params(path, 71), params)
    out = model(GAME, best, "--norender", "-e", "2")
    returns, _ = direct_rollout(params, [0, 1])
    assert [float(r) for _, r, _ in RETURN_LINE.findall(out.stdout)] == pytest.approx(
        returns, abs=0.005
    )


def test_checkpoint_gives_the_best_evaluated_params(run):
    best = np.array(json.loads(Path(f"{run}.best.json").read_text())[0])
    np.testing.assert_array_equal(read_params(f"{run}.ckpt.pkl", 71, GAME), best)


@pytest.mark.parametrize(
    "content, message",
    [
        ("[[1.0, 2.0", "not valid JSON"),
        ('{"params": [1.0]}', "expected a JSON list"),
        ("[[1.0, [2.0]]]", "not a flat list of numbers"),
        ('[[1.0, "x"]]', "not a flat list of numbers"),
        ("[[1.0, NaN]]", "NaN or infinity"),
        ("[[1.0, 2.0, 3.0]]", "has 3 parameters but cartpole_swingup expects 71"),
    ],
)
def test_bad_files_are_a_one_line_error(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ParamFileError, match=message):
        read_params(path, 71, GAME)
    one_error_line(model(GAME, path, "--norender", "-e", "1", check=False), message)


def test_size_mismatch_and_unknown_game_fail_cleanly(run):
    needs_extra_of("biped")
    out = model("biped", f"{run}.best.json", check=False)
    one_error_line(out, "has 71 parameters but biped expects 2804")
    out = model("nosuchgame", f"{run}.best.json", check=False)
    one_error_line(out, "unknown game 'nosuchgame'")
    one_error_line(model(GAME, "nosuchfile.json", check=False), "no such file")


@pytest.mark.parametrize(
    "args, message",
    [
        (["-e", "0", "--norender"], "-e 0"),
        (["-n", "2"], "-n spreads --norender scoring"),
        (["--record", "out.avi"], "use a .mp4 or .gif"),
        (["--norender", "--record", "out.mp4"], "exclude each other"),
    ],
)
def test_bad_flags(run, args, message):
    one_error_line(model(GAME, f"{run}.json", *args, check=False), message)


def test_estool_command_dispatches(run, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "progress.png"
    assert estool_main(["plot", str(run), "-o", str(out)]) == 0
    assert out.read_bytes()[:4] == b"\x89PNG"
    one_error_line(run_command("-m estool", "nosuchcommand", check=False), "unknown command")
    usage = run_command("-m estool", "--help")
    assert "usage: estool {train,model,plot,wm}" in usage.stdout


def test_window_shows_frames_and_stops_when_closed(monkeypatch):
    """The pygame viewer on SDL's dummy driver: frames blit, a QUIT event ends the episode."""
    pygame = pytest.importorskip("pygame")  # with gymnasium[box2d]

    from estool.cli.frames import Window

    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    window = Window("test", fps=1000)
    try:
        frame = np.zeros((30, 40, 3), dtype=np.uint8)
        frame[:, :20] = (255, 0, 0)
        window.add(frame)
        assert window.screen.get_size() == (40, 30)
        assert tuple(window.screen.get_at((5, 5)))[:3] == (255, 0, 0)
        pygame.event.post(pygame.event.Event(pygame.QUIT))
        with pytest.raises(KeyboardInterrupt):
            window.add(frame)
    finally:
        window.close()
