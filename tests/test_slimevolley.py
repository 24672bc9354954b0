"""The slimevolley adapter plays slimevolleygym's own game, seeded through Gymnasium."""

import numpy as np
import pytest

from envs import make_env
from envs.slimevolley import SlimeVolleyEnv, load_slimevolley
from estool.evaluation.rollout import simulate
from estool.presets import preset_for
from models.registry import make_policy

pytest.importorskip("slimevolleygym")  # the slimevolley extra


def test_matches_the_original_game_step_for_step():
    """Same serve, same actions: the adapter's observations and rewards are the original env's."""
    sv = load_slimevolley()
    original = sv.SlimeVolleyEnv()
    original.game = sv.Game(np_random=np.random.default_rng(3))  # what reset(seed=3) seeds
    original.policy.reset()
    ours = SlimeVolleyEnv()
    obs, _ = ours.reset(seed=3)
    np.testing.assert_allclose(obs, original.getObs(), rtol=1e-6)
    actions = np.random.default_rng(0).integers(0, 2, size=(600, 3))
    points = 0
    for action in actions:
        expected_obs, expected_reward, done, _ = original.step(action)
        obs, reward, terminated, _, _ = ours.step(action)
        np.testing.assert_allclose(obs, expected_obs, rtol=1e-6)
        assert reward == expected_reward and terminated == done
        points += reward != 0
        if done:
            break
    assert points >= 2  # the comparison went through scored points and new serves


def test_an_episode_ends_when_a_side_loses_five_lives():
    env = SlimeVolleyEnv()
    env.reset(seed=0)
    total, terminated, truncated = 0.0, False, False
    while not (terminated or truncated):
        _, reward, terminated, truncated, info = env.step(np.zeros(3, dtype=np.int8))
        total += reward
    assert terminated and min(info["lives"], info["opponent_lives"]) == 0
    assert total == info["lives"] - info["opponent_lives"] < 0  # standing still mostly loses


def test_episodes_depend_on_their_seed_only():
    """The baseline opponent's RNN state is reset, so history does not leak into an episode."""
    preset = preset_for("slimevolley")
    policy = make_policy(preset.policy)
    assert policy.param_count == 743  # estool's slimevolley layout
    policy.set_params(np.random.default_rng(1).standard_normal(743))
    env = preset.env.make()
    r1, s1 = simulate(policy, env, preset.env, [4, 5, 6])
    r2, s2 = simulate(policy, env, preset.env, [6, 5, 4])
    np.testing.assert_array_equal(r1, r2[::-1])
    np.testing.assert_array_equal(s1, s2[::-1])
    assert np.all(np.isin(r1, np.arange(-5, 6)))


def test_preset_trains_with_the_survival_bonus():
    preset = preset_for("slimevolley")
    assert preset.env.wrappers == ("survival_bonus",) and preset.policy.args["output_size"] == 3


def test_renders_the_court():
    env = make_env("SlimeVolley-v0", render_mode="rgb_array")
    env.reset(seed=0)
    frame = env.render()
    assert frame.shape == (250, 600, 3) and frame.dtype == np.uint8
    yellow = np.all(frame == (255, 236, 0), axis=-1)
    assert yellow[:, 300:].sum() > 100 and yellow[:, :300].sum() == 0  # our agent plays right


def test_import_leaves_numpy_print_options_alone():
    before = np.get_printoptions()
    load_slimevolley()
    assert np.get_printoptions() == before
