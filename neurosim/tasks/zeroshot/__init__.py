"""Task ``zeroshot``: vision ↔ audio retrieval of classes never trained on (Lin et al. 2025, Fig. 5).

One reservoir per modality on the same chip instance (vision: ``vision_n_bins`` steps,
threshold/decay of ``[zeroshot]``; audio likewise), each dataset simulated **once**; its
spike counts are the features of every training seed. Per modality the samples of the
**seen** classes are split into train / validation / test, and the **unseen** classes
give test pools only (:func:`split_modality`). For each of ``seeds`` training seeds a
projection per modality (:mod:`neurosim.learning.contrastive`) is trained on class-paired
training samples of the seen classes with the symmetric InfoNCE loss, and after every
epoch evaluated by top-1 cross-modal retrieval (:mod:`neurosim.learning.retrieval`) in both
directions (audio searches image, image searches audio) on:

* the validation split of the seen classes → the **honest** checkpoint (best mean of both
  directions; no unseen sample and no test sample is ever looked at);
* the seen and unseen test pools → the figures reported, and the **paper's rule**
  (clearly labelled, not honest): per direction, the epoch with the best seen *test*
  accuracy among those whose seen and unseen *test* accuracies pass the thresholds of the
  source code (audio→image 65 % / 85 %, image→audio 70 % / 60 %); a seed where no epoch
  passes falls back to its epoch of best unseen test accuracy (counted in the report).

A prototypical-network baseline (:mod:`neurosim.learning.prototypes`) is trained and
selected the same honest way on the same features. Accuracies over seeds come with a
95 % Student-t interval and a one-sided t-test against chance (:mod:`neurosim.stats`).
The projection runs as digital MACs or on the chip's crossbar (``hardware``), its energy
counted on the one accounting path (:mod:`neurosim.tasks.zeroshot.energy`); training cost is
counted as MACs for the projections vs BPTT of a recurrent SNN encoder of the same size
(:func:`training_cost`).
"""

from __future__ import annotations

import numpy as np

from neurosim import seeds
from neurosim.config import Config
from neurosim.energy import EnergyEstimate
from neurosim.errors import DataError
from neurosim.learning.crossmodal import TrainSpec
from neurosim.tasks.registry import Headline, RunContext, Task, register_task
from neurosim.tasks.zeroshot.data import (ModalityData, Split, _check_available, _run_modality, _standardised,
                                          split_modality)
from neurosim.tasks.zeroshot.energy import _crossbar_pre1, _query_energy, training_cost
from neurosim.tasks.zeroshot.metrics import DIRECTIONS, _pools, _retrieve, _train_centres
from neurosim.tasks.zeroshot.report import (ZeroshotResult, _figures, zeroshot_figures, zeroshot_report,
                                            zeroshot_summary)
from neurosim.tasks.zeroshot.settings import ZeroshotSettings, _seen_unseen_settings, modality_config, parse_classes
from neurosim.tasks.zeroshot.training import SeedOutcome, train_and_select

__all__ = ["DIRECTIONS", "ModalityData", "Split", "Zeroshot", "ZeroshotResult", "ZeroshotSettings",
           "modality_config", "parse_classes", "split_modality", "train_and_select",
           "training_cost"]


