"""Pixel envs: ViZDoom's Take Cover, CarRacing from frames, retro games (stable-retro)."""

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from helpers import ROOT, hist, one_error_line, run_command, train

from envs import make_env
from envs.doom import LEFT, RIGHT, STAY
from envs.frames import area_resize
from estool.presets import PRESETS
from models.registry import make_policy


def observations(env, seed: int, steps: int = 50) -> list[np.ndarray]:
    env.action_space.seed(seed)
    frames = [env.reset(seed=seed)[0]]
    for _ in range(steps):
        obs, _, terminated, truncated, _ = env.step(env.action_space.sample())
        frames.append(obs)
        if terminated or truncated:
            break
    return frames


def assert_replays(env, seed: int = 3) -> list[np.ndarray]:
    """A seeded reset and 50 steps give the same frames twice, in the observation space."""
    first = observations(env, seed)
    observations(env, seed + 1)
    again = observations(env, seed)
    assert len(first) == len(again) > 1
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
        assert env.observation_space.contains(a)
    return first


def test_area_resize_averages_the_pixels_it_covers():
    frame = np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3)
    halved = area_resize(frame, (2, 3))
    np.testing.assert_array_equal(halved, frame.reshape(2, 2, 3, 2, 3).mean(axis=(1, 3)).round())
    assert area_resize(frame, (4, 6)).tolist() == frame.tolist()
    assert area_resize(frame, (3, 5)).shape == (3, 5, 3)


class TestDoom:
    @pytest.fixture(autouse=True)
    def _vizdoom(self):
        pytest.importorskip("vizdoom")

    def test_replays_and_passes_check_env(self):
        env = make_env("DoomTakeCover-v0", world_models=True)
        frames = assert_replays(env)
        assert frames[0].shape == (64, 64, 3) and frames[0].dtype == np.uint8
        check_env(env, skip_render_check=True)
        env.close()

    def test_a_random_policy_is_hit_before_2100_steps(self):
        env = make_env("DoomTakeCover-v0", size=(12, 16), gray=True)
        env.reset(seed=0)
        env.action_space.seed(0)
        steps, terminated, truncated = 0, False, False
        while not (terminated or truncated):
            _, reward, terminated, truncated, _ = env.step(env.action_space.sample())
            steps += 1
            assert reward == 1.0
        assert terminated and not truncated and steps < 2100
        env.close()

    def test_the_continuous_action_is_cut_into_thirds(self):
        env = make_env("DoomTakeCover-v0", continuous=True)
        buttons = [env._button(np.array([a])) for a in (-0.9, -0.34, -0.3, 0.0, 0.3, 0.34, 0.9)]
        assert buttons == [LEFT, LEFT, STAY, STAY, STAY, RIGHT, RIGHT]
        env.close()


class TestCarRacing:
    @pytest.fixture(autouse=True)
    def _box2d(self):
        pytest.importorskip("Box2D")

    def test_the_fast_renderer_draws_the_same_frames(self):
        """Tiles change color as the car visits them; frames are compared pixel by pixel."""
        exact = make_env("CarRacingFrames-v0")
        fast = make_env("CarRacingFrames-v0", fast_render=True)
        actions = np.random.default_rng(0).uniform([-1, 0, 0], [1, 1, 0.2], (150, 3))
        for env in (exact, fast):
            env.reset(seed=4)
        for action in actions.astype(np.float32):
            np.testing.assert_array_equal(exact.step(action)[0], fast.step(action)[0])
        assert type(fast.unwrapped).__name__ == "FastRoadCarRacing"

    def test_replays_in_world_models_frames(self):
        env = make_env("CarRacingFrames-v0", world_models=True)
        frames = assert_replays(env)
        assert frames[0].shape == (64, 64, 3) and frames[0].dtype == np.uint8
        env.close()


class TestRetro:
    @pytest.fixture(autouse=True)
    def _retro(self):
        pytest.importorskip("stable_retro")

    def test_airstriker_replays_and_a_second_emulator_is_a_clear_error(self):
        from envs.retro import RetroGame

        env = make_env("Airstriker-Genesis-v0", frame_skip=4, size=(24, 32), gray=True)
        try:
            frames = assert_replays(env)
            assert frames[0].shape == (24, 32, 1)
            with pytest.raises(ValueError, match="one emulator per process"):
                make_env("Airstriker-Genesis-v0")
        finally:
            env.close()
        # once closed, another one opens; check_env on one without a spec (with a spec, it
        # makes a second env from it to compare)
        env = RetroGame("Airstriker-Genesis-v0", frame_skip=4, size=(24, 32), gray=True)
        check_env(env, skip_render_check=True)
        env.close()

    def test_sonic_without_its_rom_names_the_import_command(self, tmp_path):
        count = make_policy(PRESETS["sonic"].policy).param_count
        params = tmp_path / "sonic.json"
        params.write_text(f"[{[0.0] * count}]")
        out = run_command(str(ROOT / "model.py"), "sonic", params, "--norender", check=False)
        one_error_line(out, "python -m stable_retro.import")


@pytest.mark.e2e
@pytest.mark.mpi
@pytest.mark.parametrize("game, module", [("doom_takecover", "vizdoom"), ("carracing", "Box2D"),
                                          ("airstriker", "stable_retro")])  # fmt: skip
def test_two_generations_under_mpi(tmp_path, game, module):
    pytest.importorskip(module)
    args = ["-o", "openes", "-n", "2", "--popsize", "2", "-e", "1", "--max_generations", "2"]
    train(tmp_path, game, *args, "--eval_steps", "5", timeout=600)
    assert len(hist(tmp_path)) == 2
