"""What a zero-shot run measured and how it is shown: the result, its accuracies summarised over
seeds (mean, 95 % interval, t-test against chance), the report JSON, the HTML figures and the CLI
summary."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurosim import seeds
from neurosim.config import Config
from neurosim.energy import EnergyEstimate
from neurosim.learning.contrastive import Projection
from neurosim.report import format_percent, format_quantity
from neurosim.stats import mean_interval, t_test_vs_chance
from neurosim.tasks.report_parts import energy_sections, energy_summary
from neurosim.tasks.zeroshot.data import ModalityData
from neurosim.tasks.zeroshot.metrics import DIRECTIONS, FEW_HUBS, bootstrap_vs_chance, hubness
from neurosim.tasks.zeroshot.settings import ZeroshotSettings
from neurosim.tasks.zeroshot.training import SeedOutcome

__all__ = ["ZeroshotResult", "zeroshot_figures", "zeroshot_report", "zeroshot_summary"]


@dataclass(frozen=True)
class ZeroshotResult:
    """Everything a zero-shot run measured (see :meth:`Zeroshot.report`)."""

    config: Config
    settings: ZeroshotSettings
    seen: tuple[int, ...]
    unseen: tuple[int, ...]
    vision: ModalityData
    audio: ModalityData
    n_pairs: int
    outcomes: dict              # method → list of SeedOutcome (one per seed)
    energy: EnergyEstimate      # one vision + one audio sample embedded
    energy_vision: EnergyEstimate
    energy_audio: EnergyEstimate
    crossbar: dict | None       # hardware = crossbar: retrieval of seed 0's honest checkpoint on the chip
    cost: dict
    figures: dict
    crossbar_adc_range: dict | None = None  # hardware = crossbar: each macro's crossbar.adc_range
    projection: dict | None = None  # modality → its QueryEnergy (the projection's share and crossbar part)


def _stats(values: list[float], chance: float) -> dict:
    v = np.asarray(values, dtype=np.float64)
    interval = mean_interval(v)
    return {"mean": float(v.mean()), "std": float(v.std(ddof=1)) if v.size > 1 else 0.0,
            "ci95": [max(0.0, interval.low), min(1.0, interval.high)], "chance": chance,
            "p_vs_chance": t_test_vs_chance(v, chance), "per_seed": [float(x) for x in v]}


def _summarise(outcomes: list[SeedOutcome]) -> dict:
    out = {}
    for protocol in outcomes[0].results:
        out[protocol] = {}
        for split in ("seen", "unseen"):
            out[protocol][split] = {}
            for d in DIRECTIONS:
                rs = [o.results[protocol][split][d] for o in outcomes]
                s = _stats([r.accuracy for r in rs], rs[0].chance)
                s["epochs"] = [o.selected[protocol][d] for o in outcomes]
                s["queries"] = rs[0].total
                out[protocol][split][d] = s
        if protocol == "paper_rule":
            out[protocol]["seeds_passing_thresholds"] = {d: int(sum(o.paper_qualified[d] for o in outcomes))
                                                         for d in DIRECTIONS}
    return out


def _honest_resampling(outcomes: list[SeedOutcome], replicates: int, seed: int, method: str) -> dict:
    """split → direction → ``hubness`` and ``bootstrap`` of the honest checkpoints (see :func:`zeroshot_report`)."""
    out: dict = {}
    for split in ("seen", "unseen"):
        out[split] = {}
        for d in DIRECTIONS:
            scores = [o.honest_scores[split][d] for o in outcomes]
            per_seed = [hubness(s) for s in scores]
            mean = {k: float(np.mean([h[k] for h in per_seed])) for k in ("top1_share", "top5_share", "distinct")}
            cell = {"hubness": {**mean, "max_top1_share": max(h["top1_share"] for h in per_seed),
                                "candidates": per_seed[0]["candidates"], "queries": per_seed[0]["queries"],
                                "rests_on_few_hubs": bool(mean["top5_share"] >= 0.5), "per_seed": per_seed}}
            if replicates:
                cell["bootstrap"] = bootstrap_vs_chance(
                    scores, replicates, seeds.rng(seed, "zeroshot", "bootstrap", method, split, d))
            out[split][d] = cell
    return out


def zeroshot_report(result: ZeroshotResult) -> dict:
    """The task's part of the report JSON (see :meth:`neurosim.tasks.registry.Task.report`).

    Every honest cell also carries ``hubness`` (per seed and mean: :func:`hubness`; ``rests_on_few_hubs``
    when the :data:`FEW_HUBS` most-retrieved candidates win half of the queries on average over seeds)
    and, with ``zeroshot.bootstrap`` > 0, ``bootstrap`` (:func:`bootstrap_vs_chance` over seeds, queries
    and candidates; stream ``("zeroshot", "bootstrap", method, split, direction)`` of the run seed).
    """
    a, b = result.vision, result.audio
    results = {m: _summarise(o) for m, o in result.outcomes.items()}
    for method, outcomes in result.outcomes.items():
        extra = _honest_resampling(outcomes, result.settings.bootstrap, result.config.run.seed, method)
        for split, cells in extra.items():
            for d, cell in cells.items():
                results[method]["honest"][split][d].update(cell)
    sizes = {w: {"train": len(d.split.train), "val": len(d.split.val), "test_seen": len(d.split.test),
                 "test_unseen": len(d.split.unseen), "neurons": int(d.run.counts.shape[1]),
                 "n_bins": d.run.n_bins, "mean_spikes_per_sample": float(d.run.counts.sum(axis=1).mean())}
             for w, d in (("vision", a), ("audio", b))}
    headline = {}
    for split in ("seen", "unseen"):
        for d in DIRECTIONS:
            h = results["clip"]["honest"][split][d]
            p = results["clip"]["paper_rule"][split][d]
            headline[f"{split}_{d}"] = {"honest_mean": h["mean"], "honest_std": h["std"],
                                        "honest_p_vs_chance": h["p_vs_chance"],
                                        "honest_above_chance": bool(h["p_vs_chance"] < 0.05
                                                                    and len(h["per_seed"]) > 1),
                                        **({"honest_bootstrap_p": h["bootstrap"]["p_vs_chance"]}
                                           if "bootstrap" in h else {}),
                                        "honest_rests_on_few_hubs": h["hubness"]["rests_on_few_hubs"],
                                        "paper_rule_mean": p["mean"], "chance": h["chance"],
                                        **({"prototypical_mean": results["proto"]["honest"][split][d]["mean"]}
                                           if "proto" in results else {})}
    return {
        "dataset": {"name": f"{a.run.name}+{b.run.name}", "n_train": result.n_pairs,
                    "n_test": int(len(a.split.test) + len(a.split.unseen) + len(b.split.test)
                                  + len(b.split.unseen)),
                    "skipped_corrupt": len(a.run.skipped) + len(b.run.skipped),
                    "skipped": [*a.run.skipped, *b.run.skipped]},
        "engine": a.run.engine,
        **energy_sections(result.energy),
        "zeroshot": {
            **headline,
            "classes": {"seen": list(result.seen), "unseen": list(result.unseen)},
            "seeds": result.settings.seeds,
            "samples": sizes,
            "validation_groups": {"vision": list(a.split.val_groups), "audio": list(b.split.val_groups)},
            "results": results,
            "hardware": {"projection": result.settings.hardware,
                         **({"crossbar_seed0_honest": result.crossbar,
                             "crossbar_adc_range": result.crossbar_adc_range} if result.crossbar else {})},
            "energy_per_query_J": {"vision": result.energy_vision.per_inference_J,
                                   "audio": result.energy_audio.per_inference_J,
                                   "projection_vision": _projection_J(result, "vision"),
                                   "projection_audio": _projection_J(result, "audio")},
            "training_cost": result.cost,
            "per_epoch": {"clip_seed0": result.outcomes["clip"][0].history},
        },
    }


def _projection_J(result: ZeroshotResult, which: str) -> float:
    """The projection's share (J) of one ``which`` query's energy (its digital MACs, or its crossbar
    reads plus a digital second layer)."""
    if result.projection is not None:
        return result.projection[which].projection_J
    return getattr(result, f"energy_{which}").breakdown_J["readout"]


def zeroshot_figures(result: ZeroshotResult) -> dict:
    """The HTML report's panels: retrieval bars against chance, then the run's own figures."""
    names, values, errors, chance = [], [], [], []
    for method, outcomes in result.outcomes.items():
        summary = _summarise(outcomes)
        for protocol in (("honest", "paper_rule") if method == "clip" else ("honest",)):
            for split in ("seen", "unseen"):
                for d in DIRECTIONS:
                    s = summary[protocol][split][d]
                    arrow = "a→i" if d == "audio_to_image" else "i→a"
                    names.append(f"{method} {protocol.replace('_', ' ')} {split} {arrow}")
                    values.append(s["mean"])
                    errors.append(s["std"])
                    chance.append(s["chance"])
    bars = {"kind": "bars", "title": "Top-1 retrieval vs chance (mean ± std over seeds)", "names": names,
            "values": values, "errors": errors, "chance": chance, "ylabel": "top-1 accuracy",
            "caption": "Black lines: chance. 'paper rule' selects checkpoints on the test pools "
                       "(the source code's rule) and is not an honest estimate."}
    return {"panels": [bars, *result.figures["panels"]]}


def zeroshot_summary(report: dict) -> list[tuple[str, str]]:
    """The task's lines of the CLI summary."""
    z = report["zeroshot"]
    n = {w: z["samples"][w] for w in ("vision", "audio")}
    rows = [("top-1 retrieval", "per line: the fraction of queries of one modality whose nearest embedding in "
             "the other is of the query's class, on test samples of the seen classes (vision "
             f"{n['vision']['test_seen']}, audio {n['audio']['test_seen']}) or of the unseen ones (vision "
             f"{n['vision']['test_unseen']}, audio {n['audio']['test_unseen']}); mean ± sd over seeds, 95 % "
             "t-interval, one-sided t-test against chance; checkpoint chosen on the validation split ('paper's "
             "rule': on the test pools, not an honest estimate)")]
    for split in ("seen", "unseen"):
        for d in DIRECTIONS:
            h = z["results"]["clip"]["honest"][split][d]
            p = z["results"]["clip"]["paper_rule"][split][d]
            arrow = "audio→image" if d == "audio_to_image" else "image→audio"
            proto = z["results"].get("proto", {}).get("honest", {}).get(split, {}).get(d)
            if len(h["per_seed"]) > 1:
                spread = (f"{format_percent(h['mean'], 1)} ± {format_percent(h['std'], 1)} over "
                          f"{len(h['per_seed'])} seeds (95 % CI {format_percent(h['ci95'][0], 1)}–"
                          f"{format_percent(h['ci95'][1], 1)}; chance {format_percent(h['chance'], 1)}, "
                          f"p = {h['p_vs_chance']:.3g}: "
                          f"{'above' if z[f'{split}_{d}']['honest_above_chance'] else 'NOT above'} chance "
                          f"at p < 0.05)")
            else:
                spread = (f"{format_percent(h['mean'], 1)}, 1 seed (chance {format_percent(h['chance'], 1)}; "
                          f"no test against chance across seeds: set zeroshot.seeds ≥ 2)")
            boot = (f"; bootstrap over seeds, queries and candidates p = {h['bootstrap']['p_vs_chance']:.3g}"
                    if "bootstrap" in h else "")
            hubs = h["hubness"]
            hub = (f"; hubness: the top candidate wins {format_percent(hubs['top1_share'], 1)} of queries, "
                   f"{hubs['distinct']:.0f} of {hubs['candidates']} candidates ever retrieved"
                   + (f" (rests on a few hubs: {FEW_HUBS} candidates win {format_percent(hubs['top5_share'], 0)})"
                      if hubs["rests_on_few_hubs"] else ""))
            rows.append((f"{split} {arrow}", f"{spread}{boot}{hub}; paper's rule {format_percent(p['mean'], 1)}"
                         + (f"; prototypical {format_percent(proto['mean'], 1)}" if proto else "")))
    cost = z["training_cost"]
    rows.append(("training cost", f"{cost['lsm_clip_macs']:.3g} MACs (LSM + projections) vs "
                                  f"{cost['bptt_srnn_clip_macs']:.3g} (BPTT SRNN-CLIP), "
                                  f"{cost['bptt_over_lsm']:.1f}× less: multiply-accumulates of one seed's "
                                  "training, against training the same recurrent network end to end by "
                                  "backpropagation through time"))
    e = z["energy_per_query_J"]
    rows.append(("projection / query", f"vision {format_quantity(e['projection_vision'], 'J')}, audio "
                                       f"{format_quantity(e['projection_audio'], 'J')} "
                                       f"({z['hardware']['projection']}): energy of projecting one query's "
                                       "spike counts into the shared space"))
    chip = z["hardware"].get("crossbar_seed0_honest")
    if chip:
        digital = {split: {d: z["results"]["clip"]["honest"][split][d]["per_seed"][0] for d in DIRECTIONS}
                   for split in ("seen", "unseen")}
        ranges = z["hardware"]["crossbar_adc_range"]
        for split in ("seen", "unseen"):
            rows.append((f"{split} on the crossbar",
                         "seed 0: " + ", ".join(
                             f"{'a→i' if d == 'audio_to_image' else 'i→a'} {format_percent(chip[split][d], 1)} "
                             f"(digital {format_percent(digital[split][d], 1)})" for d in DIRECTIONS)
                         + f"; ADC range {ranges['vision']:.3g} (vision), {ranges['audio']:.3g} (audio)"))
    return rows + energy_summary(report)


