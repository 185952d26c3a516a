"""Co-design search: the chip and network settings on the accuracy–energy–area front, judged over
manufactured chip instances (``neurosim optimize``; from Python ``neurosim.optimize(...)``).

* :mod:`neurosim.optimize.space`: the ``[optimize]`` TOML table: the searched keys (ranges, choices,
  integer and log scales, conditional keys), objectives, constraints, the search's settings.
* :mod:`neurosim.optimize.objectives`: a trial's metrics read from its units' reports, aggregated
  over chip instances by a declared statistic; constraints; the too-few-samples refusal.
* :mod:`neurosim.optimize.driver`: Optuna ask/tell, trials evaluated as the sweep's units on dask,
  results and the Optuna journal on disk (a killed search resumes).
* :mod:`neurosim.optimize.pareto`: the front and its hypervolume.
* :mod:`neurosim.optimize.page`: the search's page; :mod:`neurosim.optimize.export`: front points as
  chip and experiment TOML files.

Importing this package imports neither optuna nor dask.
"""

from __future__ import annotations

import sys
import types
from dataclasses import replace
from pathlib import Path
from typing import Any

from neurosim.optimize.space import OptimizeSpec, spec_from_file

__all__ = ["OptimizeSpec", "optimize", "spec_from_file"]


def optimize(config: OptimizeSpec | Path | str, out: Path | str = "neurosim-out/optimize", *,
             trials: int | None = None, sampler: str | None = None, seed: int | None = None,
             scheduler: str | None = None, workers: int | None = None, progress: bool = False,
             page: bool = True, unit_figures: bool = True) -> Any:
    """Run (or resume) the co-design search of ``config`` (a search TOML file with an ``[optimize]``
    table, or an :class:`OptimizeSpec`) in folder ``out``; ``trials``, ``sampler``, ``seed`` override
    the file's. Returns the :class:`~neurosim.optimize.driver.OptimizeOutcome` (trials, front, page,
    front files). Same as ``neurosim optimize --config FILE --out DIR``; ``unit_figures=False`` is
    ``--no-unit-figures``."""
    from neurosim.optimize.driver import run_search

    given = {k: v for k, v in (("trials", trials), ("sampler", sampler), ("seed", seed)) if v is not None}
    spec = replace(config, **given) if isinstance(config, OptimizeSpec) else spec_from_file(config, **given)
    return run_search(spec, out, scheduler=scheduler, workers=workers, progress=progress, page=page,
                      unit_figures=unit_figures)


class _CallableModule(types.ModuleType):
    """``neurosim.optimize`` is both this package and the public function: importing a submodule
    sets the package as the attribute ``optimize`` of ``neurosim``, so the package itself calls it."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return optimize(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
