"""Every registered solver: convergence, determinism, exact resume, NaN safety, bad input."""

import copy

import numpy as np
import pytest
from conftest import rosenbrock, run, shifted_sphere, sphere_optimum

import estool
from estool.solvers import load_solver, save_solver, solver_from_state

NAMES = estool.solver_names()
SEP = "cma-diagonal"  # make_solver("cma", n, diagonal=True): the native sep-CMA-ES
VARIANTS = [*NAMES, SEP]

# Settings per solver for the small test problems (estool's defaults are tuned for RL policies).
PROBLEM_SETTINGS = {
    "cma": dict(sigma_init=1.0, popsize=16),
    SEP: dict(sigma_init=1.0, popsize=16),
    "pepg": dict(
        sigma_init=0.5,
        learning_rate=0.1,
        learning_rate_decay=0.995,
        learning_rate_limit=1e-3,
        popsize=64,
    ),
    "ses": dict(sigma_init=1.0, popsize=32),
    "openes": dict(
        sigma_init=1.0,
        sigma_decay=0.99,
        sigma_limit=1e-3,
        learning_rate=0.1,
        learning_rate_decay=0.995,
        learning_rate_limit=1e-3,
        popsize=32,
    ),
    "ga": dict(sigma_init=1.0, sigma_decay=0.98, sigma_limit=1e-3, popsize=32),
}
# PEPG's Adam needs a constant step on Rosenbrock's curved valley
ROSENBROCK_OVERRIDES = {"pepg": dict(learning_rate=0.05, learning_rate_decay=1.0, popsize=32)}


def make(name, num_params, seed=0, **kwargs):
    settings = {**PROBLEM_SETTINGS[name], "weight_decay": 0.0, **kwargs}
    if name == SEP:
        return estool.make_solver("cma", num_params, seed=seed, diagonal=True, **settings)
    return estool.make_solver(name, num_params, seed=seed, **settings)


def test_registry_names():
    assert NAMES == ["cma", "ga", "openes", "pepg", "ses"]


@pytest.mark.parametrize("name", VARIANTS)
def test_improves_shifted_sphere(name):
    solver = make(name, 10)
    start = shifted_sphere(solver.current_param()[None])[0]
    run(solver, shifted_sphere, 300)
    final = shifted_sphere(solver.current_param()[None])[0]
    assert start < -25
    assert final > -0.25, f"{name} mean ends at fitness {final}"  # > 100x better
    assert solver.result().best_fitness > -0.25


@pytest.mark.parametrize("name", VARIANTS)
def test_improves_rosenbrock_5d(name):
    solver = make(name, 5, **ROSENBROCK_OVERRIDES.get(name, {}))
    run(solver, rosenbrock, 1000)
    final = rosenbrock(solver.current_param()[None])[0]
    assert final > -0.2, f"{name} mean ends at Rosenbrock {-final} (start 4)"


def test_cma_reaches_1e_8_on_sphere():
    solver = make("cma", 10)
    run(solver, shifted_sphere, 300)
    assert solver.result().best_fitness > -1e-8
    np.testing.assert_allclose(solver.current_param(), sphere_optimum(10), atol=1e-4)


def test_pycma_full_update_in_one_pass_is_pycmas_update():
    """pycma's CMA-ES (`estool.CMAES`, which checkpoints of earlier versions resume with) runs
    its covariance update in one pass."""
    import cma

    from estool.solvers.cmaes import BatchedFullSampler

    solver = estool.CMAES(40, seed=0, **PROBLEM_SETTINGS["cma"])
    run(solver, shifted_sphere, 30)  # a covariance and an eigenbasis away from the identity
    assert type(solver.es.sm) is BatchedFullSampler
    assert type(estool.CMAES(40, diagonal=True).es.sm) is not BatchedFullSampler
    batched, plain = copy.deepcopy(solver.es.sm), copy.deepcopy(solver.es.sm)
    plain.__class__ = cma.sampler.GaussFullSampler
    assert not np.allclose(plain.B, np.eye(40))
    steps = list(np.random.default_rng(0).standard_normal((17, 40)))
    weights = [0.2, *np.linspace(0.1, -0.1, 16)]  # half of them negative: rescaled by their norm
    for sampler in (plain, batched):
        sampler.update(steps, weights, 0.01)
    scale = np.abs(plain.C).max()
    np.testing.assert_allclose(batched.C, plain.C, rtol=0, atol=1e-13 * scale)
    assert batched.count_tell == plain.count_tell


