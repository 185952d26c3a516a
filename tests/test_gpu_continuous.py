"""The gpu engine's continuous models (``lif``, ``izhikevich``): its numpy path against the cpu
engine (itself spike-exact against Brian2, tests/test_cpu_engine.py), the CUDA kernels' host
code bit for bit against their numpy twins, and (GPU tests, skipped only without CuPy or a
CUDA device) CuPy against the numpy path.
"""

from __future__ import annotations

import dataclasses
import subprocess

import numpy as np
import pytest
from conftest import compile_cuda_harness
from test_cpu_engine import CONTINUOUS

from neurosim.config import load_config
from neurosim.engines.agreement import count_correlation
from neurosim.engines.continuous_step import continuous_deliver, continuous_update
from neurosim.engines.cpu_engine import CpuEngine
from neurosim.engines.gpu_engine import GpuEngine
from neurosim.networks import build_lsm, get_model


def continuous_case(name: str, neurons: int = 80, samples: int = 6):
    lsm = build_lsm(load_config("rram-40nm-256kb", overrides=[f"network.neurons={neurons}"] + CONTINUOUS[name]),
                    40, np.random.default_rng(len(name)))
    raster = np.random.default_rng(2).random((samples, 30, 40)) < 0.15
    return lsm, raster


@pytest.fixture(scope="module", params=list(CONTINUOUS))
def reference(request):
    """(lsm, raster, cpu-engine Activity with traces of every neuron) for each continuous case."""
    lsm, raster = continuous_case(request.param)
    activity = CpuEngine(trace_neurons=lsm.neurons).run(lsm, raster)
    assert 0.01 < activity.spike_raster.mean() < 0.9, "the test network should spike, not saturate"
    return lsm, raster, activity


def test_float64_numpy_path_agrees_with_the_cpu_engine(reference):
    lsm, raster, ref = reference
    got = GpuEngine("float64", device="cpu", batch_size=4, trace_neurons=lsm.neurons).run(lsm, raster)
    assert (got.spike_raster == ref.spike_raster).mean() >= 0.999
    assert count_correlation(got.spike_raster, ref.spike_raster).min() >= 0.99
    # the GPU arithmetic is not Brian2's (no FMA replay): traces agree to rounding, not bit for bit
    same = (got.spike_raster == ref.spike_raster).all(axis=(1, 2))
    np.testing.assert_allclose(got.traces[same], ref.traces[same], rtol=0, atol=1e-8)


def test_float32_numpy_path_counts_correlate_with_float64(reference):
    lsm, raster, ref = reference
    f32 = GpuEngine("float32", device="cpu").run(lsm, raster).spike_raster
    assert (f32 == ref.spike_raster).mean() >= 0.99
    assert count_correlation(f32, ref.spike_raster).min() >= 0.95


@pytest.mark.parametrize("name", ["lif delta refractory delay sparse", "izhikevich exponential delay faults"])
def test_batching_does_not_change_a_spike(name):
    lsm, raster = continuous_case(name, samples=7)
    whole = GpuEngine("float64", batch_size=7, device="cpu").run(lsm, raster).spike_raster
    small = GpuEngine("float64", batch_size=3, device="cpu").run(lsm, raster).spike_raster
    alone = GpuEngine("float64", batch_size=1, device="cpu").run(lsm, raster[4:5]).spike_raster
    assert whole.any()
    np.testing.assert_array_equal(whole, small)
    np.testing.assert_array_equal(whole[4:5], alone)


def test_refractory_neuron_drops_delta_input_and_separators_reset():
    """One LIF neuron, bias 0, threshold 0.5, input weight 1 every bin, refractory 2 steps:
    it fires, ignores input for two steps (Brian2's ``v (unless refractory)``), fires again."""
    one = build_lsm(load_config("ideal", overrides=[
        "network.neurons=1", "network.model='lif'", "network.lif.threshold=0.5", "network.lif.refractory=2e-3",
        "network.recurrent_scale=0"]), 1, np.random.default_rng(0))
    one = dataclasses.replace(one, w_in=np.array([[1.0]]), w_rec=np.array([[0.0]]))
    raster = np.ones((2, 9, 1), dtype=bool)
    ref = CpuEngine().run(one, raster).spike_raster
    got = GpuEngine("float64", device="cpu").run(one, raster).spike_raster
    np.testing.assert_array_equal(got, ref)
    assert got[0, :, 0].sum() >= 2 and not got[0, :, 0].all()
    np.testing.assert_array_equal(got[0], got[1])  # the separator leaves nothing behind


