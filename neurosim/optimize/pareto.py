"""The search's Pareto front and its hypervolume.

Each trial has one value per objective (the instances reduced by the objective's statistic, so a
robustness statistic such as the 10th percentile is already inside the value). The front is the
feasible trials no other feasible trial dominates (at least as good on every objective, better on
one). The hypervolume measures a set of trials by the volume of objective space they dominate up to
a reference point, in normalised units: each objective's distance from its reference value, divided
by the reference's magnitude (by 1 where the reference is 0, e.g. an accuracy of 0). With the
ideal point at accuracy 1, energy 0 and area 0, and references accuracy 0, energy ``E_ref``, area
``A_ref``, it lies in [0, 1]: the share of that box the front dominates.
"""

from __future__ import annotations

import numpy as np

__all__ = ["hypervolume", "hypervolume_curve", "losses", "non_dominated"]


def losses(values: np.ndarray, maximize: list[bool], reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(points, ref)`` in normalised minimisation form: ``(ref − v)/s`` for a maximised objective,
    ``(v − ref)/s`` for a minimised one (``s`` the reference's magnitude, 1 where it is 0), so that the
    reference point is the origin and a point dominating it has every coordinate below 0."""
    values = np.asarray(values, dtype=np.float64).reshape(-1, len(maximize))
    ref = np.asarray(reference, dtype=np.float64)
    scale = np.where(ref != 0, np.abs(ref), 1.0)
    sign = np.where(np.asarray(maximize), -1.0, 1.0)
    return sign * (values - ref) / scale, np.zeros(len(maximize))


def non_dominated(points: np.ndarray) -> list[int]:
    """Indices of the rows of ``points`` (minimisation) that no other row dominates; of rows equal
    to each other, the first."""
    points = np.asarray(points, dtype=np.float64)
    keep = []
    for i, p in enumerate(points):
        dominated = np.any(np.all(points <= p, axis=1) & np.any(points < p, axis=1))
        duplicate = any(np.array_equal(points[j], p) for j in keep)
        if not dominated and not duplicate:
            keep.append(i)
    return keep


def _hv(points: np.ndarray, ref: np.ndarray) -> float:
    """Hypervolume of ``points`` (minimisation, each strictly below ``ref``) by slicing the last axis."""
    if len(points) == 0:
        return 0.0
    if points.shape[1] == 1:
        return float(ref[0] - points[:, 0].min())
    order = np.argsort(points[:, -1], kind="stable")
    pts = points[order]
    total = 0.0
    for i in range(len(pts)):
        upper = pts[i + 1, -1] if i + 1 < len(pts) else ref[-1]
        if upper > pts[i, -1]:
            front = pts[: i + 1, :-1]
            total += _hv(front[non_dominated(front)], ref[:-1]) * (upper - pts[i, -1])
    return total


def hypervolume(values: np.ndarray, maximize: list[bool], reference: np.ndarray) -> float:
    """Normalised hypervolume of the trials' objective ``values`` (rows) against ``reference`` (see
    the module docstring); points that do not dominate the reference add nothing."""
    pts, ref = losses(values, maximize, reference)
    if len(pts) == 0:
        return 0.0
    pts = pts[np.all(pts < ref, axis=1)]
    if len(pts) == 0:
        return 0.0
    return _hv(pts[non_dominated(pts)], ref)


def hypervolume_curve(values: np.ndarray, feasible: list[bool], maximize: list[bool],
                      reference: np.ndarray) -> list[float]:
    """Hypervolume of the feasible trials among the first 1, 2, … ``len(values)`` trials."""
    values = np.asarray(values, dtype=np.float64).reshape(-1, len(maximize))
    out = []
    for n in range(1, len(values) + 1):
        ok = [i for i in range(n) if feasible[i]]
        out.append(hypervolume(values[ok], maximize, reference) if ok else 0.0)
    return out
