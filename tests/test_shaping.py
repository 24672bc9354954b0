import numpy as np

from estool.solvers.optimizers import SGD, Adam, anneal
from estool.solvers.shaping import centered_ranks, l2_penalty, standardize, worst_for_nonfinite


def test_centered_ranks_span_and_order():
    r = centered_ranks(np.array([3.0, -1.0, 10.0, 0.0]))
    np.testing.assert_allclose(r, [1 / 6, -0.5, 0.5, -1 / 6])


def test_centered_ranks_ties_share_rank():
    r = centered_ranks(np.array([1.0, 1.0, 2.0]))
    np.testing.assert_allclose(r, [-0.25, -0.25, 0.5])


def test_nonfinite_ranks_last():
    r = centered_ranks(np.array([np.nan, 5.0, np.inf, -np.inf, 7.0]))
    assert r[1] < r[4]
    assert max(r[0], r[2], r[3]) < r[1]
    np.testing.assert_allclose(r[[0, 2, 3]], -0.25)  # the three share the lowest ranks


def test_worst_for_nonfinite_uses_worst_finite():
    out = worst_for_nonfinite(np.array([2.0, np.nan, -3.0, np.inf]))
    np.testing.assert_array_equal(out, [2.0, -3.0, -3.0, -3.0])


def test_l2_penalty_is_mean_square():
    x = np.array([[1.0, 3.0], [0.0, 0.0]])
    np.testing.assert_allclose(l2_penalty(0.1, x), [0.5, 0.0])


def test_standardize_constant_is_zero_not_nan():
    np.testing.assert_array_equal(standardize(np.ones(4)), np.zeros(4))


def test_optimizers_ascend():
    grad = np.array([1.0, -2.0])
    for opt in (Adam(2), SGD(2), SGD(2, momentum=0.9)):
        step = opt.step(grad, 0.1)
        assert np.all(np.sign(step) == np.sign(grad))


def test_anneal_stops_at_limit():
    assert anneal(1.0, 0.5, 0.1) == 0.5
    assert anneal(0.05, 0.5, 0.1) == 0.05
    np.testing.assert_allclose(anneal(np.array([1.0, 0.05]), 0.5, 0.1), [0.5, 0.05])
