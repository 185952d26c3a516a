"""CUDA sources: every .cu file in the package compiles with nvcc, its host-side logic equals
numpy, and (GPU tests, only where CuPy sees a CUDA device) CuPy binning equals numpy binning.

Without nvcc these tests skip, except under CI (``CI`` set), where a missing nvcc fails.
The GPU tests (names starting ``test_gpu_``) skip when CuPy or a CUDA device is absent.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from conftest import compile_cuda_harness
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SHARED_DATA, require_data
from neurosim.backend import cuda_source
from neurosim.events.binning import bin_of, bin_packed, bin_sparse
from neurosim.events.kernels import KERNEL_DIR
from neurosim.events.packed import pack
from test_binning import batches, random_batch

PACKAGE = Path(__file__).resolve().parents[1] / "neurosim"
CU_FILES = sorted(PACKAGE.rglob("*.cu"))


def test_package_has_cuda_sources():
    assert KERNEL_DIR / "bin_events.cu" in CU_FILES


@pytest.mark.parametrize("source", CU_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_cuda_source_compiles(nvcc, source, tmp_path):
    result = subprocess.run([nvcc, "-arch=sm_90", "-c", str(source), "-o", str(tmp_path / "k.o")],
                            capture_output=True, text=True)
    assert result.returncode == 0, f"nvcc failed on {source}:\n{result.stderr}"


@pytest.mark.parametrize("source", CU_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_cuda_source_is_self_contained_for_nvrtc(nvcc, source, tmp_path):
    """What CuPy hands NVRTC (local headers inlined) compiles alone, with no include path."""
    text = cuda_source(source.parent, source.name)
    assert '#include "' not in text
    (tmp_path / "alone.cu").write_text(text)
    result = subprocess.run([nvcc, "-arch=sm_90", "-c", str(tmp_path / "alone.cu"), "-o", str(tmp_path / "k.o")],
                            capture_output=True, text=True)
    assert result.returncode == 0, f"nvcc failed on the inlined {source}:\n{result.stderr}"


# --- the kernel's per-event logic, run on the host ----------------------------------

HARNESS = r"""
#include <cstdio>
#include <cstdlib>
#include <vector>
#include "bin_events.cu"

template <class T> static std::vector<T> take(FILE* f, long long n) {
    std::vector<T> v(n);
    if (n && fread(v.data(), sizeof(T), n, f) != (size_t)n) exit(2);
    return v;
}

int main(int argc, char** argv) {
    FILE* in = fopen(argv[2], "rb");
    FILE* out = fopen(argv[3], "wb");
    if (!in || !out) return 3;
    std::vector<long long> h = take<long long>(in, 4);
    if (argv[1][0] == 'b') {  // bins: dt[h0], span[h0], n_bins[h0] -> neurosim_time_bin
        auto dt = take<long long>(in, h[0]), span = take<long long>(in, h[0]), nb = take<long long>(in, h[0]);
        std::vector<long long> r(h[0]);
        for (long long i = 0; i < h[0]; ++i) r[i] = neurosim_time_bin(dt[i], span[i], nb[i]);
        fwrite(r.data(), 8, r.size(), out);
    } else {  // dense: the kernel's loop body, with += for atomicAdd
        long long N = h[0], n = h[1], n_bins = h[2], C = h[3];
        auto channel = take<int>(in, N);
        auto t = take<long long>(in, N), sample = take<long long>(in, N);
        auto t_first = take<long long>(in, n), t_last = take<long long>(in, n);
        std::vector<int> counts(n * n_bins * C, 0);
        for (long long i = 0; i < N; ++i)
            counts[neurosim_event_cell(i, channel.data(), t.data(), sample.data(), t_first.data(),
                                       t_last.data(), n_bins, C)] += 1;
        fwrite(counts.data(), 4, counts.size(), out);
    }
    fclose(out);
    return 0;
}
"""


@pytest.fixture(scope="module")
def harness(nvcc, tmp_path_factory):
    """The kernel's host functions compiled into a program (runs without a GPU)."""
    return compile_cuda_harness(nvcc, HARNESS, KERNEL_DIR, tmp_path_factory.mktemp("cuda-harness"))


