"""The array namespace (numpy or CuPy), chosen per call from the data, never process-wide.

Functions that work on both CPU and GPU arrays ask :func:`get_namespace` which module
owns their inputs, as scikit-learn's ``get_namespace(*arrays, xp=None)`` and
``cupy.get_array_module`` do, and then call ``xp.zeros``, ``xp.unique`` and so on. There
is no global "use the GPU" switch: where data lives decides where work runs.

CuPy is optional (the ``gpu`` extra). Importing neurosim never imports CuPy: this module
only looks at ``sys.modules`` until a caller explicitly asks for the GPU
(:func:`cupy_available`, :func:`resolve_device`, :func:`namespace`).
"""

from __future__ import annotations

import functools
import logging
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from neurosim.errors import ConfigError, EngineError

__all__ = [
    "DEVICES",
    "asarray",
    "cuda_source",
    "cupy_available",
    "cupy_module",
    "get_namespace",
    "gpu_available",
    "is_cupy",
    "namespace",
    "resolve_device",
    "to_numpy",
]

log = logging.getLogger(__name__)

#: Accepted device names: ``"auto"`` picks the GPU when CuPy and a CUDA device work.
DEVICES = ("auto", "cpu", "gpu")  # registry-name: array devices, not engines

_fallback_logged = False


def is_cupy(xp: ModuleType) -> bool:
    """True if the namespace ``xp`` is CuPy."""
    return getattr(xp, "__name__", "") == "cupy"


def _cupy_array_type() -> type | None:
    """``cupy.ndarray`` if CuPy is already imported (by anyone), else None: no import here."""
    cupy = sys.modules.get("cupy")
    return getattr(cupy, "ndarray", None)


def get_namespace(*arrays: Any, xp: ModuleType | None = None) -> ModuleType:
    """The module (``numpy`` or ``cupy``) that owns ``arrays``.

    Args:
        arrays: arrays, scalars or None; only CuPy arrays decide (anything else counts
            as host data, so numpy scalars and Python numbers mix with either side).
        xp: an explicit namespace; returned as is (it must be numpy or cupy).

    Raises:
        ValueError: if some arrays are CuPy arrays and others are numpy arrays (move
            them with :func:`asarray` first; nothing is copied between devices silently).
    """
    if xp is not None:
        if xp is not np and not is_cupy(xp):
            raise ValueError(f"xp must be numpy or cupy, got {xp!r}")
        return xp
    cupy_type = _cupy_array_type()
    if cupy_type is None:
        return np
    on_gpu = [isinstance(a, cupy_type) for a in arrays]
    if not any(on_gpu):
        return np
    if not all(g or not isinstance(a, np.ndarray) for g, a in zip(on_gpu, arrays)):
        raise ValueError("arrays live on different devices (numpy and cupy); move them first")
    return sys.modules["cupy"]


def to_numpy(a: Any) -> np.ndarray:
    """``a`` as a numpy array (copied from the GPU for a CuPy array, else ``np.asarray``)."""
    cupy_type = _cupy_array_type()
    if cupy_type is not None and isinstance(a, cupy_type):
        return a.get()
    return np.asarray(a)


def asarray(a: Any, xp: ModuleType) -> Any:
    """``a`` on namespace ``xp`` (numpy or cupy), copying between host and GPU if needed."""
    if xp is np:
        return to_numpy(a)
    return xp.asarray(a)


@functools.lru_cache(maxsize=1)
def _probe_cupy() -> tuple[ModuleType | None, str]:
    """``(cupy, "")`` if CuPy imports and sees a CUDA device, else ``(None, reason)``."""
    try:
        import cupy
    except ImportError as exc:
        return None, f"CuPy is not installed ({exc}); install the 'gpu' extra"
    try:
        n = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # CUDARuntimeError without a driver, or other CUDA failures
        return None, f"CuPy found no usable CUDA device ({exc})"
    if n < 1:
        return None, "CuPy found no CUDA device"
    return cupy, ""


def gpu_available() -> tuple[bool, str]:
    """Whether CuPy imports and sees a CUDA device, and a sentence: why not, or how many devices.

    The one GPU check of the package (the ``gpu`` engine's availability, ``auto``, the
    ``device`` argument of :func:`resolve_device`); imports CuPy on first call, then cached.
    """
    cupy, reason = _probe_cupy()
    if cupy is None:
        return False, reason
    return True, f"{cupy.cuda.runtime.getDeviceCount()} CUDA device(s)"


def cupy_available() -> bool:
    """True if CuPy imports and at least one CUDA device answers (imports CuPy; cached)."""
    return gpu_available()[0]


def cupy_module() -> ModuleType:
    """The ``cupy`` module when :func:`gpu_available`; else :class:`EngineError` saying why not."""
    cupy, reason = _probe_cupy()
    if cupy is None:
        raise EngineError(f"CuPy with a CUDA device is needed, but {reason}")
    return cupy


def resolve_device(device: str = "auto") -> str:
    """``"cpu"`` or ``"gpu"`` for a requested device ``"auto"``, ``"cpu"`` or ``"gpu"``.

    ``"auto"`` gives ``"gpu"`` when :func:`cupy_available`, else ``"cpu"``, and logs the
    reason for falling back once per process (``logging``, level INFO).

    Raises:
        ConfigError: unknown device name.
        EngineError: ``"gpu"`` was requested but CuPy or a CUDA device is missing.
    """
    global _fallback_logged
    if device not in DEVICES:
        raise ConfigError(f"device must be one of {', '.join(DEVICES)}, got {device!r}")
    if device == "cpu":  # registry-name: array devices, not engines
        return "cpu"  # registry-name: array devices, not engines
    cupy, reason = _probe_cupy()
    if cupy is not None:
        return "gpu"  # registry-name: array devices, not engines
    if device == "gpu":  # registry-name: array devices, not engines
        raise EngineError(f"device 'gpu' was requested but {reason}")
    if not _fallback_logged:
        log.info("device 'auto': using the CPU (numpy) because %s", reason)
        _fallback_logged = True
    return "cpu"  # registry-name: array devices, not engines


def namespace(device: str = "auto") -> ModuleType:
    """The array module for ``device`` (see :func:`resolve_device`): numpy or cupy."""
    return _probe_cupy()[0] if resolve_device(device) == "gpu" else np  # registry-name: array devices, not engines


_LOCAL_INCLUDE = re.compile(r'^#include "([\w.]+\.cuh)"$', re.MULTILINE)


def cuda_source(folder: Path, name: str) -> str:
    """The CUDA source ``folder / name`` as one self-contained text, for ``cupy.RawModule``.

    ``#include "x.cuh"`` lines naming a header of the same folder are replaced by its text,
    so NVRTC (given no include path) compiles the same code as ``nvcc`` compiling the file.
    """
    text = (folder / name).read_text(encoding="utf-8")
    return _LOCAL_INCLUDE.sub(lambda m: cuda_source(folder, m.group(1)), text)
