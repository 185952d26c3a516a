"""Sweeps on dask.distributed: configurations × chip instances × seeds, resumable, compared.

* :mod:`neurosim.sweep.spec`: the request (grid, instances, seeds; CLI or a ``[sweep]`` TOML
  table) and its units, each named by the hash of its inputs.
* :mod:`neurosim.sweep.store`: the sweep folder: one atomically written folder per finished
  unit (report JSON/HTML, arrays in HDF5, unit record) and the manifest.
* :mod:`neurosim.sweep.execute`: the units on a dask ``LocalCluster`` or a running scheduler,
  written as they finish, with a progress bar.
* :mod:`neurosim.sweep.compare`: finished units aggregated per configuration (distributions over
  chip instances, Pareto front), written as JSON and HDF5; :mod:`neurosim.sweep.page`: the
  self-contained comparison page.

Importing this package does not import dask (the executor imports it when a sweep runs).
"""

from neurosim.sweep.spec import SweepSpec, Unit, parse_grid, plan_units, spec_from_sources
from neurosim.sweep.store import SweepStore, result_digest

__all__ = ["SweepSpec", "SweepStore", "Unit", "parse_grid", "plan_units", "result_digest", "run_sweep",
           "spec_from_sources"]


def run_sweep(*args, **kwargs):
    """:func:`neurosim.sweep.execute.run_sweep` (imported on first use: it needs dask)."""
    from neurosim.sweep.execute import run_sweep as run

    return run(*args, **kwargs)
