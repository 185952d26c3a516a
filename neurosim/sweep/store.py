"""A sweep's folder: one atomically written folder per finished unit, and the manifest.

Layout of ``DIR``::

    DIR/sweep.json                 manifest: what was asked (spec, units) and what is done
    DIR/units/<unit id>/unit.json  the unit: grid point, instance, seed, chip hash, versions,
                                   fixed --set overrides, package commit, worker, result digest
    DIR/units/<unit id>/report.json, report.html   the run's standard report
    DIR/units/<unit id>/arrays.h5  the run's figure arrays (spike counts, confusion …)

A unit is written into ``DIR/units/.tmp-<id>-<random>/``, every file fsync'ed, and the
folder then renamed to ``DIR/units/<id>`` (one ``rename``: atomic). So a unit folder
exists whole or not at all, whenever the process is killed; a leftover ``.tmp-*``
folder is an unfinished write, removed by the next run. A unit folder is never
rewritten: a unit already present is finished and is skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from neurosim.errors import NeurosimError
from neurosim.report import dumps_report, to_jsonable, write_atomic
from neurosim.report.atomic import _fsync_dir

__all__ = ["MANIFEST", "UNITS", "SweepStore", "result_digest"]

MANIFEST = "sweep.json"
UNITS = "units"
UNIT_JSON = "unit.json"
ARRAYS = "arrays.h5"
#: Files of a finished unit folder.
UNIT_FILES = (UNIT_JSON, "report.json", "report.html", ARRAYS)


def result_digest(report: dict, arrays: dict[str, np.ndarray]) -> str:
    """sha256 of a unit's results: its report (less the creation time) and its arrays (dtype,
    shape and bytes). Equal digests mean bit-identical results."""
    data = to_jsonable(report)
    data.get("provenance", {}).pop("created", None)
    h = hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode())
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}|{a.dtype.str}|{a.shape}|".encode())
        h.update(a.tobytes() if a.dtype.kind not in "OU" else json.dumps(a.tolist()).encode())
    return h.hexdigest()


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_arrays(path: Path, arrays: dict[str, np.ndarray], attrs: dict[str, Any]) -> None:
    """An HDF5 file with one dataset per array (strings as UTF-8) and ``attrs`` on the root."""
    import h5py

    with h5py.File(path, "w") as f:
        for name, value in arrays.items():
            a = np.asarray(value)
            if a.dtype.kind in "OU":
                f.create_dataset(name, data=a.astype(str).astype(object), dtype=h5py.string_dtype())
            else:
                f.create_dataset(name, data=a)
        for key, value in attrs.items():
            f.attrs[key] = value


class SweepStore:
    """The folder ``root`` of a sweep (see the module docstring)."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self.units = self.root / UNITS

    def prepare(self) -> int:
        """Create the folders and remove unfinished writes; returns how many were removed."""
        if self.root.exists() and not self.root.is_dir():
            raise NeurosimError(f"sweep folder {self.root} exists and is not a folder; pick another --out")
        try:
            self.units.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise NeurosimError(f"could not create sweep folder {self.units}: {exc.strerror or exc}") from exc
        stale = [p for p in self.units.iterdir() if p.name.startswith(".tmp-")]
        for path in stale:
            shutil.rmtree(path, ignore_errors=True)
        return len(stale)

    def finished(self) -> set[str]:
        """Ids of the finished units (folders renamed into place)."""
        if not self.units.is_dir():
            return set()
        return {p.name for p in self.units.iterdir() if not p.name.startswith(".") and p.is_dir()}

    def unit_dir(self, unit_id: str) -> Path:
        return self.units / unit_id

    def write_unit(self, unit_id: str, record: dict, report: dict, html: str,
                   arrays: dict[str, np.ndarray]) -> bool:
        """Write finished unit ``unit_id`` atomically; False if it was already there (kept as is)."""
        final = self.unit_dir(unit_id)
        if final.exists():
            return False
        tmp = self.units / f".tmp-{unit_id}-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            tmp.mkdir()
            write_atomic(tmp / "report.json", dumps_report(report))
            write_atomic(tmp / "report.html", html)
            write_arrays(tmp / ARRAYS, arrays, {"unit": unit_id, "result_sha256": record["result_sha256"]})
            _fsync_file(tmp / ARRAYS)
            write_atomic(tmp / UNIT_JSON, json.dumps(to_jsonable(record), indent=1) + "\n")
            _fsync_dir(tmp)
            try:
                os.rename(tmp, final)
            except OSError:
                if final.is_dir():  # written meanwhile by another sweep into the same folder
                    shutil.rmtree(tmp, ignore_errors=True)
                    return False
                raise
            _fsync_dir(self.units)
            return True
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise NeurosimError(f"could not write unit {final}: {exc.strerror or exc}") from exc
        except BaseException:
            with contextlib.suppress(OSError):
                shutil.rmtree(tmp, ignore_errors=True)
            raise

    def read_unit(self, unit_id: str) -> tuple[dict, dict]:
        """``(unit.json, report.json)`` of a finished unit; NeurosimError naming a bad file."""
        from neurosim.report import read_json_report

        folder = self.unit_dir(unit_id)
        path = folder / UNIT_JSON
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise NeurosimError(f"sweep unit {path} cannot be read ({exc}); delete {folder} and rerun "
                                "the sweep to compute it again") from exc
        return record, read_json_report(folder / "report.json")

    def read_manifest(self) -> dict | None:
        path = self.root / MANIFEST
        if not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise NeurosimError(f"sweep manifest {path} cannot be read ({exc}); delete it (the units "
                                "stay) and rerun the sweep") from exc
        if not isinstance(data, dict) or data.get("schema") != "neurosim.sweep/1":
            raise NeurosimError(f"{path} is not a neurosim sweep manifest (schema neurosim.sweep/1); "
                                "pick another --out")
        return data

    def write_manifest(self, manifest: dict) -> None:
        write_atomic(self.root / MANIFEST, json.dumps(to_jsonable(manifest), indent=1) + "\n")
