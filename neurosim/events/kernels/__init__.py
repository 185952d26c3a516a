"""CUDA sources of the GPU event kernels, shipped inside the package.

Each ``.cu`` file here sits beside its numpy twin (``bin_events.cu`` beside
:func:`neurosim.events.binning.bin_packed`). CuPy compiles them at first use
(``cupy.RawModule``, NVRTC); ``tests/test_cuda_sources.py`` compiles every ``.cu`` file
of the package with ``nvcc`` and runs their host-side functions against numpy.
"""

from __future__ import annotations

from pathlib import Path

from neurosim.backend import cuda_source

__all__ = ["KERNEL_DIR", "source"]

#: Folder holding the ``.cu`` files.
KERNEL_DIR = Path(__file__).resolve().parent


def source(name: str) -> str:
    """The CUDA source text of ``name`` (e.g. ``"bin_events.cu"``) in this folder, local headers inlined."""
    return cuda_source(KERNEL_DIR, name)
