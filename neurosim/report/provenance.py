"""Provenance stamped on every report: versions, time, Python."""

from __future__ import annotations

import importlib
import importlib.util
import platform
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version

PACKAGES = ("neurosim", "numpy", "scipy", "brian2",  # registry-name: package names
            "tonic", "scikit-learn", "h5py", "matplotlib", "numba",
            "dask", "distributed")


def package_versions() -> dict[str, str]:
    """Installed version of each package that shapes the results ('not installed' if absent), and
    CuPy's when it imports (its distribution is named per CUDA version: ``cupy-cuda12x`` …)."""
    out = {}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    cupy = cupy_version()
    if cupy is not None:
        out["cupy"] = cupy
    return out


def cupy_version() -> str | None:
    """CuPy's version when it is installed and imports, else None (the gpu engine cannot run then)."""
    if importlib.util.find_spec("cupy") is None:
        return None
    try:
        return str(importlib.import_module("cupy").__version__)
    except Exception:  # noqa: BLE001 (a broken CUDA install raises anything, ImportError to CUDARuntimeError)
        return None


def provenance(config_hash: str) -> dict:
    """The report's ``provenance`` section."""
    return {"versions": package_versions(), "python": platform.python_version(),
            "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "config_hash": config_hash}