def _figures(a: ModalityData, b: ModalityData, settings: ZeroshotSettings, first: SeedOutcome,
             pa: Projection, pb: Projection) -> dict:
    """Arrays for the HTML report: retrieval matrices, the cross-modal class similarity, curves."""
    panels = []
    for split in ("seen", "unseen"):
        r = first.results["honest"][split]["audio_to_image"]
        panels.append({"kind": "heatmap", "title": f"Audio searches image, {split} classes (seed 0, honest)",
                       "matrix": r.confusion, "xticks": [str(c) for c in r.classes],
                       "yticks": [str(c) for c in r.classes], "xlabel": "retrieved image class",
                       "ylabel": "query audio class", "cbar": "queries",
                       "caption": f"Top-1 retrieval: {r.correct}/{r.total} correct, chance {r.chance:.1%}."})
    # class-mean cosine similarity between modalities on the test pools
    idx_a = np.concatenate([a.split.test, a.split.unseen])
    idx_b = np.concatenate([b.split.test, b.split.unseen])
    za, zb = pa(a.x(idx_a)), pb(b.x(idx_b))
    za /= np.linalg.norm(za, axis=1, keepdims=True) + 1e-12
    zb /= np.linalg.norm(zb, axis=1, keepdims=True) + 1e-12
    cls = sorted(set(a.labels[idx_a].tolist()))
    ma = np.stack([za[a.labels[idx_a] == c].mean(axis=0) for c in cls])
    mb = np.stack([zb[b.labels[idx_b] == c].mean(axis=0) for c in cls])
    panels.append({"kind": "heatmap", "title": "Mean cosine similarity, audio class vs image class",
                   "matrix": mb @ ma.T, "xticks": [str(c) for c in cls], "yticks": [str(c) for c in cls],
                   "xlabel": "image class", "ylabel": "audio class", "cbar": "similarity",
                   "caption": "Test samples embedded by seed 0's honest checkpoint; a bright diagonal means "
                              "classes align across modalities."})
    hist = first.history
    epochs = [h["epoch"] for h in hist]
    series = {f"{k} {d.replace('_to_', '→')}":
              [h[k][d] for h in hist] for k in ("val", "seen", "unseen") for d in DIRECTIONS}
    panels.append({"kind": "curves", "title": "Retrieval accuracy per epoch (seed 0)", "x": epochs,
                   "series": series, "xlabel": "epoch", "ylabel": "top-1 accuracy",
                   "caption": "val = validation split of the seen classes (honest selection); seen/unseen = "
                              "test pools. The paper's rule picks from the test curves."})
    return {"panels": panels}
