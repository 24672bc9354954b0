"""Custom envs pass Gymnasium's checker; presets and policies fit their envs; rollouts."""

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from helpers import assert_episodes_do_not_depend_on_the_ones_before, needs_extra_of

from envs import CUSTOM_ENVS, make_env
from envs.cartpole_swingup import CartPoleSwingUpEnv
from estool.evaluation.local import PolicyEvaluator
from estool.evaluation.rollout import simulate
from estool.presets import PRESETS, Preset, preset_for
from models.mlp import MLPPolicy
from models.registry import PolicySpec, make_policy, register_policy

# World Models envs play a trained model directory: tests/test_worldmodels.py checks them on one
NEEDS_MODEL_ENVS = {"Dream-v0", "WorldModel-v0"}


@pytest.mark.parametrize("env_id", sorted(set(CUSTOM_ENVS) - NEEDS_MODEL_ENVS))
def test_custom_env_passes_gymnasium_checker(env_id):
    if env_id == "SlimeVolley-v0":
        pytest.importorskip("slimevolleygym")
    env = make_env(env_id, render_mode="rgb_array")
    check_env(env.unwrapped, skip_render_check=False)


def test_cartpole_swingup_physics():
    env = CartPoleSwingUpEnv()
    obs, _ = env.reset(seed=0)
    assert obs.shape == (5,) and abs(obs[2] + 1) < 0.2  # cos(theta) ~ -1: hanging down
    env.state = np.array([0.0, 0.0, 0.0, 0.0])  # upright, at rest: stays up for a while
    _, reward, terminated, truncated, _ = env.step(np.array([0.0]))
    assert reward == pytest.approx(1.0) and not terminated and not truncated
    env.state = np.array([2.39, 5.0, np.pi, 0.0])  # about to leave the track
    assert env.step(np.array([1.0]))[2]


def test_cartpole_swingup_truncates_at_1000_steps():
    env = CartPoleSwingUpEnv()
    env.reset(seed=1)
    steps = 0
    truncated = terminated = False
    while not (terminated or truncated):
        _, _, terminated, truncated, _ = env.step(np.array([0.0]))
        steps += 1
    assert truncated and not terminated and steps == 1000


def test_cartpole_swingup_renders_frames():
    env = CartPoleSwingUpEnv(render_mode="rgb_array")
    env.reset(seed=0)
    frame = env.render()
    assert frame.shape == (400, 400, 3) and frame.dtype == np.uint8
    assert (frame != 255).any()


def test_estool_parameter_counts():
    """Same layouts as estool's config.py (its zoo files have these sizes)."""
    assert make_policy(PRESETS["cartpole_swingup"].policy).param_count == 71
    assert make_policy(PRESETS["biped"].policy).param_count == 2804
    assert make_policy(PRESETS["slimevolley"].policy).param_count == 743
    noisy = MLPPolicy(24, 4, (120, 20), "passthru", time_factor=1000, output_noise=(1, 1, 1))
    assert noisy.param_count == 25 * 120 + 120 + 120 + 120 * 20 + 20 + 20 + 20 * 4 + 4 + 4


def test_policy_rejects_wrong_size():
    with pytest.raises(ValueError, match="has 71 parameters, the vector has 70"):
        MLPPolicy(5, 1, (10, 0)).set_params(np.zeros(70))


def test_policy_params_round_trip_and_layout():
    policy = MLPPolicy(3, 2, (4, 0), "passthru")
    params = np.arange(policy.param_count, dtype=float)
    policy.set_params(params)
    np.testing.assert_array_equal(policy.get_params(), params)
    np.testing.assert_array_equal(policy.weights[0], params[:12].reshape(3, 4))
    np.testing.assert_array_equal(policy.biases[0], params[12:16])


def test_output_noise_is_drawn_from_the_given_generator():
    policy = MLPPolicy(3, 2, (4, 0), "passthru", output_noise=(False, True, False))
    policy.set_params(np.zeros(policy.param_count))
    a = policy.act(np.ones(3), 0, np.random.default_rng(5))
    b = policy.act(np.ones(3), 0, np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, policy.act(np.ones(3), 0, None))


