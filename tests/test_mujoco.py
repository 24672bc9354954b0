"""MuJoCo: Gymnasium's v5 tasks as presets, replayable from a seed, rendered headless."""

import numpy as np
import pytest
from helpers import hist, train

from envs import make_env
from estool.presets import PRESETS, preset_for
from models.registry import make_policy

pytest.importorskip("mujoco")  # the mujoco extra


@pytest.mark.parametrize("name", [p for p in PRESETS if p.startswith("mujoco_")])
def test_presets_fit_their_tasks_and_replay(name):
    preset = preset_for(name)
    env = preset.env.make()
    policy = make_policy(preset.policy)
    assert env.observation_space.shape == (policy.input_size,)
    assert env.action_space.shape == (policy.output_size,)
    runs = []
    for _ in range(2):
        env.action_space.seed(1)
        obs = [env.reset(seed=1)[0]]
        obs += [env.step(env.action_space.sample())[0] for _ in range(50)]
        runs.append(np.array(obs))
    np.testing.assert_array_equal(runs[0], runs[1])
    env.close()


def test_frames_render_headless():
    env = make_env("HalfCheetah-v5", render_mode="rgb_array", width=160, height=120)
    env.reset(seed=0)
    frame = env.render()
    assert frame.shape == (120, 160, 3) and frame.std() > 0
    env.close()


@pytest.mark.e2e
@pytest.mark.mpi
def test_two_generations_under_mpi(tmp_path):
    args = ["-o", "openes", "-n", "2", "--popsize", "4", "-e", "1", "--max_generations", "2"]
    train(tmp_path, "mujoco_half_cheetah", *args, "--eval_steps", "5", timeout=600)
    assert len(hist(tmp_path)) == 2
