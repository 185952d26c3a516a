"""Shared test fixtures: where the real data lives, the suite's markers (tests/markers.py), and
Brian2 hygiene."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from markers import Brian2Watch, heavy_modules_first, mark_items

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"

#: Counts Brian2 network runs, so that a test running one without the ``brian2`` marker fails.
BRIAN2_WATCH = Brian2Watch().install()


def in_ci() -> bool:
    """True when the environment variable ``CI`` is set to a true value (not "", 0, false, no)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def skip_or_fail(reason: str) -> None:
    """Skip the test on a developer's machine; fail it under CI, where nothing may be missing."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set: CI machines must have it)")
    pytest.skip(reason)


def require_data(path: Path) -> Path:
    """The real-data file or folder ``path``; without it a test skips, or fails under CI."""
    if not path.exists():
        skip_or_fail(f"real data not found at {path} (expected ../shared/data beside the repository)")
    return path


#: Machines on which the continuous models' bit-exact arithmetic was read and checked.
FMA_MACHINES = ("x86_64", "AMD64")


def x86_fma_skip_reason(machine: str) -> str | None:
    """Why an ``x86_fma`` test skips on ``machine`` (``platform.machine()``), or None if it runs."""
    if machine in FMA_MACHINES:
        return None
    return (f"bit-exact against Brian2's compiled arithmetic as contracted (FMA) on x86-64; this "
            f"machine is {machine or 'unknown'}, whose compiler may round differently "
            f"(see neurosim/engines/cpu_engine.py)")


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by marker
def pytest_collection_modifyitems(config, items):
    """Put the suite markers on every test (tests/markers.py), the costliest modules first; skip the
    ``x86_fma`` tests, with their reason, where ``platform.machine()`` is not x86-64 (never under CI:
    a CI machine runs them, and a mismatch there fails)."""
    mark_items(items)
    heavy_modules_first(items)
    reason = x86_fma_skip_reason(platform.machine())
    if reason is None or in_ci():
        return
    for item in items:
        if item.get_closest_marker("x86_fma") is not None:
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_configure(config):
    """Under ``pytest -n`` (the README's command), compile the cpu engine's numba kernels once before the
    workers start (:func:`warm_numba_kernels`); in each worker, share the cores out (:func:`share_cores`)."""
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        warm_numba_kernels()
    if hasattr(config, "workerinput"):
        share_cores(int(config.workerinput["workercount"]))


#: What :func:`share_cores` set in a worker (threadpoolctl's limiter; kept so the limit stays in force).
CORE_SHARE: dict = {}


def share_cores(workers: int) -> None:
    """Give each of ``workers`` xdist workers ``cores // workers`` threads (at least 1) for OpenBLAS/OpenMP
    (in this process and the subprocesses its tests start) and numba (in this process). With 2 workers on 2 cores each
    worker otherwise runs 2 BLAS and 2 numba threads, and OpenBLAS's waiting threads spin: the real N-MNIST
    science test took 3.3x the CPU time that way on a loaded machine (103 vs 31.5 CPU-s). A test that
    needs several threads asks for them (``CpuEngine(threads=2)``)."""
    import numba
    from threadpoolctl import threadpool_limits

    threads = max(1, (os.cpu_count() or 1) // max(1, workers))
    # not NUMBA_NUM_THREADS: numba rereads it at each compile and refuses a change once its threads run
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(threads)
    CORE_SHARE["blas"] = threadpool_limits(limits=threads)
    CORE_SHARE["numba"] = min(threads, numba.config.NUMBA_NUM_THREADS)
    numba.set_num_threads(CORE_SHARE["numba"])


#: The neuron models whose cpu kernels :func:`warm_numba_kernels` compiles, one process each.
WARM_MODELS = ("discrete-lif", "lif", "izhikevich")


def warm_numba_kernels() -> None:
    """Run ``python -m neurosim.engines.warm MODEL`` for each of :data:`WARM_MODELS` side by side and wait:
    numba's disk cache then holds every kernel, so workers that reach the same kernel together load it
    instead of each compiling it (the compile time stays in the run's time). A failure is reported, not
    raised: the tests that need the kernels then fail with the reason."""
    runs = [subprocess.Popen([sys.executable, "-m", "neurosim.engines.warm", model], cwd=REPO,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for model in WARM_MODELS]
    for run in runs:
        out, _ = run.communicate()
        if run.returncode != 0:
            print(f"conftest: compiling the numba kernels first failed ({run.args[-1]}):\n{out}", file=sys.stderr)


def fail_unmarked_brian2(item, runs_before: int) -> None:
    """Fail ``item`` if it ran a Brian2 network since ``runs_before`` without the ``brian2`` marker."""
    if BRIAN2_WATCH.runs > runs_before and item.get_closest_marker("brian2") is None:
        pytest.fail(f"{item.nodeid} runs Brian2 but is not marked brian2: mark it @pytest.mark.brian2, or "
                    f"extend BRIAN2_PATTERN in tests/markers.py", pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    """Fixtures (module-scoped ones too) that run Brian2 count for the test that sets them up."""
    runs = BRIAN2_WATCH.runs
    result = yield
    fail_unmarked_brian2(item, runs)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """The test body."""
    runs = BRIAN2_WATCH.runs
    result = yield
    fail_unmarked_brian2(item, runs)
    return result


@pytest.fixture
def nmnist_dir() -> Path:
    """The 1,100 real N-MNIST samples in ../shared/data/nmnist (with its MANIFEST.csv)."""
    require_data(SHARED_DATA / "nmnist" / "MANIFEST.csv")
    return SHARED_DATA / "nmnist"


@pytest.fixture(autouse=True)
def brian2_state_restored():
    """Brian2's global preferences and device must be the same after a test as before it."""
    if "brian2" not in sys.modules:
        yield
        return
    import brian2
    from brian2 import prefs
    keys = ["codegen.target", "codegen.runtime.cython.cache_dir", "codegen.cpp.extra_compile_args_gcc"]
    before = {k: prefs[k] for k in keys}
    device_before = type(brian2.get_device()).__name__
    yield
    after = {k: prefs[k] for k in keys}
    assert after == before, "a test leaked Brian2 preferences"
    assert type(brian2.get_device()).__name__ == device_before == "RuntimeDevice", \
        "a test left Brian2 on a device other than runtime"


@pytest.fixture(scope="module")
def cupy():
    """CuPy with at least one CUDA device; GPU tests (and only they) skip without one."""
    cupy = pytest.importorskip("cupy")
    try:
        n = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # no driver
        pytest.skip(f"no CUDA device ({exc})")
    if n < 1:
        pytest.skip("no CUDA device")
    return cupy


@pytest.fixture(scope="session")
def nvcc() -> str:
    """Path of nvcc; CUDA sources must compile here, so under CI a missing nvcc fails."""
    path = shutil.which("nvcc")
    if path is None:
        skip_or_fail("nvcc is not installed (CUDA toolkit)")
    return path


def compile_cuda_harness(nvcc: str, source: str, include_dir: Path, folder: Path) -> tuple[Path, Path]:
    """Compile a host-side test program that includes a kernel's ``__host__ __device__`` code.

    Returns ``(folder, executable)``; lets kernel logic be checked against numpy without a GPU.
    """
    (folder / "harness.cu").write_text(source)
    exe = folder / "harness"
    result = subprocess.run([nvcc, "-arch=sm_90", "-I", str(include_dir), str(folder / "harness.cu"),
                             "-o", str(exe)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return folder, exe
