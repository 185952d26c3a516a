"""The prediction metrics: relative amplitudes in the event windows, test errors and learning curves,
amplitude against p(A) over the sweep's blocks, the PCA of the readout weights, and recovery after
the switch."""

from __future__ import annotations

import numpy as np

from neurosim.networks.models import time_step
from neurosim.tasks.prediction.paradigm import Trial
from neurosim.tasks.prediction.result import PredictionResult
from neurosim.tasks.prediction.settings import PredictionSettings

__all__ = ["block_amplitudes", "relative_amplitude"]


def _window(t: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return (t >= lo - 1e-12) & (t < hi - 1e-12)


def relative_amplitude(outputs: np.ndarray, latencies: np.ndarray, sigma: float, dt: float,
                       anticipatory: bool = False) -> np.ndarray:
    """Mean output of each channel in its event window / mean event kernel there, ``(2,)``.

    ``outputs``: ``(bins, 2)``; the window is ``[t_c − σ, t_c + σ)``, or ``[t_c − σ, t_c)`` when
    ``anticipatory`` (before the event's input can reach the reservoir)."""
    t = np.arange(outputs.shape[0]) * dt
    out = np.zeros(2)
    for c in range(2):
        w = _window(t, latencies[c] - sigma, latencies[c] + (0.0 if anticipatory else sigma))
        k = np.exp(-0.5 * ((t[w] - latencies[c]) / sigma) ** 2)
        out[c] = float(outputs[w, c].mean() / k.mean()) if w.any() else float("nan")
    return out


def _test_error(outputs: np.ndarray, trial: Trial, s: PredictionSettings, dt: float) -> float:
    """Mean squared error of a trial's output against the ideal prediction ``p_c k_c(t)``, over the
    steps within ``gate_half_width`` of either latency (where the events are expected; elsewhere
    the gated rule never learns, so its output there is not a prediction)."""
    t = np.arange(outputs.shape[0]) * dt
    lat = trial.stats.latencies
    p = np.array([trial.stats.p_a, 1.0 - trial.stats.p_a])
    ideal = p[None, :] * np.exp(-0.5 * ((t[:, None] - lat[None, :]) / s.sigma) ** 2)
    inside = np.abs(t[:, None] - lat[None, :]) <= s.gate_half_width
    return float(((outputs - ideal)[inside] ** 2).mean())


def _pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    if len(x) < 2 or np.std(x) == 0 or np.std(y) == 0:
        return None
    return float(np.corrcoef(x, y)[0, 1])


def block_amplitudes(trials: list, outputs: np.ndarray, sigma: float, dt: float,
                     start_fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """Each block's amplitude from its test trials: ``(blocks,)`` p(A) and ``(blocks, 2)`` amplitudes.

    A block's test points are its test trials grouped by position (training trials before them);
    a point's amplitude is the mean :func:`relative_amplitude` of its trials, and the block's is the
    mean over its points at positions ≥ ``start_fraction`` × the block's training trials, each point
    weighing equally (``start_fraction = 1``: the end-of-block test trials only). The readouts keep
    learning between points, so averaging them measures the rule's amplitude at that p(A) rather
    than one snapshot of weights that fluctuate from trial to trial. Blocks in order of appearance."""
    points: dict[int, dict[int, list]] = {}
    p_of: dict[int, float] = {}
    for g, tr in enumerate(trials):
        if tr.test and tr.position >= start_fraction * tr.stats.trials - 1e-9:
            p_of[tr.block] = tr.stats.p_a
            points.setdefault(tr.block, {}).setdefault(tr.position, []).append(
                relative_amplitude(outputs[g], tr.stats.latencies, sigma, dt))
    blocks = list(points)
    amp = np.array([np.mean([np.mean(v, axis=0) for v in points[k].values()], axis=0) for k in blocks])
    return np.array([p_of[k] for k in blocks]), amp.reshape(len(blocks), 2)


def _amplitude_figures(per_seed: list[tuple[np.ndarray, np.ndarray]]) -> dict:
    """r and mean amplitude curves from each seed's ``(p, amp)`` of :func:`block_amplitudes`."""
    rows = []
    for p, amp in per_seed:
        order = np.argsort(p)
        rows.append({"p_a": p[order].tolist(), "amp_a": amp[order, 0].tolist(), "amp_b": amp[order, 1].tolist(),
                     "r_a": _pearson(p, amp[:, 0]), "r_b": _pearson(p, amp[:, 1])})
    amp_a = np.mean([x["amp_a"] for x in rows], axis=0)
    amp_b = np.mean([x["amp_b"] for x in rows], axis=0)
    p = np.array(rows[0]["p_a"])

    def mean_r(key):
        vals = [x[key] for x in rows if x[key] is not None]
        return float(np.mean(vals)) if vals else None
    return {"p_a": p.tolist(), "amp_a_mean": amp_a.tolist(), "amp_b_mean": amp_b.tolist(),
            "r_a_mean_over_seeds": mean_r("r_a"), "r_b_mean_over_seeds": mean_r("r_b"),
            "r_a_of_mean": _pearson(p, amp_a), "r_b_of_mean": _pearson(p, amp_b), "per_seed": rows}


def _learning_curve(trials: list, outputs: np.ndarray, first: int, s: PredictionSettings,
                    dt: float) -> dict[int, list]:
    """Test errors by training trials into the block, ``position → [errors]``, for blocks ≥ ``first``.

    Position 0 is the previous block's end-of-block test trials scored against this block's
    statistics: no training trial runs in between, so they are the weights the block starts with."""
    curve: dict[int, list] = {}
    ends: dict[int, list] = {}
    for g, tr in enumerate(trials):
        if tr.test and tr.position == tr.stats.trials:
            ends.setdefault(tr.block, []).append(g)
    for g, tr in enumerate(trials):
        if tr.block < first:
            continue
        if tr.test:
            curve.setdefault(tr.position, []).append(_test_error(outputs[g], tr, s, dt))
        elif tr.position == 0 and tr.block - 1 in ends:
            curve.setdefault(0, []).extend(_test_error(outputs[e], tr, s, dt) for e in ends[tr.block - 1])
    return curve


def _sweep_metrics(result: PredictionResult) -> dict:
    s, dt = result.settings, time_step(result.config)
    amps, ends, curves, coss, pcas, seeds_run = [], [], [], [], [], []
    for run in result.runs:
        if run.sweep is None:
            continue
        trials, hook = run.sweep
        first = 1 if s.sweep_warmup_trials else 0          # block 0 is the warm-up
        sweep = [(g, tr) for g, tr in enumerate(trials) if tr.block >= first]
        outs = hook.outputs_[[g for g, _ in sweep]]
        amps.append(block_amplitudes([tr for _, tr in sweep], outs, s.sigma, dt, s.amplitude_from))
        ends.append(block_amplitudes([tr for _, tr in sweep], outs, s.sigma, dt, 1.0))
        seeds_run.append(run.seed)
        curves.append(_learning_curve(trials, hook.outputs_, first, s, dt))
        final = hook.weights()
        cos = [abs(float(np.dot(a[:-1], b[:-1]) / (np.linalg.norm(a[:-1]) * np.linalg.norm(b[:-1]) + 1e-300)))
               for a, b in zip(final["what"], final["when"])]
        coss.append(cos)
        kept = [(k, w) for k, w in hook.snapshots_ if k >= first]
        snaps = np.array([np.concatenate([w["what"][:, :-1].ravel(), w["when"][:, :-1].ravel()]) for _, w in kept])
        snap_p = np.array([trials[[t.block for t in trials].index(k)].stats.p_a for k, _ in kept])
        pcas.append(_pca(snaps, snap_p))
    if not amps:
        return {}
    main = _amplitude_figures(amps)
    for row, seed in zip(main["per_seed"], seeds_run):
        row["seed"] = seed
    end = _amplitude_figures(ends)
    positions = sorted(set.intersection(*[set(c) for c in curves]))
    curve = [float(np.mean([np.mean(c[q]) for c in curves])) for q in positions]
    features = result.runs[0].features - 1
    return {
        **main,
        "primary": "block_end",       # the target-bearing measure; the top-level r are amplitude_from's mean
        "amplitude_from": s.amplitude_from,
        "r_a_block_end_mean_over_seeds": end["r_a_mean_over_seeds"],       # also in block_end; flat for the
        "r_b_block_end_mean_over_seeds": end["r_b_mean_over_seeds"],       # HTML report's metrics table
        "block_end": {k: v for k, v in end.items() if k != "p_a"},
        "learning_curve": {"trial_in_block": positions, "test_error": curve,
                           "first": curve[0] if curve else None, "last": curve[-1] if curve else None},
        "cos_what_when": {"per_seed_per_channel": coss, "mean": float(np.mean(coss)),
                          "random_level": 1.0 / np.sqrt(features), "ratio_to_random":
                          float(np.mean(coss) * np.sqrt(features))},
        "pca": pcas,
        "amplitude": (f"mean output in [t_c − σ, t_c + σ) / mean event kernel there, on cue-only test "
                      f"trials; 'block_end' (the primary, target-bearing measure): a block's amplitude from its "
                      f"end-of-block test trials only; top level: the mean over its test points from "
                      f"{s.amplitude_from:g} of the block on (each point, i.e. the test trials after the same "
                      f"number of training trials, weighs equally)"),
    }


def _pca(x: np.ndarray, p: np.ndarray) -> dict:
    """PCA of readout-weight snapshots ``(conditions, weights)``: explained variance of 3 PCs, r(PC1, p)."""
    if len(x) < 2:
        return {}
    xc = x - x.mean(axis=0)
    u, sv, _ = np.linalg.svd(xc, full_matrices=False)
    var = sv ** 2 / max(float((sv ** 2).sum()), 1e-300)
    pc = u * sv
    return {"explained_variance": var[:3].tolist(), "pc1": pc[:, 0].tolist(),
            "pc2": pc[:, 1].tolist() if pc.shape[1] > 1 else [], "p_a": p.tolist(),
            "r_pc1_p": _pearson(pc[:, 0], p)}


def _switch_metrics(result: PredictionResult) -> dict:
    s, dt = result.settings, time_step(result.config)
    out: dict = {}
    methods = s.methods()
    for method in methods:
        series, recovered, offs, before = [], [], [], []
        for run in result.runs:
            if method not in run.switch:
                continue
            trials, hook = run.switch[method]
            train = [(g, tr) for g, tr in enumerate(trials) if not tr.test]
            amp = np.array([relative_amplitude(hook.outputs_[g], tr.stats.latencies, s.sigma, dt,
                                               anticipatory=True)[0] for g, tr in train])
            series.append(amp)
            first_post = next(i for i, (_, tr) in enumerate(train) if tr.block == s.switch_pre_blocks)
            old_stats, new_stats = train[first_post - 1][1].stats, train[first_post][1].stats
            k = s.recover_smooth
            level = float(amp[max(0, first_post - k):first_post].mean())      # the method's own plateau
            target = level * new_stats.p_a / old_stats.p_a if old_stats.p_a > 0 else new_stats.p_a
            step = abs(target - level) if new_stats.p_a != old_stats.p_a else abs(target)
            smooth = np.convolve(amp, np.ones(k) / k, mode="full")[:len(amp)]   # causal moving average
            post = smooth[first_post + k - 1:]
            hit = np.flatnonzero(np.abs(post - target) <= s.recover_tolerance * step) if step > 0 else []
            recovered.append(int(hit[0]) + k if len(hit) else None)
            end = amp[first_post:first_post + s.block_trials][-k:]
            offs.append(float(abs(end.mean() - target) / step) if step > 0 else None)
            before.append(level)
        if not series:
            continue
        rec = [r for r in recovered if r is not None]
        out[method] = {
            "trials_to_recover": recovered,
            "trials_to_recover_mean": float(np.mean(rec)) if len(rec) == len(recovered) else None,
            "off_after_block_fraction_of_step": offs,
            "off_after_block_mean": float(np.mean([o for o in offs if o is not None])) if any(
                o is not None for o in offs) else None,
            "amp_before_switch": before,
            "amp_a_mean_series": np.mean(series, axis=0).tolist(),
            "force_forgetting": s.force_forgetting if method.startswith("force") else 1.0,
            "rls_updates": int(sum(r.switch[method][1].rls_updates_ for r in result.runs if method in r.switch)),
        }
    out["definition"] = (f"anticipatory amplitude of A on training trials ([t_A − σ, t_A), relative), "
                         f"causal mean over {s.recover_smooth} trials; the new level is the method's own "
                         f"plateau before the switch (mean of its last {s.recover_smooth} trials) × p_new/p_old "
                         f"(p_new itself if p_old = 0); the step is |new level − plateau| (the new level "
                         f"itself when only latencies switch); recovered when within {s.recover_tolerance} "
                         f"of the step from the new level; 'off' = |mean of the last {s.recover_smooth} "
                         f"trials of the first post-switch block − new level| / step")
    out["switch"] = {"kind": s.switch_kind, "from": s.switch_from, "to": s.switch_to}
    return out