def test_cma_learns_a_rotated_ellipsoid_and_its_factor_is_of_its_covariance():
    """The full covariance learns axes no diagonal can (condition 1e4, rotated); the Cholesky
    factor it samples with is the covariance's, refreshed every generation at this size."""
    n = 8
    rotation = np.linalg.qr(np.random.default_rng(5).standard_normal((n, n)))[0]
    scales = 10.0 ** (4.0 * np.arange(n) / (n - 1))

    def ellipsoid(x):
        y = (x - 1.0) @ rotation.T
        return -(y * y) @ scales

    full, diagonal = make("cma", n, seed=1), make(SEP, n, seed=1)
    run(full, ellipsoid, 400)
    run(diagonal, ellipsoid, 400)
    assert full.result().best_fitness > -1e-10
    assert full.result().best_fitness > 1e3 * diagonal.result().best_fitness
    assert full.constants.lazy_gap < 1
    np.testing.assert_allclose(full.factor @ full.factor.T, full.covariance, rtol=1e-10)
    # the learned covariance's longest axis is the ellipsoid's flattest one
    vectors = np.linalg.eigh(full.covariance)[1]
    assert abs(vectors[:, -1] @ rotation[0]) > 0.9


def test_cma_factor_of_a_covariance_that_rounding_made_indefinite():
    from estool.solvers.fullcma import cholesky_factor

    vectors = np.linalg.qr(np.random.default_rng(2).standard_normal((6, 6)))[0]
    covariance = (vectors * [1e3, 1, 1, 1, 1, -1e-12]) @ vectors.T
    factor = cholesky_factor(covariance)
    assert np.all(np.isfinite(factor)) and np.all(np.diagonal(factor) > 0)
    np.testing.assert_allclose(factor @ factor.T, covariance, atol=1e-9)
    assert np.linalg.eigvalsh(covariance).min() > 0


@pytest.mark.parametrize("name", VARIANTS)
def test_same_seed_same_stream_other_seed_other_stream(name):
    a = run(make(name, 6, seed=7), shifted_sphere, 5)
    b = run(make(name, 6, seed=7), shifted_sphere, 5)
    c = run(make(name, 6, seed=8), shifted_sphere, 5)
    for xa, xb in zip(a, b, strict=True):
        np.testing.assert_array_equal(xa, xb)
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize("name", VARIANTS)
def test_large_population_stream_is_deterministic(name):
    """From 2^16 numbers the noise is filled by threads: still one stream per seed."""
    # 16 blocks at 20,000 parameters; full CMA-ES (n x n matrices, 3.2 GB each at 20,000)
    # at 4,000: 4 blocks
    n = 4_000 if name == "cma" else 20_000
    a = make(name, n, seed=3, popsize=64).ask()
    b = make(name, n, seed=3, popsize=64).ask()
    np.testing.assert_array_equal(a, b)
    assert a.shape == (64, n) and a.dtype == np.float64


def test_cma_refactors_its_covariance_once_per_lazy_gap():
    """Hansen's lazy update: a new Cholesky factor every `lazy_gap` tells, not every tell."""
    solver = make("cma", 200, popsize=16)
    gap = solver.constants.lazy_gap
    assert gap > 1
    refactored = []
    for _ in range(5 * int(np.ceil(gap))):
        factor = solver.factor
        x = solver.ask()
        solver.tell(shifted_sphere(x))
        refactored.append(solver.factor is not factor)
        assert solver.generation - solver.factored_at < gap
    assert 3 <= sum(refactored) <= 5