def run_harness(harness, mode, header, arrays, out_dtype):
    folder, exe = harness
    src, dst = folder / f"{mode}.in", folder / f"{mode}.out"
    with open(src, "wb") as f:
        np.asarray(header, np.int64).tofile(f)
        for a in arrays:
            np.ascontiguousarray(a).tofile(f)
    subprocess.run([str(exe), mode, str(src), str(dst)], check=True)
    return np.fromfile(dst, dtype=out_dtype)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_kernel_time_bin_equals_numpy_bin_of(harness, seed):
    rng = np.random.default_rng(seed)
    n = 2_000
    n_bins = rng.integers(1, 100_000, n)
    span = (rng.random(n) ** 4 * ((2**63 - 1) // n_bins)).astype(np.int64)  # span * n_bins < 2**63
    span[:50] = 0
    dt = (rng.random(n) * (span + 1)).astype(np.int64).clip(0, span)
    got = run_harness(harness, "bins", [n, 0, 0, 0], [dt, span, n_bins], np.int64)
    np.testing.assert_array_equal(got, bin_of(dt, span, n_bins))


def dense_on_host(harness, packed, n_bins):
    p = packed
    counts = run_harness(harness, "dense", [p.n_events, p.n_samples, n_bins, p.n_channels],
                         [p.channel, p.t, p.sample, p.t_first, p.t_last], np.int32)
    return counts.reshape(p.n_samples, n_bins, p.n_channels)


@settings(max_examples=25, deadline=None)
@given(batch=batches(), n_bins=st.integers(1, 9))
def test_kernel_cells_equal_numpy_binning(harness, batch, n_bins):
    packed = pack(batch)
    np.testing.assert_array_equal(dense_on_host(harness, packed, n_bins), bin_packed(packed, n_bins))


def test_kernel_cells_equal_numpy_binning_on_real_nmnist(harness):
    from neurosim.data import load_dataset

    require_data(SHARED_DATA / "nmnist" / "MANIFEST.csv")
    batch = load_dataset("nmnist", data_dir=SHARED_DATA, n_samples=100, seed=0)
    packed = pack(batch)
    np.testing.assert_array_equal(dense_on_host(harness, packed, 50), bin_packed(packed, 50))


# --- GPU tests: CuPy against numpy (skip without CuPy or a CUDA device) -------------


# (the `cupy` fixture lives in conftest.py)


@settings(max_examples=40, deadline=None)
@given(batch=batches(), n_bins=st.integers(1, 9))
def test_gpu_dense_binning_equals_numpy(cupy, batch, n_bins):
    on_gpu = pack(batch, xp=cupy)
    assert on_gpu.xp is cupy and on_gpu.to(np).xp is np
    raster = bin_packed(on_gpu, n_bins)
    assert isinstance(raster, cupy.ndarray) and raster.dtype == cupy.int32
    np.testing.assert_array_equal(cupy.asnumpy(raster), bin_packed(pack(batch), n_bins))


@settings(max_examples=40, deadline=None)
@given(batch=batches(), n_bins=st.integers(1, 9))
def test_gpu_sparse_binning_equals_numpy(cupy, batch, n_bins):
    sp_gpu, sp_cpu = bin_sparse(pack(batch, xp=cupy), n_bins), bin_sparse(pack(batch), n_bins)
    for name in ("sample", "bin", "channel", "count"):
        np.testing.assert_array_equal(cupy.asnumpy(getattr(sp_gpu, name)), getattr(sp_cpu, name))
    np.testing.assert_array_equal(cupy.asnumpy(sp_gpu.to_dense()), sp_cpu.to_dense())


def test_gpu_binning_equals_numpy_on_real_nmnist(cupy):
    from neurosim.data import load_dataset

    require_data(SHARED_DATA / "nmnist" / "MANIFEST.csv")
    batch = load_dataset("nmnist", data_dir=SHARED_DATA)
    packed = pack(batch)
    np.testing.assert_array_equal(cupy.asnumpy(bin_packed(packed.to(cupy), 50)), bin_packed(packed, 50))


def test_gpu_large_random_batch(cupy):
    batch = random_batch(np.random.default_rng(7), 300, (34, 34, 2), max_events=5_000)
    packed = pack(batch)
    np.testing.assert_array_equal(cupy.asnumpy(bin_packed(packed.to(cupy), 50)), bin_packed(packed, 50))
