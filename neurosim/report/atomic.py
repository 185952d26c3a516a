"""Atomic file output and the "never silently overwrite another run" rule.

Every file neurosim writes goes through :func:`write_atomic`: the bytes land in a
temporary file in the target's own folder, are flushed and fsync'ed, and then
``os.replace`` swaps the temporary file in. A reader therefore sees either the
old file or the complete new one, never a half-written file, even if the run is
killed mid-write.

:func:`prepare_output_dir` guards a report folder: a folder that already holds a
``report.json`` from a *different* run (different config hash or seed) is
refused, while re-running the identical experiment may overwrite its own report.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from pathlib import Path

from neurosim.errors import NeurosimError

__all__ = ["REPORT_JSON", "check_output_dir", "write_atomic", "prepare_output_dir"]

#: File name of the JSON report inside an output folder.
REPORT_JSON = "report.json"


def write_atomic(path: Path | str, data: bytes | str) -> None:
    """Write ``data`` to ``path`` atomically (temp file in the same folder + ``os.replace``).

    ``str`` data is encoded as UTF-8. The temporary file is fsync'ed before it is
    renamed over ``path``, and the folder is fsync'ed afterwards where the OS
    allows it, so the new content survives a crash. The new file gets the usual
    permissions (``0o666`` minus the process umask). On any failure the
    temporary file is removed, ``path`` keeps its previous content, and a
    :class:`~neurosim.errors.NeurosimError` naming ``path`` is raised.

    The parent folder must already exist (see :func:`prepare_output_dir`).
    """
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    elif not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"write_atomic expects bytes or str, got {type(data).__name__}")

    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        reason = exc.strerror or str(exc)
        raise NeurosimError(f"could not write {path}: {reason}") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Best-effort fsync of a folder so a rename inside it is durable (no-op where unsupported)."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(folder, flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def prepare_output_dir(out_dir: Path | str, run_id: str) -> Path:
    """Make ``out_dir`` ready to receive the report of run ``run_id`` and return it as a ``Path``.

    :func:`check_output_dir`, then the folder is created (with its parents).
    """
    out_dir = check_output_dir(out_dir, run_id)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise NeurosimError(f"could not create output folder {out_dir}: {reason}") from exc
    return out_dir


def check_output_dir(out_dir: Path | str, run_id: str) -> Path:
    """Check, without writing anything, that ``out_dir`` may receive the report of run ``run_id``.

    Called before a run starts, so that a refused folder costs no work. ``run_id`` is
    the report's ``run.id`` (a hash of everything that changes the result). Rules:

    * ``out_dir`` does not exist: allowed if its nearest existing parent is a writable folder.
    * ``out_dir/report.json`` exists and its ``run.id`` equals ``run_id`` (the
      identical experiment run again): allowed, the report will be overwritten.
    * ``out_dir/report.json`` exists with another ``run.id``, without one, or
      cannot be read as JSON: :class:`~neurosim.errors.NeurosimError` telling
      the user to pick another ``--out`` folder or delete the old report.
    * ``out_dir`` exists but is not a folder: ``NeurosimError``.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise NeurosimError(f"output path {out_dir} exists and is not a folder; pick another --out")

    existing = out_dir / REPORT_JSON
    if existing.is_file():
        advice = f"pick another --out folder or delete {existing}"
        try:
            old = json.loads(existing.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise NeurosimError(
                f"output folder {out_dir} already holds a {REPORT_JSON} that could not be read "
                f"({exc}); refusing to overwrite it: {advice}"
            ) from exc
        run = old.get("run") if isinstance(old, dict) else None
        old_id = run.get("id") if isinstance(run, dict) else None
        if old_id != run_id:
            shown = "no run id" if old_id is None else f"run {old_id!r}"
            if isinstance(old, dict) and isinstance(old.get("task"), str):
                shown = f"task {old['task']}, {shown}"
            raise NeurosimError(
                f"output folder {out_dir} holds a different run's report ({shown}, this run is "
                f"{run_id!r}); refusing to overwrite it: {advice}"
            )
        return out_dir
    parent = out_dir
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if parent.exists() and (not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK)):
        why = "is not a folder" if not parent.is_dir() else "is not writable"
        raise NeurosimError(f"cannot create output folder {out_dir}: {parent} {why}; pick another --out")
    return out_dir