@pytest.mark.parametrize("name", VARIANTS)
def test_update_runs_on_one_blas_thread_except_full_cma(name):
    """A vector times the population stays off OpenBLAS's threads (whose spin would slow the next
    ask's sampling threads); full CMA-ES's matrix products keep the caller's."""
    from threadpoolctl import ThreadpoolController

    blas = ThreadpoolController().select(user_api="blas")
    solver = make(name, 3_000, popsize=64)
    seen = []
    update = solver._update

    def recording_update(shaped):
        seen.append(blas.info()[0]["num_threads"])
        update(shaped)

    solver._update = recording_update
    with blas.limit(limits=2):
        x = solver.ask()
        solver.tell(-np.sum(x * x, axis=1))
        assert blas.info()[0]["num_threads"] == 2  # restored after the update
    assert seen == [2 if name == "cma" else 1]


@pytest.mark.parametrize("name", VARIANTS)
def test_a_population_the_caller_keeps_is_never_overwritten(name):
    """A solver writes a new population into the last one's array only when nobody else holds
    it; the numbers are the same either way."""
    kept, released = make(name, 4_000, seed=4, popsize=64), make(name, 4_000, seed=4, popsize=64)
    populations, copies = [], []
    for _ in range(4):
        x = kept.ask()
        populations.append(x)  # held: the next ask() must not write into it
        copies.append(x.copy())
        kept.tell(shifted_sphere(x))
        y = released.ask()
        np.testing.assert_array_equal(y, x)
        released.tell(shifted_sphere(y))
        del y  # released: its array may be reused
    for x, copy_of_x in zip(populations, copies, strict=True):
        np.testing.assert_array_equal(x, copy_of_x)
    np.testing.assert_array_equal(kept.current_param(), released.current_param())


@pytest.mark.parametrize("name", VARIANTS)
def test_no_global_random_state(name):
    np.random.seed(123)  # noqa: NPY002 (the global state is what this test watches)
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    run(make(name, 6), shifted_sphere, 3)
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002


@pytest.mark.parametrize("name", VARIANTS)
@pytest.mark.parametrize("mid_generation", [False, True])
def test_state_round_trip_continues_identically(name, mid_generation, tmp_path):
    solver = make(name, 6)
    run(solver, shifted_sphere, 4)
    if mid_generation:
        solver.ask()
    state = solver.state_dict()
    save_solver(solver, tmp_path / "solver.pkl")

    def continuation(s):
        out = []
        if mid_generation:
            s.tell(shifted_sphere(s.solutions))
        out += run(s, shifted_sphere, 3)
        out.append(s.current_param())
        return out

    expected = continuation(solver)
    for restored in (solver_from_state(state), load_solver(tmp_path / "solver.pkl")):
        for x, y in zip(expected, continuation(restored), strict=True):
            np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("name", VARIANTS)
def test_load_state_dict_into_fresh_solver(name):
    solver = make(name, 6)
    run(solver, shifted_sphere, 3)
    fresh = make(name, 6)
    fresh.load_state_dict(solver.state_dict())
    np.testing.assert_array_equal(fresh.ask(), solver.ask())
    assert fresh.generation == 3


@pytest.mark.parametrize("name", VARIANTS)
def test_load_state_dict_into_a_solver_with_another_seed_continues_the_saved_run(name):
    solver = make(name, 6, seed=1)
    run(solver, shifted_sphere, 3)
    other = make(name, 6, seed=2)
    other.load_state_dict(solver.state_dict())
    assert other.seed == 1 and other.config == solver.config
    for _ in range(2):
        x, y = solver.ask(), other.ask()
        np.testing.assert_array_equal(x, y)
        solver.tell(shifted_sphere(x))
        other.tell(shifted_sphere(y))
    np.testing.assert_array_equal(solver.current_param(), other.current_param())


