"""Provenance stamped on every report: versions, time, Python."""

from __future__ import annotations

import platform
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version

PACKAGES = ("neurosim", "numpy", "scipy", "brian2", "tonic", "scikit-learn", "h5py", "matplotlib")


def package_versions() -> dict[str, str]:
    """Installed version of each package that shapes the results ('not installed' if absent)."""
    out = {}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def provenance(config_hash: str) -> dict:
    """The report's ``provenance`` section."""
    return {"versions": package_versions(), "python": platform.python_version(),
            "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "config_hash": config_hash}