def test_simulate_is_a_function_of_the_seed():
    preset = preset_for("cartpole_swingup")
    policy = make_policy(preset.policy)
    policy.set_params(np.random.default_rng(0).standard_normal(policy.param_count))
    env = preset.env.make()
    r1, s1 = simulate(policy, env, preset.env, [3, 4, 5])
    r2, s2 = simulate(policy, env, preset.env, [5, 4, 3])
    np.testing.assert_array_equal(r1, r2[::-1])
    np.testing.assert_array_equal(s1, s2[::-1])
    assert np.all(s1 >= 1) and np.all(s1 <= 1000)
    _, steps = simulate(policy, env, preset.env, [3], max_len=7)
    assert steps[0] <= 7


# presets whose game the user brings (a ROM): nothing to play in CI
NEEDS_ROM = {"sonic", "sonic2", "sonic3"}
# World Models presets play a trained model directory: tests/test_worldmodels.py makes one
NEEDS_MODEL = {name for name, preset in PRESETS.items() if preset.world_model is not None}


@pytest.mark.parametrize("name", sorted(set(PRESETS) - NEEDS_ROM - NEEDS_MODEL))
def test_an_episode_does_not_depend_on_the_episodes_before_it(name):
    needs_extra_of(name)
    assert_episodes_do_not_depend_on_the_ones_before(preset_for(name))


def test_any_gymnasium_id_gets_an_auto_sized_policy():
    preset = preset_for("CartPole-v1")
    assert preset.env.actions == "argmax"
    assert (preset.policy.args["input_size"], preset.policy.args["output_size"]) == (4, 2)
    policy = make_policy(preset.policy)
    returns, steps = simulate(policy, preset.env.make(), preset.env, [0, 1])
    assert np.all(returns == steps)  # CartPole pays 1 per step
    pendulum = preset_for("Pendulum-v1")
    assert pendulum.env.actions == "rescale" and pendulum.policy.args["output_size"] == 1


def test_rescaled_actions_span_the_box():
    spec = preset_for("Pendulum-v1").env
    to_action = spec.action_mapping(spec.make().action_space)  # Box(-2, 2, (1,))
    np.testing.assert_array_equal(to_action(np.array([-1.0])), [-2.0])
    np.testing.assert_array_equal(to_action(np.array([0.25])), [0.5])
    np.testing.assert_array_equal(to_action(np.array([7.0])), [2.0])
    # one number goes through float arithmetic, rows through numpy's: the same values
    outputs = np.concatenate([np.random.default_rng(0).uniform(-3, 3, 1000), [np.nan, -0.0]])
    rows = spec.action_mapping(spec.make().action_space, batched=True)(outputs[:, None])
    alone = np.array([to_action(np.array([v])) for v in outputs])
    np.testing.assert_array_equal(alone, rows)


def test_unknown_game_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown game 'nosuchgame'"):
        preset_for("nosuchgame")


def test_policy_kinds_are_a_registry_imported_on_first_use():
    with pytest.raises(ValueError, match="unknown policy kind 'lstm'; choose one of"):
        make_policy(PolicySpec("lstm", {}))
    with pytest.raises(ValueError, match="already registered"):
        register_policy("mlp", "models.mlp:MLPPolicy")
    # a kind is a `module:Class` string: nothing is imported until one is built
    register_policy("test_tiny", "models.mlp:MLPPolicy")
    policy = make_policy(PolicySpec("test_tiny", dict(input_size=2, output_size=1, hidden=(3, 0))))
    assert isinstance(policy, MLPPolicy) and policy.param_count == 2 * 3 + 3 + 3 * 1 + 1


