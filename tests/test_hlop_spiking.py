"""The spiking lateral circuit of HLOP: Brian2 reference, numpy twin, convergence to the rate form."""

import numpy as np

from neurosim.learning.hlop import LateralSubspace, project_rows
from neurosim.learning.hlop_spiking import (SpikingProjector, spiking_projection,
                                            spiking_projection_brian2)


def _circuit(seed=0, n=12, k=3, b=4):
    rng = np.random.default_rng(seed)
    h = np.linalg.qr(rng.standard_normal((n, k)))[0].T
    return h, rng.standard_normal((b, n))


def test_brian2_circuit_and_numpy_twin_agree():
    h, a = _circuit()
    p_b2, y_b2 = spiking_projection_brian2(h, a, 40)
    p_np, y_np = spiking_projection(h, a, 40)
    assert np.array_equal(y_b2, y_np)                # identical spike counts
    assert np.allclose(p_b2, p_np, atol=1e-12)       # feedback summed by Brian2's synapses


def test_spiking_projection_converges_to_the_rate_form():
    h, a = _circuit(1, n=30, k=5, b=20)
    exact = project_rows(a, h)
    scale = np.linalg.norm(a - exact)
    errors = [np.linalg.norm(spiking_projection(h, a, t)[0] - exact) / scale for t in (5, 40, 320)]
    assert errors[0] > errors[1] > errors[2]
    assert errors[1] < 0.08          # T_lat = 40 close to the rate version (measured 5.4 %)
    assert errors[2] < 0.015
    # the rate code bounds: |y − Ha| ≤ θ / T per lateral neuron
    y = spiking_projection(h, a, 40)[1]
    theta = np.abs(a @ h.T).max()
    assert np.abs(y - a @ h.T).max() <= theta / 40 + 1e-12


def test_spiking_projector_uses_the_frozen_rows():
    h, a = _circuit(2)
    sub = LateralSubspace(h.shape[1])
    sub.set_rows(h)
    assert np.array_equal(SpikingProjector(40)(sub.old, a), a)     # nothing frozen yet: unchanged
    sub.merge()
    assert np.allclose(SpikingProjector(2000)(sub.old, a), sub.project(a), atol=1e-2)
