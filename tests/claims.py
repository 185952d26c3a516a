"""The checks that guard a classify run's claims, shared by the science tests (which assert them on real
runs) and the mutation tests (which break a run on purpose and assert that a check catches it).

A comparison "the reservoir beats X" means something only when every side of it learnt something: a
baseline or control fed zeros, or features decoupled from the labels, would make any reservoir look
good. :func:`comparison_problems` lists what is wrong with a report's comparison; an honest run has
none.
"""

from __future__ import annotations

import numpy as np
from chance import above_chance, chance_rate


def comparison_problems(report: dict, labels: np.ndarray) -> list[str]:
    """What breaks the claims of a classify ``report`` whose CV scored every sample of ``labels`` (int
    ``(n,)``): the reservoir's or a baseline's or a control's pooled out-of-fold accuracy not above
    chance (:func:`chance.above_chance` at ``n``), or a verdict that does not follow from its numbers
    (the significance level the report uses, 0.05). Empty when nothing is wrong."""
    n, chance = len(labels), chance_rate(labels)
    problems = []
    sets = {"reservoir": report["accuracy"]["cv"], **report.get("baselines", {}), **report.get("controls", {})}
    for name, cv in sets.items():
        if not above_chance(cv["value"], n, chance):
            problems.append(f"{name} at chance: {cv['value']:.3f} on {n} samples")
    comparison = report.get("comparison", {})
    if "verdict" in comparison:
        beats = comparison["margin_points"] > 0 and comparison["mcnemar_p"] < 0.05
        if comparison["reservoir_beats_strongest"] is not beats or ("the reservoir beats it" in
                                                                     comparison["verdict"]) is not beats:
            problems.append(f"verdict against the strongest baseline does not follow: {comparison['verdict']}")
    if "control_verdict" in comparison:
        margin = comparison.get("control_repeated_margin_points", comparison["control_margin_points"])
        p = comparison.get("control_corrected_t_p", comparison["control_mcnemar_p"])
        beats = margin > 0 and p < 0.05
        if comparison["reservoir_beats_all_controls"] is not beats or ("the reservoir beats it" in
                                                                        comparison["control_verdict"]) is not beats:
            problems.append(f"verdict against the strongest control does not follow: {comparison['control_verdict']}")
    return problems


#: The continual study page's targets (docs/studies/continual.md, "Against the issue's
#: targets"), in fractions: HLOP's BWT ≥ −5 points, fine-tuning's ≤ −15, HLOP's ACC within 8 points of
#: multitask's, the Hebbian rule (hlop) within 2 BWT points of the exact subspaces.
CONTINUAL_TARGETS = {"hlop_bwt_min": -0.05, "finetune_bwt_max": -0.15, "acc_gap_to_multitask": 0.08,
                     "bwt_gap_to_exact": 0.02}


def continual_problems(methods: dict) -> list[str]:
    """Which of the continual study page's targets (:data:`CONTINUAL_TARGETS`) a report's
    ``continual.methods`` (``{method: {"acc": {"value"}, "bwt": {"value"}}}``, fractions) misses. Empty when
    every target is met."""
    t = CONTINUAL_TARGETS
    acc = {m: v["acc"]["value"] for m, v in methods.items()}
    bwt = {m: v["bwt"]["value"] for m, v in methods.items()}
    problems = []
    if not bwt["hlop"] >= t["hlop_bwt_min"]:
        problems.append(f"hlop BWT {100 * bwt['hlop']:+.1f} points, the study page states ≥ "
                        f"{100 * t['hlop_bwt_min']:+.0f}")
    if not bwt["finetune"] <= t["finetune_bwt_max"]:
        problems.append(f"finetune BWT {100 * bwt['finetune']:+.1f} points, the study page states ≤ "
                        f"{100 * t['finetune_bwt_max']:+.0f}")
    if not acc["hlop"] >= acc["multitask"] - t["acc_gap_to_multitask"]:
        problems.append(f"hlop ACC {100 * (acc['hlop'] - acc['multitask']):+.1f} points from multitask, the study "
                        f"page states within {100 * t['acc_gap_to_multitask']:.0f}")
    if not abs(bwt["hlop"] - bwt["exact"]) <= t["bwt_gap_to_exact"]:
        problems.append(f"hlop BWT {100 * (bwt['hlop'] - bwt['exact']):+.1f} points from exact, the study page states "
                        f"within {100 * t['bwt_gap_to_exact']:.0f}")
    return problems
