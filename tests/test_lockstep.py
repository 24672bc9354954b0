"""Episodes in lockstep: each row steps, and each episode returns, exactly as it would alone."""

import numpy as np
import pytest

from envs.spec import EnvSpec
from estool.evaluation.local import PolicyEvaluator
from estool.presets import PRESETS, Preset, mlp, preset_for
from models.registry import make_policy

VECTOR_IDS = ["CartPole-v1", "CartPoleSwingUp-v0", "Pendulum-v1"]


@pytest.mark.parametrize("env_id", VECTOR_IDS)
def test_a_vector_env_steps_each_row_as_the_single_env(env_id):
    spec = EnvSpec(env_id)
    seeds = [3, 14, 15, 92, 65, 35]
    venv = spec.make_vector()
    singles = [spec.make() for _ in seeds]
    obs = venv.reset(np.array(seeds))
    for row, (env, seed) in enumerate(zip(singles, seeds, strict=True)):
        np.testing.assert_array_equal(obs[row], env.reset(seed=seed)[0])
    rng = np.random.default_rng(0)
    playing = list(range(len(seeds)))
    for _ in range(1000):
        # large pushes, so that cart-poles leave the track at different steps
        if env_id == "CartPole-v1":  # Discrete(2)
            actions = rng.integers(0, 2, size=len(playing))
        else:
            actions = rng.uniform(-3.0, 3.0, size=(len(playing), 1))
        obs, rewards, terminated, truncated = venv.step(actions)
        truncated = np.broadcast_to(truncated, terminated.shape)
        for row, episode in enumerate(playing):
            o, r, te, tr, _ = singles[episode].step(
                actions[row].tolist() if actions.ndim == 1 else actions[row]
            )
            np.testing.assert_array_equal(obs[row], o)
            assert (rewards[row], terminated[row], truncated[row]) == (r, te, tr)
        done = terminated | truncated
        playing = [episode for episode, d in zip(playing, done, strict=True) if not d]
        if not playing:
            break
        venv.keep(np.flatnonzero(~done))
    assert not playing


def presets():
    timed = Preset("timed", EnvSpec("CartPoleSwingUp-v0"), mlp(5, 1, (8, 4), time_factor=1000))
    return [
        PRESETS["cartpole_swingup"],
        PRESETS["pendulum"],
        preset_for("Pendulum-v1"),
        preset_for("CartPole-v1"),
        timed,
    ]


@pytest.mark.parametrize("preset", presets(), ids=lambda p: p.name)
def test_lockstep_returns_are_the_one_at_a_time_returns_whatever_the_batch(preset):
    count = make_policy(preset.policy).param_count
    solutions = 0.5 * np.random.default_rng(1).standard_normal((5, count))
    seeds = np.arange(5 * 10).reshape(5, 10) * 7 + 1
    alone = PolicyEvaluator(preset, lockstep=False)
    together = PolicyEvaluator(preset)
    assert together.venv is not None
    expected = alone.play(solutions, seeds, max_len=400)
    np.testing.assert_array_equal(together.play(solutions, seeds, max_len=400), expected)
    for i in range(5):  # one solution's episodes, whole and in parts, as MPI tasks hold them
        whole = together.episodes(solutions[i], seeds[i], max_len=400)
        parts = [
            together.episodes(solutions[i], part, max_len=400)
            for part in (seeds[i, :8], seeds[i, 8:])
        ]
        np.testing.assert_array_equal(whole, (expected[0][i], expected[1][i]))
        np.testing.assert_array_equal(np.concatenate([p[0] for p in parts]), expected[0][i])


def test_policies_that_draw_random_numbers_play_one_at_a_time():
    noisy = Preset(
        "noisy", EnvSpec("CartPoleSwingUp-v0"), mlp(5, 1, (10, 0), output_noise=(False, True))
    )
    evaluator = PolicyEvaluator(noisy)
    params = np.zeros(make_policy(noisy.policy).param_count)
    assert evaluator._batch(params, True, 4) is None
    rnn = PolicyEvaluator(PRESETS["pendulum_rnn"])  # recurrent: no batched form yet
    assert rnn._batch(np.zeros(make_policy(rnn.preset.policy).param_count), True, 4) is None