@pytest.mark.parametrize("name", ["lif exponential", "izhikevich delta"])
def test_read_noise_reaches_the_continuous_models(name):
    """Per-step read noise on the continuous models: as close to the cpu engine's (same model,
    other random numbers) as two cpu-engine seeds are to each other."""
    noise = ["network.read_noise_per_step=true", "device.read_noise_std=0.1"]
    lsm = build_lsm(load_config("rram-40nm-256kb", overrides=["network.neurons=80"] + CONTINUOUS[name] + noise),
                    40, np.random.default_rng(len(name)))
    raster = np.random.default_rng(2).random((12, 30, 40)) < 0.15
    got = GpuEngine("float64", device="cpu").run(lsm, raster).spike_raster
    cpu = CpuEngine().run(lsm, raster).spike_raster
    cpu_other = CpuEngine().run(dataclasses.replace(lsm, noise_seed=lsm.noise_seed + 1), raster).spike_raster
    clean = GpuEngine("float64", device="cpu").run(dataclasses.replace(lsm, w_in_std=None, w_rec_std=None),
                                                    raster).spike_raster
    assert (got != clean).any()
    assert abs(got.mean() - cpu.mean()) < 0.05 * cpu.mean()
    assert count_correlation(got, cpu).mean() > count_correlation(cpu, cpu_other).mean() - 0.05


# --- the CUDA kernels' host code, bit for bit against the numpy twins --------------------

HARNESS = r"""
#include <cstdio>
#include <cstdlib>
#include <vector>
#include "{source}"

template <class T> static void take(FILE* f, std::vector<T>& v, long long n) {
    v.resize(n);
    if (n && fread(v.data(), sizeof(T), n, f) != (size_t)n) exit(2);
}

// input: header int64[8] = {rows, neurons, k, bins, unused, exp_syn, refr, flags(deliver|gated<<1|clamp<<2)},
// double vth, then T arrays v u cur notref fired inp rec [rows*neurons], int64 last [rows*neurons],
// T a b c d [neurons], T p [6]; output: v u cur notref fired (T) and last (int64) after both phases.
template <class T> static int run(FILE* in, FILE* out) {
    long long h[8];
    double vth;
    if (fread(h, 8, 8, in) != 8 || fread(&vth, 8, 1, in) != 1) return 2;
    long long n = h[0] * h[1], nn = h[1];
    std::vector<T> v, u, cur, notref, fired, inp, rec, a, b, c, d, p;
    std::vector<long long> last;
    for (auto* x : {&v, &u, &cur, &notref, &fired, &inp, &rec}) take(in, *x, n);
    take(in, last, n);
    for (auto* x : {&a, &b, &c, &d}) take(in, *x, nn);
    take(in, p, 6);
    for (long long i = 0; i < n; ++i)
        {prefix}_update_one<T>(i, nn, v.data(), u.data(), cur.data(), last.data(), notref.data(),
                               fired.data(), a.data(), b.data(), p.data(), h[2], h[3], (int)h[5], h[6],
                               (T)vth);
    for (long long i = 0; i < n; ++i)
        {prefix}_deliver_one<T>(i, nn, v.data(), u.data(), cur.data(), notref.data(), fired.data(),
                                inp.data(), rec.data(), b.data(), c.data(), d.data(), p.data(),
                                (int)h[5], h[7] & 1, (h[7] >> 1) & 1, (h[7] >> 2) & 1);
    for (auto* x : {&v, &u, &cur, &notref, &fired}) fwrite(x->data(), sizeof(T), n, out);
    fwrite(last.data(), 8, n, out);
    return 0;
}

int main(int argc, char** argv) {
    FILE* in = fopen(argv[2], "rb");
    FILE* out = fopen(argv[3], "wb");
    if (!in || !out) return 3;
    int rc = argv[1][0] == 'f' ? run<float>(in, out) : run<double>(in, out);
    fclose(out);
    return rc;
}
"""


@pytest.fixture(scope="module", params=["lif", "izhikevich"])
def harness(request, nvcc, tmp_path_factory):
    """(model name, its gpu kernel, folder, executable) for each built-in continuous model."""
    kernel = get_model(request.param).gpu_kernel()
    source = HARNESS.replace("{source}", kernel.source).replace("{prefix}", kernel.prefix)
    folder, exe = compile_cuda_harness(nvcc, source, kernel.folder, tmp_path_factory.mktemp(request.param))
    return request.param, kernel, folder, exe


