"""CUDA sources of the GPU engine's kernels, shipped inside the package.

``lsm_step.cu`` holds the fused discrete-LIF neuron update (numpy twin:
:func:`neurosim.engines.lsm_step.lsm_update`); ``continuous_step.cu`` the two per-step
kernels of the continuous LIF and Izhikevich (numpy twins:
:func:`neurosim.engines.continuous_step.continuous_update` and ``continuous_deliver``).
CuPy compiles them at first use (``cupy.RawModule``, NVRTC); ``tests/test_cuda_sources.py``
compiles every ``.cu`` file of the package with ``nvcc``, and ``tests/test_gpu_engine.py``
and ``tests/test_gpu_continuous.py`` run their host-side code against numpy.
"""

from __future__ import annotations

from pathlib import Path

from neurosim.backend import cuda_source

__all__ = ["KERNEL_DIR", "source"]

#: Folder holding the ``.cu`` files.
KERNEL_DIR = Path(__file__).resolve().parent


def source(name: str) -> str:
    """The CUDA source text of ``name`` (e.g. ``"lsm_step.cu"``) in this folder, local headers inlined."""
    return cuda_source(KERNEL_DIR, name)