def test_a_batched_policy_gives_each_row_the_single_policys_output_in_any_memory_order():
    preset = Preset("timed", EnvSpec("CartPoleSwingUp-v0"), mlp(5, 3, (8, 4), time_factor=1000))
    policy = make_policy(preset.policy)
    params = np.random.default_rng(4).standard_normal((6, policy.param_count))
    obs = np.random.default_rng(5).standard_normal((6, 5)).astype(np.float32)
    for rows, batch in ((params, policy.batch(params)), (params[:1], policy.batch(params[0]))):
        for layout in (obs[: len(rows)], np.asfortranarray(obs[: len(rows)])):
            out = batch.act(layout, 7)
            for i, row in enumerate(rows):
                policy.set_params(row)
                np.testing.assert_array_equal(out[i], policy.act(obs[i], 7))


def test_batched_seeding_draws_what_each_fresh_generator_draws():
    import sys

    from gymnasium.utils import seeding

    from envs import seeded_draws

    # the fast path is on where numpy's own seeding agrees with it (little-endian machines)
    assert seeded_draws.FAST == (sys.byteorder == "little")
    large = np.random.default_rng(2).integers(0, 2**63, 500).tolist()
    seeds = np.array([*range(50), *large, 2**32, 2**64 - 1], dtype=np.uint64)

    def draw(rng):
        return np.concatenate([rng.standard_normal(3), rng.uniform(-1, 1, 2)])

    expected = np.array([draw(seeding.np_random(int(seed))[0]) for seed in seeds])
    np.testing.assert_array_equal(seeded_draws.draws(seeds, draw), expected)


def test_the_last_rows_of_a_batch_play_on_alone_to_the_same_returns():
    from estool.evaluation import rollout

    preset = PRESETS["cartpole_swingup"]
    evaluator = PolicyEvaluator(preset)
    params = 0.5 * np.random.default_rng(3).standard_normal(evaluator.policy.param_count)
    seeds = np.arange(24) * 11 + 5
    handed = []
    alone = evaluator.venv.alone
    evaluator.venv.alone = lambda row: handed.append(row) or alone(row)

    def lockstep(action_alone):
        batch = evaluator.policy.batch(np.repeat(params[None], len(seeds), axis=0))
        venv, rows = evaluator.venv, evaluator.action_rows
        return rollout.play_lockstep(batch, venv, rows, seeds, 1000, None, action_alone)

    together = lockstep(None)
    assert not handed
    handing = lockstep(evaluator.action)
    assert 1 <= len(handed) <= rollout.ALONE_ROWS
    expected = PolicyEvaluator(preset, lockstep=False).episodes(params, seeds)
    np.testing.assert_array_equal(together, expected)
    np.testing.assert_array_equal(handing, expected)


def test_the_pendulum_port_steps_as_gymnasiums_pendulum_without_wrappers():
    from gymnasium.envs.classic_control.pendulum import PendulumEnv as GymnasiumPendulumEnv

    from envs import make_env
    from envs.pendulum import PendulumEnv

    port = make_env("Pendulum-v1", g=9.5)
    assert type(port) is PendulumEnv  # no TimeLimit or OrderEnforcing around it
    rng = np.random.default_rng(0)
    for seed in range(20):
        theirs = GymnasiumPendulumEnv(g=9.5)
        np.testing.assert_array_equal(port.reset(seed=seed)[0], theirs.reset(seed=seed)[0])
        for t in range(200):
            action = rng.uniform(-3.0, 3.0, size=1)  # beyond the torque limit too
            obs, reward, terminated, truncated, _ = port.step(action)
            their_obs, their_reward, _, _, _ = theirs.step(action)
            np.testing.assert_array_equal(obs, their_obs)
            assert reward == their_reward and not terminated
            assert truncated == (t == 199)  # Pendulum-v1's 200-step cap, kept by the port