def random_state(rng, dtype, rows, neurons, model):
    """A plausible mid-run state (some neurons refractory, near threshold or just fired)."""
    shape = (rows, neurons)
    izh = model == "izhikevich"
    v = (rng.normal(-60, 15, shape) if izh else rng.normal(0.3, 0.3, shape)).astype(dtype)
    u = rng.normal(-13, 3, shape).astype(dtype)
    cur = rng.normal(0, 1, shape).astype(dtype)
    notref = (rng.random(shape) < 0.8).astype(dtype)
    fired = np.zeros(shape, dtype)
    inp, rec = rng.normal(0, 1, shape).astype(dtype), rng.normal(0, 1, shape).astype(dtype)
    last = rng.integers(-5, 10, shape).astype(np.int64)
    a, b = rng.uniform(0.02, 0.1, neurons).astype(dtype), rng.uniform(0.2, 0.25, neurons).astype(dtype)
    c, d = rng.uniform(-65, -50, neurons).astype(dtype), rng.uniform(2, 8, neurons).astype(dtype)
    p = (np.array([0.8, 1.0, 142.0, -65.0, 0, 0]) if izh else
         np.array([0.1, -0.2, 0.72, 0.013, 0.31, 0.9048])).astype(dtype)
    return [v, u, cur, notref, fired, inp, rec], last, [a, b, c, d], p


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("exp_syn", [False, True])
@pytest.mark.parametrize("flags", [0b001, 0b011, 0b100, 0b000])  # deliver, deliver+gated, clamp, none
def test_kernel_steps_equal_numpy_twins(harness, dtype, exp_syn, flags):
    model, kernel, folder, exe = harness
    izh = model == "izhikevich"
    rng = np.random.default_rng(flags * 8 + izh * 2 + exp_syn)
    rows, neurons, k, bins, refr = 7, 53, 10, 12 if flags != 0b100 else 8, 3
    vth = 30.0 if izh else 0.5
    arrays, last, params, p = random_state(rng, dtype, rows, neurons, model)
    tag = f"{np.dtype(dtype).name}-{model}-{exp_syn}-{flags}"
    src, dst = folder / f"{tag}.in", folder / f"{tag}.out"
    with open(src, "wb") as f:
        np.array([rows, neurons, k, bins, 0, exp_syn, refr, flags], np.int64).tofile(f)
        np.array([vth], np.float64).tofile(f)
        for x in arrays:
            x.tofile(f)
        last.tofile(f)
        for x in params:
            x.tofile(f)
        p.tofile(f)
    subprocess.run([str(exe), "f" if dtype == np.float32 else "d", str(src), str(dst)], check=True)
    raw = open(dst, "rb").read()
    n, size = rows * neurons, np.dtype(dtype).itemsize
    got = [np.frombuffer(raw, dtype, n, offset=i * n * size).reshape(rows, neurons) for i in range(5)]
    got_last = np.frombuffer(raw, np.int64, n, offset=5 * n * size).reshape(rows, neurons)

    v, u, cur, notref, fired, inp, rec = arrays
    a, b, c, d = params
    continuous_update(kernel, v, u, cur, last, notref, fired, a, b, p, k, bins, exp_syn, refr, vth, np)
    continuous_deliver(kernel, v, u, cur, notref, fired, inp, rec, b, c, d, p, exp_syn, flags & 1,
                       (flags >> 1) & 1, (flags >> 2) & 1, np)
    for name, want, have in zip(["v", "u", "cur", "notref", "fired"], [v, u, cur, notref, fired], got):
        np.testing.assert_array_equal(have, want, err_msg=name)
    np.testing.assert_array_equal(got_last, last)
    if k < bins:
        assert 0 < fired.sum() < fired.size, "the state should make some neurons fire"


# --- GPU tests: CuPy against the numpy path (skip without CuPy or a CUDA device) ---------


def test_gpu_continuous_models_reproduce_the_numpy_path(cupy, reference):
    lsm, raster, _ = reference
    for dtype in ("float64", "float32"):
        gpu = GpuEngine(dtype, batch_size=4, trace_neurons=5).run(lsm, raster)
        cpu = GpuEngine(dtype, batch_size=4, trace_neurons=5, device="cpu").run(lsm, raster)
        assert (gpu.spike_raster == cpu.spike_raster).mean() >= 0.999
        assert count_correlation(gpu.spike_raster, cpu.spike_raster).min() >= 0.99
