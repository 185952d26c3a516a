"""Headline metrics: the numbers a task is judged by, declared by the task.

A task lists its headline metrics (:attr:`neurosim.tasks.Task.headline`); the runner writes
them into the report (``report["headline"]``, a list of :meth:`Headline.as_dict`), and the run's
HTML page and the sweep comparison page show them first, read from there. The first one is the
primary metric: the sweep page plots it per configuration, against energy (Pareto front) and
against each swept key. A report without the list (written before tasks declared one) has the
default :data:`ACCURACY_HEADLINE`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from neurosim.report.format import format_number, format_percent, format_quantity, is_number

__all__ = ["ACCURACY_HEADLINE", "Headline", "report_headlines"]


@dataclass(frozen=True)
class Headline:
    """One headline metric.

    Attributes:
        key: dotted report key of the number, e.g. ``"accuracy.test"`` (as the sweep page
            flattens reports: dict keys, and the ``key``/``name`` of a list of named records).
        label: what it is, lower case, e.g. ``"test accuracy"`` (capitalised where it starts a line).
        unit: ``"%"`` for a fraction shown in percent, an SI unit (``"J"``, ``"s"``, ``"Hz"``)
            shown with a prefix, or ``""`` for a plain number.
        higher_is_better: the direction of improvement (the sweep's Pareto front uses it).
        count: dotted report key of the number of samples the metric is measured on (e.g.
            ``"dataset.n_test"``), shown beside it; ``""`` when it has none.
        required: False for a metric the report holds only when the work that measures it ran
            (e.g. cross-validation, off with ``classify.folds = 0``); a report without it falls
            back to the next headline (:func:`report_headlines`).
    """

    key: str
    label: str
    unit: str = ""
    higher_is_better: bool = True
    count: str = ""
    required: bool = True

    def __post_init__(self) -> None:
        if not self.key or not all(self.key.split(".")):
            raise ValueError(f"headline key must be a dotted report key such as 'accuracy.test', got {self.key!r}")
        if not self.label:
            raise ValueError(f"headline {self.key!r}: the label must not be empty")

    @property
    def title(self) -> str:
        """The label with a capital first letter (a table header, a summary row)."""
        return self.label[:1].upper() + self.label[1:]

    @property
    def scale(self) -> float:
        """Factor from the stored value to the plotted one (100 for ``%``, else 1)."""
        return 100.0 if self.unit == "%" else 1.0

    def format(self, value: float, decimals: int = 2) -> str:
        """``value`` in readable units: ``"81.00 %"`` (``decimals`` places), ``"2.30 µJ"``, ``"12.5"``."""
        if self.unit == "%":
            return format_percent(value, decimals)
        if self.unit:
            return format_quantity(value, self.unit)
        return format_number(value)

    def value(self, report: dict) -> float | None:
        """The number at :attr:`key` in a report, or None when it has none."""
        return _number_at(report, self.key)

    def samples(self, report: dict) -> int | None:
        """The sample count at :attr:`count` in a report, or None (no count key, or none there)."""
        n = _number_at(report, self.count) if self.count else None
        return int(n) if n is not None else None

    def as_dict(self) -> dict:
        """Plain data for the JSON report."""
        return asdict(self)


def _number_at(report: dict, key: str) -> float | None:
    node: Any = report
    for part in key.split("."):
        if isinstance(node, list):
            node = {str(r.get("key", r.get("name"))): r for r in node if isinstance(r, dict)}
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return float(node) if is_number(node) else None


#: The default headline: test accuracy, a fraction shown in percent.
ACCURACY_HEADLINE = Headline("accuracy.test", "test accuracy", "%", count="dataset.n_test")


def report_headlines(report: dict) -> list[Headline]:
    """The headline metrics a report declares (``report["headline"]``), less the optional ones
    (``required`` False) it holds no number for; else :data:`ACCURACY_HEADLINE`."""
    declared = report.get("headline")
    if isinstance(declared, list) and declared:
        heads = [Headline(**h) for h in declared]
        present = [h for h in heads if h.required or h.value(report) is not None]
        return present or heads
    return [ACCURACY_HEADLINE]