def test_importing_the_presets_does_not_import_torch():
    import subprocess
    import sys

    code = "import estool.presets, sys; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_episode_seeds_depend_only_on_run_generation_and_index():
    from estool.evaluation.seeding import episode_seeds, validation_seeds

    a = episode_seeds(7, 3, popsize=10, num_episode=2)
    assert a.shape == (10, 2) and a.dtype == np.int64 and a.min() >= 0 and a.max() < 2**31
    np.testing.assert_array_equal(a, episode_seeds(7, 3, popsize=10, num_episode=2))
    assert not np.array_equal(a, episode_seeds(7, 4, popsize=10, num_episode=2))
    assert not np.array_equal(a, episode_seeds(8, 3, popsize=10, num_episode=2))
    assert len(np.unique(a)) == 20
    pairs = episode_seeds(7, 3, popsize=10, num_episode=2, antithetic=True)
    np.testing.assert_array_equal(pairs[:5], pairs[5:])
    for antithetic in (False, True):
        common = episode_seeds(7, 3, popsize=10, num_episode=2, antithetic=antithetic, common=True)
        np.testing.assert_array_equal(common, np.repeat(a[:1], 10, axis=0))
    v = validation_seeds(7, 16)
    np.testing.assert_array_equal(v, validation_seeds(7, 16))
    assert len(np.unique(v)) == 16


def test_rnn_policy_layout_state_and_reset():
    from models.rnn import RNNPolicy

    policy = RNNPolicy(3, 1, hidden=4, layer=5)
    assert policy.param_count == (8 * 4 + 4) + (7 * 5 + 5) + (5 * 1 + 1) + 4
    params = np.random.default_rng(0).standard_normal(policy.param_count)
    policy.set_params(params)
    np.testing.assert_array_equal(policy.h0, params[-4:])
    obs = np.array([0.5, -0.2, 0.1])
    first = policy.act(obs)
    second = policy.act(obs)
    assert not np.array_equal(first, second)  # the hidden state carries over
    policy.reset()
    np.testing.assert_array_equal(policy.act(obs), first)
    with pytest.raises(ValueError, match="parameters"):
        policy.set_params(params[:-1])


def test_rnn_preset_runs_episodes():
    preset = preset_for("pendulum_rnn")
    assert preset.policy.kind == "rnn"
    policy = make_policy(preset.policy)
    policy.set_params(0.1 * np.random.default_rng(1).standard_normal(policy.param_count))
    returns, steps = simulate(policy, preset.env.make(), preset.env, [0, 1], max_len=50)
    assert np.all(steps == 50) and np.all(np.isfinite(returns))


def test_survival_bonus_adds_per_step_in_training_only():
    from envs.spec import EnvSpec

    plain = PRESETS["cartpole_swingup"]
    bonus = Preset("swingup+", EnvSpec(plain.env.id, wrappers=("survival_bonus",)), plain.policy)
    params = 0.5 * np.random.default_rng(2).standard_normal((2, 71))
    seeds = np.array([[11], [12]])
    base, steps = PolicyEvaluator(plain).play(params, seeds)
    shaped, _ = PolicyEvaluator(bonus).play(params, seeds)
    np.testing.assert_allclose(shaped, base + 0.01 * steps)
    untouched, _ = PolicyEvaluator(bonus).play(params, seeds, train=False)
    np.testing.assert_array_equal(untouched, base)


def test_estool_biped_reward_drops_the_fall_penalty():
    needs_extra_of("biped")
    raw, shaped = PolicyEvaluator(PRESETS["biped"]), PolicyEvaluator(PRESETS["biped_estool"])
    params = np.random.default_rng(3).standard_normal((4, 2804))
    seeds = np.arange(4)[:, None]
    r_raw, steps = raw.play(params, seeds)
    r_shaped, _ = shaped.play(params, seeds)
    fell = steps < 1600  # a fall ends the episode early, with -100
    assert fell.any()
    np.testing.assert_allclose(r_shaped[fell], r_raw[fell] + 100.0)
    np.testing.assert_array_equal(r_shaped[~fell], r_raw[~fell])  # no bonus below a return of 300


def test_unknown_wrapper_is_refused():
    from envs.wrappers import apply_wrappers

    with pytest.raises(ValueError, match="unknown wrapper 'nope'"):
        apply_wrappers(make_env("CartPoleSwingUp-v0"), ["nope"])
