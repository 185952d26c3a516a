"""Tasks: pipelines that return result records and report them.

``classify`` exists now; ``zeroshot``, ``continual`` and ``prediction`` come next.
"""

from neurosim.tasks.classify import ClassifyResult, classify_figures, classify_report, run_classify

TASKS = ("classify",)

__all__ = ["TASKS", "ClassifyResult", "classify_figures", "classify_report", "run_classify"]