@pytest.mark.parametrize("name", VARIANTS)
def test_hyperparameters_are_declared_once_and_shown_in_the_signature(name):
    import dataclasses
    import inspect

    cls = type(make(name, 6))
    declared = [f.name for f in dataclasses.fields(cls.Params)]
    shown = list(inspect.signature(cls).parameters)
    assert shown == ["num_params", *declared, "seed"]
    solver = make(name, 6)
    assert set(solver.config) == {*declared, "seed"}
    with pytest.raises(TypeError, match=f"{cls.__name__} has no hyperparameter sigma_inti"):
        cls(6, sigma_inti=0.1)


def test_training_flags_map_to_the_solvers_that_have_them():
    assert [n for n in NAMES if estool.takes(n, "sigma_decay")] == ["ga", "openes", "pepg", "ses"]
    assert [n for n in NAMES if estool.takes(n, "diagonal")] == ["cma"]
    assert type(estool.make_solver("cma", 4, diagonal=False)) is estool.FullCMAES
    assert [n for n in NAMES if estool.takes(n, "antithetic")] == ["openes"]
    assert [n for n in NAMES if estool.takes(n, "row_seeds")] == ["openes", "pepg", "ses"]


def test_state_of_other_solver_or_size_is_refused():
    state = make("openes", 6).state_dict()
    with pytest.raises(ValueError, match="OpenES"):
        make("pepg", 6).load_state_dict(state)
    with pytest.raises(ValueError, match="parameters"):
        make("openes", 7).load_state_dict(state)
    with pytest.raises(ValueError, match="hyperparameters: sigma_init"):
        make("openes", 6, sigma_init=0.3).load_state_dict(state)


@pytest.mark.parametrize("name", VARIANTS)
def test_nonfinite_fitness_ranks_last_and_keeps_state_finite(name):
    solver = make(name, 6)
    for _ in range(5):
        x = solver.ask()
        f = shifted_sphere(x)
        f[:3] = [np.nan, np.inf, -np.inf]
        solver.tell(f)
        best, best_fitness, current_fitness, _ = solver.result()
        assert np.isfinite(best_fitness) and np.isfinite(current_fitness)
        assert current_fitness == np.max(f[3:])
        assert not any(np.array_equal(best, row) for row in x[:3])
    assert np.all(np.isfinite(solver.current_param()))
    assert np.all(np.isfinite(solver.ask()))
    assert np.all(np.isfinite(solver.sigma))


@pytest.mark.parametrize("name", VARIANTS)
def test_all_nonfinite_fitness_is_refused_without_change(name):
    solver = make(name, 6)
    run(solver, shifted_sphere, 2)
    solver.ask()
    before = solver.state_dict()
    with pytest.raises(ValueError, match="NaN or inf"):
        solver.tell(np.full(solver.popsize, np.nan))
    after = solver.state_dict()
    np.testing.assert_array_equal(before["state"]["solutions"], after["state"]["solutions"])
    assert solver.generation == 2
    solver.tell(shifted_sphere(solver.solutions))  # still usable
    assert solver.generation == 3


@pytest.mark.parametrize("name", VARIANTS)
def test_wrong_fitness_length(name):
    solver = make(name, 6)
    solver.ask()
    with pytest.raises(ValueError, match=f"expected {solver.popsize} fitness values"):
        solver.tell(np.zeros(solver.popsize - 1))


def test_tell_before_ask():
    with pytest.raises(RuntimeError, match="ask"):
        make("openes", 6).tell(np.zeros(32))


@pytest.mark.parametrize("name", VARIANTS)
def test_set_mu_moves_the_center(name):
    solver = make(name, 6)
    run(solver, shifted_sphere, 2)
    target = np.arange(6.0) + 10.0
    solver.set_mu(target)
    np.testing.assert_array_equal(solver.current_param(), target)
    x = solver.ask()
    assert np.abs(x.mean(axis=0) - target).max() < 2.0
    with pytest.raises(ValueError, match="expects 6 parameters"):
        solver.set_mu(np.zeros(5))
    with pytest.raises(ValueError, match="NaN"):
        solver.set_mu(np.full(6, np.nan))