@register_task
class Zeroshot(Task):
    """Zero-shot cross-modal retrieval (see the module docstring)."""

    name = "zeroshot"
    description = ("vision ↔ audio retrieval of unseen classes through contrastive projections of two "
                   "reservoirs' spike counts, honest vs the paper's model selection")
    Settings = ZeroshotSettings
    required_keys = ("zeroshot.results.clip.honest",)
    headline = (Headline("zeroshot.unseen_audio_to_image.honest_mean", "unseen audio→image retrieval", "%"),
                Headline("zeroshot.unseen_image_to_audio.honest_mean", "unseen image→audio retrieval", "%"))

    def run(self, config: Config, context: RunContext) -> ZeroshotResult:
        settings: ZeroshotSettings = self.settings(config)
        seen, unseen = _seen_unseen_settings(settings)
        for which in ("vision", "audio"):      # both present before any simulation
            _check_available(config, settings, which, context)
        runs = {w: _run_modality(config, settings, w, context) for w in ("vision", "audio")}
        data = {}
        for which, (run, cfg) in runs.items():
            missing = sorted(set(seen + unseen) - set(np.unique(run.labels).tolist()))
            if missing:
                raise DataError(f"{run.name}: class(es) {missing} have no sample among the {len(run)} read; "
                                "raise --samples (0 = all) or change zeroshot.seen_classes/unseen_classes")
            split = split_modality(run.labels, run.is_test, seen, unseen, settings, config.run.test_fraction,
                                   seeds.rng(config.run.seed, "zeroshot", "split", which), run.name, run.groups)
            data[which] = _standardised(run, cfg, split, settings.std_floor)
        a, b = data["vision"], data["audio"]
        n_pairs = len(a.split.train)
        base = dict(kind=settings.projection, dim=settings.dim, hidden=settings.hidden,
                    temperature=settings.temperature, batch=settings.batch, epochs=settings.epochs,
                    lr=settings.lr, optimizer=settings.optimizer, positives=settings.positives,
                    normalize=settings.normalize, shots=settings.proto_shots, queries=settings.proto_queries)
        methods = {"clip": TrainSpec(method="clip", **base)}
        if settings.proto_baseline:
            methods["proto"] = TrainSpec(method="proto", **base)
        outcomes: dict[str, list[SeedOutcome]] = {}
        for method, spec in methods.items():
            outcomes[method] = []
            for k in range(settings.seeds):
                context.progress.note(f"zeroshot: {method} seed {k + 1}/{settings.seeds}")
                outcomes[method].append(train_and_select(
                    a, b, settings, spec, seeds.rng(config.run.seed, "zeroshot", "train", method, k), seen,
                    context.progress, f"  {method} seed {k + 1}"))
        first = outcomes["clip"][0]
        pa, pb = first.snapshots[first.selected["honest"]["audio_to_image"]]
        crossbar = adc_ranges = None
        macros = {"a": None, "b": None}     # the last split's macros price the queries
        if settings.hardware == "crossbar":
            crossbar = {}
            pools = {k: _pools(a, b, k) for k in ("seen", "unseen")}
            for split in ("seen", "unseen"):
                attr = {"seen": "test", "unseen": "unseen"}[split]
                pre_a, macros["a"] = _crossbar_pre1(a, pa, getattr(a.split, attr), config, settings,
                                                    config.run.seed, "vision")
                pre_b, macros["b"] = _crossbar_pre1(b, pb, getattr(b.split, attr), config, settings,
                                                    config.run.seed, "audio")
                adc_ranges = {"vision": macros["a"].config.crossbar.adc_range,
                              "audio": macros["b"].config.crossbar.adc_range}
                centres = _train_centres(pa, pb, _pools(a, b, "train")) if settings.centre == "train" else None
                crossbar[split] = {d: r.accuracy for d, r in
                                   _retrieve(pa, pb, pools[split], settings, centres,
                                             {"a": pre_a, "b": pre_b}).items()}
        qv = _query_energy(a, settings, pa, macros["a"])
        qa = _query_energy(b, settings, pb, macros["b"])
        both = EnergyEstimate.combine([qv.total, qa.total], parallel=True)    # the two reservoirs side by side
        return ZeroshotResult(config=config, settings=settings, seen=seen, unseen=unseen, vision=a, audio=b,
                              n_pairs=n_pairs, outcomes=outcomes, energy=both, energy_vision=qv.total,
                              energy_audio=qa.total, crossbar=crossbar, crossbar_adc_range=adc_ranges,
                              projection={"vision": qv, "audio": qa},
                              cost=training_cost(a, b, settings, n_pairs),
                              figures=_figures(a, b, settings, first, pa, pb))

    def report(self, result: ZeroshotResult) -> dict:
        return zeroshot_report(result)

    def figures(self, result: ZeroshotResult) -> dict:
        return zeroshot_figures(result)

    def summary(self, report: dict) -> list[tuple[str, str]]:
        return zeroshot_summary(report)
