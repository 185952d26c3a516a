"""Tasks: pipelines that return result records and report them.

``classify`` and ``reservoir`` (reservoir quality metrics) exist now; ``zeroshot``,
``continual`` and ``prediction`` come next.
"""

from neurosim.tasks.classify import ClassifyResult, classify_figures, classify_report, run_classify
from neurosim.tasks.reservoir import (ReservoirResult, reservoir_figures, reservoir_report,
                                      reservoir_summary, run_reservoir)

TASKS = ("classify", "reservoir")

__all__ = ["TASKS", "ClassifyResult", "classify_figures", "classify_report", "run_classify",
           "ReservoirResult", "reservoir_figures", "reservoir_report", "reservoir_summary",
           "run_reservoir"]