@pytest.mark.parametrize("name", VARIANTS)
def test_weight_decay_pulls_toward_zero(name):
    """With flat fitness only the L2 penalty acts: it must shrink the parameters (sign check)."""
    solver = make(name, 6, weight_decay=1.0)
    solver.set_mu(np.full(6, 3.0))
    run(solver, lambda x: np.zeros(len(x)), 60)
    assert np.abs(solver.current_param()).mean() < 2.5


@pytest.mark.parametrize("name", VARIANTS)
def test_result_unpacks_like_estool(name):
    solver = make(name, 6)
    run(solver, shifted_sphere, 3)
    best_params, best_fitness, current_fitness, sigma = solver.result()
    r = solver.result()
    assert r.best_params.shape == (6,)
    assert r.best_fitness == best_fitness and r.current_fitness == current_fitness
    np.testing.assert_array_equal(best_params, solver.best_param())
    assert shifted_sphere(best_params[None])[0] == pytest.approx(best_fitness)
    assert solver.rms_stdev() > 0 and np.all(np.asarray(sigma) > 0)


def test_best_so_far_kept_unless_forget_best():
    keep = make("openes", 6, forget_best=False)
    forget = make("openes", 6, forget_best=True)
    for solver in (keep, forget):
        run(solver, shifted_sphere, 3)
        solver.ask()
        solver.tell(np.full(solver.popsize, -1e9))
    assert keep.result().best_fitness > -1e9
    assert forget.result().best_fitness == -1e9


@pytest.mark.parametrize(
    "name, kwargs, message",
    [
        ("openes", dict(popsize=31, antithetic=True), "even popsize"),
        ("pepg", dict(popsize=31), "even popsize"),
        ("pepg", dict(popsize=32, average_baseline=False), "odd popsize"),
        ("ga", dict(popsize=8, elite_ratio=0.1), "keeps no elite"),
        ("cma", dict(sigma_init=0.0), "sigma_init"),
        ("cma", dict(popsize=2), "popsize of at least 3"),
        (SEP, dict(popsize=2), "popsize of at least 3"),
        (SEP, dict(sigma_init=-1.0), "sigma_init"),
        ("openes", dict(popsize=1), "popsize"),
        ("ga", dict(weight_decay=-1.0), "weight_decay"),
    ],
)
def test_bad_hyperparameters(name, kwargs, message):
    with pytest.raises(ValueError, match=message):
        make(name, 6, **kwargs)


def test_bad_num_params_and_unknown_name():
    with pytest.raises(ValueError, match="num_params"):
        estool.make_solver("cma", 0)
    with pytest.raises(ValueError, match="unknown solver 'adam'; choose one of: cma, ga"):
        estool.make_solver("adam", 5)


def test_pepg_without_baseline_evaluates_the_mean_first():
    solver = make("pepg", 6, popsize=33, average_baseline=False)
    solver.set_mu(np.arange(6.0))
    x = solver.ask()
    np.testing.assert_array_equal(x[0], np.arange(6.0))
    np.testing.assert_allclose(x[1:17] + x[17:], 2 * x[:1].repeat(16, axis=0))  # symmetric pairs


def test_openes_antithetic_pairs():
    solver = make("openes", 6, antithetic=True)
    x = solver.ask()
    np.testing.assert_allclose(x[:16] + x[16:], 0.0, atol=1e-12)


# 32 x 10,000 numbers: the noise is filled in threaded blocks, each finished in its thread
BLOCKED = dict(num_params=10_000, popsize=32)


