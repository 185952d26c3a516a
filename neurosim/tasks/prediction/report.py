"""How a prediction run is shown: the report JSON, the HTML figure panels and the CLI summary."""

from __future__ import annotations

from neurosim.tasks.prediction.energy import _learning_energy
from neurosim.tasks.prediction.metrics import _sweep_metrics, _switch_metrics
from neurosim.tasks.prediction.result import PredictionResult
from neurosim.tasks.report_parts import energy_sections

__all__ = ["prediction_figures", "prediction_report", "prediction_summary"]


def prediction_report(result: PredictionResult) -> dict:
    s = result.settings
    report = {
        "dataset": {"name": "what-when paradigm", "n_samples": sum(r.trials_run for r in result.runs)},
        "engine": result.engine,
        "prediction": {
            "seeds": [r.seed for r in result.runs], "neurons": result.neurons,
            "paradigm": {"trial_s": s.trial_duration, "cue_s": s.cue_duration, "t_a_s": s.t_a, "t_b_s": s.t_b,
                         "sigma_s": s.sigma, "block_trials": s.block_trials, "p_levels": s.p_levels},
            "sweep": _sweep_metrics(result),
            "switch": _switch_metrics(result),
            "learning_energy": _learning_energy(result),
        },
    }
    report.update(energy_sections(result.energy))
    return report


def prediction_figures(result: PredictionResult) -> dict:
    """The HTML report's figure panels (curves; see :func:`neurosim.report.html_report.render_html`)."""
    rep, s = prediction_report(result)["prediction"], result.settings
    plots = {}
    sw = rep["sweep"]
    if sw:
        plots[f"Amplitude vs p(A) (test points from {s.amplitude_from:g} of each block on, mean over seeds)"] = {
            "x": sw["p_a"], "series": {"A": sw["amp_a_mean"], "B": sw["amp_b_mean"], "ideal A": sw["p_a"]},
            "xlabel": "p(A)", "ylabel": "relative amplitude"}
        lc = sw["learning_curve"]
        plots["Test error over a block (mean over blocks and seeds)"] = {
            "x": lc["trial_in_block"], "series": {"three-factor": lc["test_error"]},
            "xlabel": "training trials in the block", "ylabel": "MSE vs p·kernel"}
        if sw["pca"] and sw["pca"][0]:
            plots["PC1 of the readout weights across sweep blocks (seed 1)"] = {
                "x": sw["pca"][0]["p_a"], "series": {"PC1": sw["pca"][0]["pc1"]}, "xlabel": "p(A)",
                "ylabel": "PC1", "markers": True}
    series = {m: v["amp_a_mean_series"] for m, v in rep["switch"].items() if isinstance(v, dict)
              and "amp_a_mean_series" in v}
    if series:
        n = len(next(iter(series.values())))
        plots["Anticipatory amplitude of A across the switch (mean over seeds)"] = {
            "x": list(range(n)), "series": series, "xlabel": "training trial", "ylabel": "relative amplitude"}
    return {"panels": [{"kind": "curves", "title": title, "caption": title, **spec} for title, spec in plots.items()]}


def prediction_summary(report: dict) -> list[tuple[str, str]]:
    """One line per metric: its value, then what it is, over which trials and seeds."""
    p = report["prediction"]
    n_seeds = len(p["seeds"])
    rows = []
    sw = p["sweep"]

    def f(x, fmt="{:.3f}"):
        return "n/a" if x is None else fmt.format(x)
    if sw:
        end = sw["block_end"]
        rows.append(("amplitude vs p(A)", f"r_A {f(end['r_a_mean_over_seeds'])}, r_B {f(end['r_b_mean_over_seeds'])} "
                     f"(mean over {n_seeds} seed(s); the primary, target-bearing measure); of the seeds' mean "
                     f"curve r_A {f(end['r_a_of_mean'])}, r_B {f(end['r_b_of_mean'])}: Pearson r of the output's "
                     f"amplitude in A's (B's) event window with p(A) over the {len(sw['p_a'])} sweep levels, on "
                     "each block's end-of-block cue-only test trials; a perfect predictor has r_A = 1, r_B = -1"))
        rows.append(("… later part of the block", f"r_A {f(sw['r_a_mean_over_seeds'])}, r_B "
                     f"{f(sw['r_b_mean_over_seeds'])} (mean over seeds): the same r from the mean over each block's "
                     "test points from prediction.amplitude_from of the block on (the default 0.5: its second "
                     "half), reported beside the primary"))
        lc = sw["learning_curve"]
        rows.append(("test error (block)", f"{f(lc['first'], '{:.4f}')} → {f(lc['last'], '{:.4f}')}: mean squared "
                     "error of the output against p·kernel on test trials, at a block's start and end (mean over "
                     "blocks and seeds)"))
        c = sw["cos_what_when"]
        rows.append(("|cos what, when|", f"{c['mean']:.4f} (random {c['random_level']:.4f}, "
                     f"×{c['ratio_to_random']:.2f}): |cosine| of the 'what' and 'when' readout weights per channel, "
                     "mean over channels and seeds, against 1/√N of random vectors"))
    switch = p["switch"].get("switch")
    methods = {m: v for m, v in p["switch"].items() if isinstance(v, dict) and "trials_to_recover" in v}
    if switch and methods:
        rows.append(("switch", f"{switch['kind']} switch, p(A) {switch['from']:g} → {switch['to']:g}: per method, the "
                     "training trials after the switch until the smoothed anticipatory amplitude of A is within "
                     "the tolerance of the step from its new level, per seed ('never': not within the "
                     "post-switch trials), and how far off it is after the first post-switch block, in steps "
                     "(mean over seeds)"))
    for m, v in methods.items():
        trials = " / ".join("never" if t is None else str(t) for t in v["trials_to_recover"])
        lam = v.get("force_forgetting", 1.0)
        rows.append((f"switch {m}", f"trials to recover {trials}; off after the block "
                     f"{f(v['off_after_block_mean'], '{:.2f}')} of the step"
                     + (f" (RLS forgetting factor λ = {lam:g})" if lam != 1.0 else "")))
    per_method = p["learning_energy"]["per_method"]
    if per_method:
        rows.append(("learning energy", "per training trial, mean over the trials run: learning = programming "
                     "pulses on chip or MACs in digital (RLS included); readout = computing the output"))
    for name, d in per_method.items():
        where = "on chip" if d["on_chip"] else "digital"
        label = "learn " + ("sweep" if name.startswith("sweep") else name.replace("switch ", ""))
        rows.append((label, f"{d['learning_J_per_trial']:.3g} J/trial {where} "
                     f"({d['programming_pulses']} pulses, {d['weight_updates']} updates, "
                     f"{d['rls_macs']:.3g} RLS MACs); "
                     f"readout {d['readout_inference_J_per_trial']:.3g} J/trial"))
    return rows
