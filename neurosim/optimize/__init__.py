"""Co-design search: the chip and network settings on the accuracy–energy–area front, judged over
manufactured chip instances (``neurosim optimize``).

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

from neurosim.optimize.space import OptimizeSpec, spec_from_file

__all__ = ["OptimizeSpec", "optimize", "spec_from_file"]


def optimize(*args, **kwargs):
    """:func:`neurosim.optimize.driver.optimize` (imported on first use: it needs optuna and dask)."""
    from neurosim.optimize.driver import optimize as run

    return run(*args, **kwargs)