def test_mirrored_pairs_from_threaded_blocks():
    openes = make("openes", BLOCKED["num_params"], popsize=32, antithetic=True, sigma_init=0.5)
    openes.set_mu(np.linspace(-1.0, 1.0, BLOCKED["num_params"]))
    x = openes.ask()
    np.testing.assert_allclose(x[:16] + x[16:], 2 * openes.mu[None].repeat(16, axis=0), atol=1e-12)
    assert np.all(x[:16] != openes.mu)  # every block was perturbed
    pepg = make("pepg", BLOCKED["num_params"], popsize=32)
    pepg.set_mu(np.linspace(-1.0, 1.0, BLOCKED["num_params"]))
    x = pepg.ask()
    step = pepg.z * pepg.sigma_vector
    np.testing.assert_array_equal(x[:16], step + pepg.mu)
    np.testing.assert_array_equal(x[16:], pepg.mu - step)


def test_ga_children_from_threaded_blocks_are_crossovers():
    ga = make("ga", BLOCKED["num_params"], popsize=32, sigma_init=1e-9, elite_ratio=0.125)
    ga.elite_params = np.arange(1.0, 5.0)[:, None].repeat(BLOCKED["num_params"], axis=1)
    children = np.rint(ga.ask())  # the elites' values, give or take noise of 1e-9
    for child in children:
        parents = np.unique(child)
        assert set(parents) <= {1.0, 2.0, 3.0, 4.0} and len(parents) <= 2
        if len(parents) == 2:
            assert 0.45 < np.mean(child == parents[0]) < 0.55
    assert len(np.unique(children)) == 4


def test_uniform_crossover_takes_each_parameter_from_one_parent():
    from estool.solvers.ga import uniform_crossover

    rng = np.random.default_rng(0)
    pool = np.stack([np.full(1000, -1.5), np.full(1000, 2.25), np.arange(1000.0)])
    children = uniform_crossover(rng, pool, np.array([0, 2, 1]), np.array([1, 0, 1]))
    assert set(np.unique(children[0])) == {-1.5, 2.25}
    assert 0.45 < np.mean(children[0] == -1.5) < 0.55
    from_first = children[1] == np.arange(1000.0)
    assert np.all(from_first | (children[1] == -1.5)) and 0.45 < from_first.mean() < 0.55
    np.testing.assert_array_equal(children[2], pool[1])


# each population: popsize, and the settings that change its layout
ROW_SEEDED = [
    ("openes", dict(popsize=8)),
    ("openes", dict(popsize=8, antithetic=True)),
    ("pepg", dict(popsize=8)),
    ("pepg", dict(popsize=9, average_baseline=False)),  # the mean first
    ("ses", dict(popsize=20)),
]


@pytest.mark.parametrize("num_params", [7, 70_000])  # one stream; rows in threaded blocks
@pytest.mark.parametrize(("name", "kwargs"), ROW_SEEDED)
def test_row_seeds_rebuild_every_solution_bit_for_bit(name, kwargs, num_params):
    solver = make(name, num_params, row_seeds=True, **kwargs)
    solver.set_mu(np.linspace(-1.0, 1.0, num_params))
    for _ in range(2):
        x = solver.ask()
        population = solver.population()
        # what a worker gets: the header and the data, through buffers of the MPI types
        sent = type(population).from_buffers(
            population.header().copy(), population.data().copy(), num_params
        )
        for rebuilt in (population, sent):
            for i in range(solver.popsize):
                assert rebuilt.solution(i).tobytes() == x[i].tobytes()
        solver.tell(shifted_sphere(x))
        assert solver.population() is None  # told: the next ask makes the next one


@pytest.mark.parametrize(("name", "kwargs"), ROW_SEEDED)
def test_row_seeds_learn_and_resume_exactly(name, kwargs):
    solver = make(name, 10, row_seeds=True, **{**PROBLEM_SETTINGS[name], **kwargs})
    start = shifted_sphere(solver.current_param()[None])[0]
    run(solver, shifted_sphere, 100)
    assert shifted_sphere(solver.current_param()[None])[0] > start / 4
    restored = solver_from_state(solver.state_dict())
    for a, b in zip(run(solver, shifted_sphere, 3), run(restored, shifted_sphere, 3), strict=True):
        np.testing.assert_array_equal(a, b)
    assert make(name, 10, **kwargs).population() is None  # without row_seeds: vectors only
