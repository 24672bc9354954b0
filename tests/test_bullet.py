"""pybullet: pybullet-envs-gymnasium ids, the legacy envs through their adapter, estool's presets
and zoo files."""

import re

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from helpers import ROOT, TESTS, hist, one_error_line, run_command, train

from envs import make_env
from estool.presets import PRESETS
from models.registry import make_policy

pytest.importorskip("pybullet")  # the pybullet extra
pytest.importorskip("pybullet_envs_gymnasium")

ZOO = TESTS / "fixtures" / "zoo"
LEGACY_IDS = [
    "CartPoleContinuousBulletEnv-v0",
    "KukaBulletEnv-v0",
    "MinitaurBulletEnv-v0",
    "MinitaurDuckBulletEnv-v0",
    "MinitaurBallBulletEnv-v0",
    "RacecarBulletEnv-v0",
]
MEAN_LINE = re.compile(r"^mean (-?[\d.]+)", re.M)


def play(env, seed: int, steps: int = 50) -> list[np.ndarray]:
    """Observations of `steps` random (seeded) actions from reset(seed)."""
    actions = np.random.default_rng(seed).uniform(-1, 1, (steps, *env.action_space.shape))
    observations = [env.reset(seed=seed)[0]]
    for action in actions:
        obs, _, terminated, truncated, _ = env.step(action.astype(env.action_space.dtype))
        observations.append(obs)
        if terminated or truncated:
            break
    return observations


GYMNASIUM_IDS = ["AntBulletEnv-v0", "InvertedPendulumSwingupBulletEnv-v0"]


@pytest.mark.parametrize("env_id", [*LEGACY_IDS, "NoDeathAntBulletEnv-v0", *GYMNASIUM_IDS])
def test_an_episode_depends_on_its_seed_only(env_id):
    env = make_env(env_id)
    first = play(env, 7)
    play(env, 8)  # another episode between the two: it must leave no trace
    again = play(env, 7)
    assert len(first) == len(again) > 1
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == env.observation_space.dtype and env.observation_space.contains(a)
    env.close()


@pytest.mark.parametrize("env_id", [*LEGACY_IDS, "NoDeathAntBulletEnv-v0"])
def test_custom_envs_pass_check_env(env_id):
    env = make_env(env_id)
    check_env(env, skip_render_check=True)
    env.close()


def test_legacy_envs_draw_from_their_own_generators_only():
    """Racecar places its ball with `random.random()`: the episode's own stream, and the caller's
    global generators come back untouched."""
    import random

    env = make_env("RacecarBulletEnv-v0")
    random.seed(5)
    np.random.seed(5)  # noqa: NPY002  (the global state is what this test watches)
    expected = (random.random(), np.random.random())  # noqa: NPY002
    random.seed(5)
    np.random.seed(5)  # noqa: NPY002
    starts = [env.reset(seed=seed)[0] for seed in (1, 2, 1)]
    assert (random.random(), np.random.random()) == expected  # noqa: NPY002
    np.testing.assert_array_equal(starts[0], starts[2])
    assert not np.array_equal(starts[0], starts[1])  # the ball is placed from the seed
    env.close()


def test_frames_render_headless():
    env = make_env("MinitaurBallBulletEnv-v0", render_mode="rgb_array")
    env.reset(seed=0)
    frame = env.render()
    assert frame.shape == (240, 320, 3) and frame.dtype == np.uint8 and frame.std() > 0
    env.close()


def test_estool_parameter_counts():
    """estool's config.py layouts, so that its zoo files load (ENVIRONMENTS.md's table)."""
    counts = {
        "bullet_ant": 4272,
        "bullet_ant_tiny": 616,
        "bullet_ant_deterministic": 1624,
        "bullet_ant_custom": 600,
        "robo_ant": 10176,
        "bullet_half_cheetah": 4006,
        "bullet_humanoid": 30384,
        "bullet_walker": 6162,
        "bullet_hopper": 2466,
        "bullet_pendulum": 312,
        "bullet_double_pendulum": 687,
        "bullet_cartpole": 287,
        "bullet_racecar": 542,
        "bullet_minitaur": 4200,
        "bullet_minitaur_stoc": 4304,
        "bullet_minitaur_duck": 4200,
        "bullet_minitaur_duck_stoc": 4304,
        "bullet_minitaur_ball": 4200,
        "bullet_minitaur_ball_stoc": 4304,
        "bullet_kuka_grasping": 2819,
        "bullet_kuka_grasping_stoc": 2822,
    }
    assert {name: make_policy(PRESETS[name].policy).param_count for name in counts} == counts


def model(*args, check=True):
    return run_command(str(ROOT / "model.py"), *args, check=check, timeout=600)


@pytest.mark.e2e
def test_estool_zoo_ant_walks():
    """estool's zoo/bullet_ant.256.v2.json (recorded 3102.9) scores above 2500 in one episode."""
    out = model("bullet_ant", ZOO / "bullet_ant.256.v2.json", "--norender", "-e", "1")
    assert float(MEAN_LINE.search(out.stdout).group(1)) > 2500, out.stdout


@pytest.mark.e2e
def test_estool_zoo_racecar_plays_records_and_a_wrong_size_is_one_line(tmp_path):
    path = ZOO / "bullet_racecar.cma.1.32.best.json"
    out = model("bullet_racecar", path, "--norender", "-e", "1", "--max_len", "60")
    assert MEAN_LINE.search(out.stdout), out.stdout
    video = tmp_path / "racecar.gif"
    out = model("bullet_racecar", path, "--record", video, "--max_len", "5")
    assert "wrote" in out.stdout and "(6 frames" in out.stdout and video.stat().st_size > 0
    out = model("bullet_ant", path, "--norender", "-e", "1", check=False)
    one_error_line(out, "has 542 parameters but bullet_ant expects 4272")


@pytest.mark.e2e
@pytest.mark.mpi
def test_two_generations_under_mpi(tmp_path):
    """The legacy adapter and a lazily registered pybullet-envs-gymnasium id, in every rank."""
    for game in ("bullet_cartpole", "bullet_ant_tiny"):
        args = ["-o", "openes", "-n", "2", "--popsize", "4", "-e", "1", "--max_generations", "2"]
        train(tmp_path / game, game, *args, "--eval_steps", "5", timeout=600)
        assert len(hist(tmp_path / game)) == 2
