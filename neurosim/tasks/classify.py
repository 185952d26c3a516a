"""Task ``classify``: event data → LSM on the chip → spikes in time windows → linear readout.

Returns accuracy next to the chip's energy and latency per inference, computed from
the operations the simulation actually performed. Accuracy is measured twice: on the
single train/test split (the dataset's official one, else a stratified random one), and
by stratified k-fold cross-validation over all samples (``classify.folds``) with a 95 %
interval. With ``classify.baselines`` the same folds and readout classify three feature
sets that never went through the reservoir (per-pixel counts, the flattened input raster —
its bins summed into fewer time windows where it would be wider than the reservoir's features,
so that memory stays bounded — and windowed input counts), and the report says whether the
reservoir beats the strongest of them. Two controls join them on the same folds
(:mod:`neurosim.learning.controls`): a rectified random projection of the windowed input to the
reservoir's width (with ``classify.baselines``) and the same network without recurrence
(``classify.feedforward``), and the report says whether the reservoir beats the strongest of all of
them. ``classify.repeats`` ≥ 2 repeats the CV over fresh fold partitions for a corrected resampled t
interval (Nadeau & Bengio 2003), the headline interval; every feature set is also scored on the
held-out test split (McNemar against the reservoir on those samples). ``classify.learning_curve``
adds accuracy against training-set size. ``classify.nested`` declares a grid of network settings
(:mod:`neurosim.tasks.classify_nested`) for nested CV: inner folds choose, outer folds report
(:mod:`neurosim.learning.nested`), with the setting chosen per outer fold.
These evaluation keys are the task's own section ``[classify]`` (:class:`ClassifySettings`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neurosim import seeds
from neurosim.config import Config, param
from neurosim.energy import (AreaEstimate, EnergyEstimate, Tally, estimate_area,
                             estimate_energy)
from neurosim.errors import DataError
from neurosim.learning import linear_readout
from neurosim.learning.controls import FEEDFORWARD, RANDOM_FEATURES, feedforward_network, random_features
from neurosim.learning.evaluate import (CVResult, RepeatedCV, cross_validate, fold_count, held_out_correct,
                                        learning_curve, repeated_cv, stratified_folds)
from neurosim.learning.nested import NestedCV, nested_cv
from neurosim.learning.readout import chosen_regularisation
from neurosim.networks.lsm import LSM
from neurosim.stats import corrected_resampled_p, mcnemar_p, wilson_interval
from neurosim.progress import Progress
from neurosim.report import format_interval, format_percent
from neurosim.tasks.classify_nested import collector, grid_features, main_readouts, parse_grid
from neurosim.tasks.memory import check_fits
from neurosim.tasks.pipeline import DatasetRun, Pipeline
from neurosim.tasks.report_parts import energy_sections, energy_summary
from neurosim.tasks.registry import Headline, RunContext, Task, register_task

__all__ = ["Classify", "ClassifyResult", "ClassifySettings", "check_splittable", "run_classify", "split_indices"]


@dataclass(frozen=True)
class ClassifyResult:
    """Everything a classify run measured (arrays are per sample or per neuron)."""

    config: Config
    engine: str
    dataset: str
    n_train: int
    n_test: int
    accuracy_train: float
    accuracy_test: float
    energy: EnergyEstimate
    counts: Tally
    mean_spike_counts: np.ndarray   # (neurons,) spikes per sample, averaged over samples
    confusion: np.ndarray           # (classes, classes) on the test split, rows = true class
    mean_duration_s: float          # mean span of a sample's events (s)
    skipped: tuple[str, ...] = ()   # corrupt samples left out ("path: reason"), run.skip_corrupt
    area: AreaEstimate | None = None  # silicon area of the arrays and neurons (m²)
    regularisation: dict | None = None  # penalty the split's readout chose ({"alpha"} or {"C"})
    cv: CVResult | None = None        # k-fold CV of the reservoir features (None: classify.folds = 0)
    baselines: dict | None = None     # name -> CVResult of each no-reservoir feature set, same folds
    learning_curve: dict | None = None  # name -> [{"fraction", "n_train", "value", "low", "high"}]
    n_features: int = 0               # features per sample the readout sees
    cv_groups: str = ""               # what CV folds keep together (e.g. "speaker"), "" = samples
    baseline_shapes: dict | None = None  # name -> {"features_per_sample", …} of each baseline (see _shapes)
    controls: dict | None = None      # name -> CVResult of the random-feature and feed-forward controls
    repeated: dict | None = None      # name -> RepeatedCV of every feature set (classify.repeats ≥ 2)
    held_out: dict | None = None      # every feature set scored on the test split (see _held_out)
    nested: NestedCV | None = None    # nested CV over the classify.nested grid (None: no grid)


def split_indices(data: DatasetRun, config: Config) -> tuple[np.ndarray, np.ndarray]:
    """Train and test sample indices: the dataset's official split if it has one
    with both parts present, else a stratified random split (``run.test_fraction``).

    Refuses (:class:`DataError`) a split that cannot be learnt: fewer than 2 classes to
    train on, or (official split) a test class that is never trained.
    """
    idx = np.arange(len(data.labels))
    advice = _advice(config, len(idx))
    if data.is_test is not None and data.is_test.any() and (~data.is_test).any():
        train, test = idx[~data.is_test], idx[data.is_test]
        trained = np.unique(data.labels[train])
        untrained = sorted(set(np.unique(data.labels[test]).tolist()) - set(trained.tolist()))
        if len(trained) < 2 or untrained:
            missing = f"; test classes never trained: {untrained}" if untrained else ""
            raise DataError(f"{data.name}: the official split gives {len(train)} train / {len(test)} test "
                            f"samples of {len(trained)} trained classes{missing} (need ≥ 2 classes to train "
                            f"on and every test class trained); {advice}")
        return train, test
    check_splittable(data.labels, False, data.name, config)
    per_class = np.unique(data.labels, return_counts=True)[1]
    stratify = data.labels if per_class.min() * config.run.test_fraction >= 1 else None
    from sklearn.model_selection import train_test_split  # where used: see neurosim/learning/readout.py

    train, test = train_test_split(idx, test_size=config.run.test_fraction, stratify=stratify,
                                   random_state=seeds.int_seed(config.run.seed, "split"))
    return np.sort(train), np.sort(test)


def _confusion(labels: np.ndarray, predicted: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Counts int ``(classes, classes)``: row = true class, column = predicted, in ``classes`` order."""
    from sklearn.metrics import confusion_matrix

    return confusion_matrix(labels, predicted, labels=classes)


def _advice(config: Config, n: int) -> str:
    return (f"raise --samples (run.samples = {config.run.samples}; e.g. --samples 100, or 0 for all)"
            if config.run.samples else f"the data holds only {n} usable samples: add data")


def check_splittable(labels: np.ndarray, official: bool, name: str, config: Config) -> None:
    """Refuse (:class:`DataError`) samples whose labels cannot give a learnable split: fewer than
    2 classes, or (random split) a class with fewer than 2 samples. Called on the planned
    labels before any simulation, and again on the samples that were read."""
    classes, per_class = np.unique(labels, return_counts=True)
    if len(classes) < 2 or (not official and per_class.min() < 2):
        need = "≥ 2 classes" if official else "≥ 2 samples of each of ≥ 2 classes"
        raise DataError(f"{name}: {len(labels)} samples are too few to split into train and test (need "
                        f"{need}); {_advice(config, len(labels))}")


@dataclass(frozen=True)
class ClassifySettings:
    """[classify]: how the classify task evaluates its readout beyond the single train/test split."""

    folds: int = param(5, "Stratified k-fold cross-validation over all samples for the reported accuracy "
                       "and its interval (besides the single train/test split); 0 = off", "", 0, 100)
    baselines: bool = param(True, "Also classify without the reservoir, with the same folds and readout: "
                            "per-pixel event counts, the input raster (its bins summed into fewer time "
                            "windows where it would be wider than the reservoir's features) and input "
                            "spikes in the same time windows; and the random-feature control: those windowed "
                            "inputs projected by a seeded Gaussian matrix to the reservoir's width, rectified")
    learning_curve: bool = param(True, "Accuracy against training-set size (1/8, 1/4, 1/2, all of each "
                                 "training fold), for the reservoir and the strongest baseline")
    feedforward: bool = param(True, "Also classify the feed-forward spiking control: the same network with its "
                              "recurrent weights zeroed (input weights, neurons, chip unchanged), run on the same "
                              "engine, same readout and folds (a second pass of the data through the engine)")
    repeats: int = param(3, "Fold partitions of the cross-validation (each freshly shuffled, every feature set on "
                         "the same ones); ≥ 2: the headline interval is the corrected resampled t interval "
                         "(Nadeau & Bengio 2003) over all repeats × folds splits; 1 = one partition, Wilson "
                         "interval only", "", 1, 100)
    nested: str = param("", "Nested cross-validation over a declared grid of settings, e.g. "
                        "\"network.neurons=500,2000; readout.windows=1,5\" (every combination is a candidate; "
                        "keys network.* or readout.windows/feature/trace_decay): on each outer fold of the CV "
                        "(the first partition) 3 inner folds of its training samples choose the setting, which "
                        "is then fitted on the whole training fold and scored on the outer test fold; the report "
                        "gives that accuracy and the setting chosen per outer fold. One more engine pass per "
                        "network setting other than this config's; '' = off")

    def check(self, config: Config) -> None:
        parse_grid(self.nested)


@register_task
class Classify(Task):
    """Spike counts of the reservoir on the chip, classified by a linear readout (``[readout]``)."""

    name = "classify"
    description = "accuracy of a linear readout on the reservoir's spike counts, with energy per inference"
    required_keys = ("accuracy.test",)
    Settings = ClassifySettings
    # CV over all samples first: a test split of a few dozen samples swings by several points
    headline = (Headline("accuracy.cv.value", "CV accuracy", "%", required=False),
                Headline("accuracy.test", "test accuracy", "%", count="dataset.n_test"))

    def run(self, config: Config, context: RunContext) -> ClassifyResult:
        pipe = Pipeline(config, context.engine, context.data_dir, context.progress)
        if config.run.samples:  # a count that cannot be split is refused before any work (with all
            # samples, the files are read first, so that a corrupt one is named before the count)
            check_splittable(*pipe.planned_labels(), config.run.dataset, config)
        settings = self.settings(config)
        grid = parse_grid(settings.nested) if settings.folds >= 2 else []
        gathered: list[list[np.ndarray]] = []   # the main run's features at the grid's settings
        data = pipe.run_dataset(baselines=settings.baselines and settings.folds >= 2,
                                on_chunk=collector(main_readouts(grid, config), gathered) if grid else None)
        features = data.features
        train, test = split_indices(data, config)
        seed = seeds.int_seed(config.run.seed, "readout")
        readout = linear_readout(config.readout, seed, data.labels[train])
        context.progress.note(f"readout ({config.readout.model}) on {features.shape[1]:,} features per sample")
        readout.fit(features[train], data.labels[train])
        classes = np.unique(data.labels)
        predicted = readout.predict(features[test])
        counts = data.operations_with_readout(len(classes))
        programmed = data.network.programmed
        energy = estimate_energy(config, counts, programmed, n_inputs=data.input_counts.shape[1],
                                 n_classes=len(classes), steps=data.n_bins,
                                 sample_s=float(data.durations_s.mean()))
        return ClassifyResult(
            config=config, engine=data.engine, dataset=data.name, n_train=len(train), n_test=len(test),
            accuracy_train=float(readout.score(features[train], data.labels[train])),
            accuracy_test=float(np.mean(predicted == data.labels[test])),
            energy=energy, counts=counts, mean_spike_counts=data.counts.mean(axis=0),
            confusion=_confusion(data.labels[test], predicted, classes),
            mean_duration_s=float(data.durations_s.mean()), skipped=data.skipped,
            area=estimate_area(config, programmed.tiling), regularisation=chosen_regularisation(readout),
            n_features=features.shape[1],
            **_cross_validated(data, config, seed, context, pipe, (train, test, predicted == data.labels[test]),
                               (grid, gathered)))

    def report(self, result: ClassifyResult) -> dict:
        e = result.energy
        spikes = result.mean_spike_counts
        n = result.counts
        return {
            "dataset": {"name": result.dataset, "n_train": result.n_train, "n_test": result.n_test,
                        "skipped_corrupt": len(result.skipped), "skipped": list(result.skipped)},
            "engine": result.engine,
            "accuracy": {"test": result.accuracy_test, "train": result.accuracy_train,
                         **({"cv": {**result.cv.as_dict(), "grouped_by": result.cv_groups or "sample"}}
                            if result.cv is not None else {}),
                         **({"repeated_cv": result.repeated[FEATURES].as_dict()}
                            if result.repeated and FEATURES in result.repeated else {})},
            "readout": {"model": result.config.readout.model, "feature": result.config.readout.feature,
                        "windows": result.config.readout.windows, "features_per_sample": result.n_features,
                        "regularisation": result.regularisation},
            **_comparison_sections(result),
            **({"nested": {**result.nested.as_dict(), "cv_same_outer_folds": result.cv.accuracy.value}}
               if result.nested is not None and result.cv is not None else {}),
            **energy_sections(e),
            "activity": {
                "spikes_per_sample": float(spikes.sum()),
                "mean_rate_hz": (float(spikes.mean() / result.mean_duration_s)
                                 if result.mean_duration_s else 0.0),
                "silent_fraction": float(np.mean(spikes == 0)),
                "input_spikes_per_sample": float(n.row_activations_per_row[:-len(spikes)].sum() / n.samples),
            },
            "operations_per_inference": {k: v / n.samples for k, v in n.as_dict().items()
                                         if k != "samples"},
            **({"area": {"total_m2": result.area.total_m2, "breakdown_m2": result.area.breakdown_m2}}
               if result.area is not None else {}),
        }

    def figures(self, result: ClassifyResult) -> dict:
        confusion = result.cv.confusion if result.cv is not None else result.confusion
        return {"spike_counts": result.mean_spike_counts, "confusion": confusion}

    def summary(self, report: dict) -> list[tuple[str, str]]:
        """One line per metric: the value, then what it is, over which samples, which interval."""
        accuracy, data = report["accuracy"], report["dataset"]
        n_train, n_test = data["n_train"], data["n_test"]
        rows = []
        if "repeated_cv" in accuracy:
            rep_cv = accuracy["repeated_cv"]
            rows.append((f"accuracy ({rep_cv['repeats']}×{rep_cv['splits'] // rep_cv['repeats']}-fold repeated CV)",
                         f"{format_interval(rep_cv)}: mean over {rep_cv['splits']} train/test splits (fold "
                         "partitions reshuffled); corrected resampled t interval (Nadeau & Bengio 2003), which "
                         "covers the fold partition, not the reservoir seed or the choice of settings"))
        if "cv" in accuracy:
            cv = accuracy["cv"]
            by = cv.get("grouped_by", "sample")
            by_text = f", {by}s held out" if by != "sample" else ""
            rows.append((f"accuracy ({cv['folds']}-fold CV{by_text})",
                         f"{format_interval(cv)}: all {n_train + n_test} samples, each predicted once by a readout "
                         f"trained on the other folds; Wilson interval (binomial, pooled out-of-fold): "
                         "test-sample noise given the trained readouts only"))
        if "nested" in report:
            nested = report["nested"]
            chosen = "; ".join(f"{i + 1}: {f['chosen']}" for i, f in enumerate(nested["per_outer_fold"]))
            rows.append((f"accuracy (nested CV, {nested['outer_folds']} outer × {nested['inner_folds']} inner "
                         "folds)", f"{format_interval(nested)}: settings chosen by inner folds of each outer "
                         f"training fold among {len(nested['settings'])} (classify.nested), scored on outer test "
                         f"folds they never saw (this config on the same outer folds: "
                         f"{format_percent(nested['cv_same_outer_folds'], 1)}); chosen per outer fold: {chosen}; "
                         "Wilson interval"))
        test = wilson_interval(round(accuracy["test"] * n_test), n_test) if n_test else None
        rows.append(("accuracy (test split)",
                     (f"{format_interval(test.as_dict())}" if test else format_percent(accuracy["test"], 1))
                     + f": the {n_test} test samples, readout trained on the {n_train} others; Wilson interval"))
        comparison = report.get("comparison", {})
        if "strongest_baseline" in comparison:
            rows.append(("strongest no-reservoir baseline",
                         f"{comparison['strongest_baseline']} {format_percent(comparison['baseline_accuracy'], 1)}: "
                         "CV accuracy of the same readout on features without the reservoir, same folds"))
            rows.append(("reservoir vs that baseline", f"{comparison['verdict']}; McNemar: paired test on the "
                         "same out-of-fold predictions"))
        if "strongest_control" in comparison:
            rows.append(("strongest of all controls",
                         f"{comparison['strongest_control']} {format_percent(comparison['control_accuracy'], 1)}: "
                         "CV accuracy, same readout and folds, of the best of the input baselines, random "
                         "features of the windowed input (as wide as the reservoir) and the feed-forward "
                         "spiking network (recurrence zeroed)"))
            rows.append(("reservoir vs strongest control", comparison["control_verdict"]))
        held = report.get("held_out")
        if held and "held_out_verdict" in comparison:
            sets = held["feature_sets"]
            rows.append((f"held-out test split ({held['split']})",
                         f"reservoir {format_percent(sets[FEATURES]['value'], 1)}, {comparison['strongest_control']} "
                         f"{format_percent(sets[comparison['strongest_control']]['value'], 1)} on the "
                         f"{held['n_test']} test samples, readouts trained on the {held['n_train']} training "
                         f"samples only: {comparison['held_out_verdict']}; the out-of-fold CV accuracy on the "
                         f"same samples is {format_percent(sets[FEATURES]['cv_on_test_samples'], 1)} (reservoir)"))
        return rows + energy_summary(report)


#: Level below which the reservoir–baseline difference is called significant (two-sided McNemar test on
#: the same out-of-fold predictions).
SIGNIFICANCE = 0.05
#: Name of the reservoir's own feature set beside the no-reservoir baselines.
FEATURES = "reservoir"  # registry-name: the feature set, not the reservoir task


def _verdict(margin: float, p: float, test: str) -> str:
    """``"+1.2 points: the reservoir beats it (McNemar p = 0.01)"`` or ``"… no significant difference …"``."""
    if p < SIGNIFICANCE:
        how = "beats" if margin > 0 else "is worse than"
        return f"{margin:+.1f} points: the reservoir {how} it ({test} p = {p:.2g})"
    return f"{margin:+.1f} points: no significant difference ({test} p = {p:.2g})"


def _comparison_sections(result: ClassifyResult) -> dict:
    """``baselines`` (CV of each no-reservoir feature set), ``controls`` (the random-feature and
    feed-forward controls), ``comparison`` (the reservoir against the strongest baseline, and against
    the strongest of all baselines and controls, in accuracy points), ``held_out`` and
    ``learning_curve``, where they were measured."""
    out: dict = {}
    repeated = result.repeated or {}

    def entry(name: str, cv: CVResult, shape: dict) -> dict:
        return {**cv.as_dict(), **shape, **({"repeated_cv": repeated[name].as_dict()} if name in repeated else {})}

    if result.baselines:
        shapes = result.baseline_shapes or {}
        out["baselines"] = {name: entry(name, cv, shapes.get(name, {})) for name, cv in result.baselines.items()}
        strongest = _strongest(result.baselines)
        best = result.baselines[strongest].accuracy
        margin = 100.0 * (result.cv.accuracy.value - best.value)
        p = mcnemar_p(result.cv.correct, result.baselines[strongest].correct)
        out["comparison"] = {"strongest_baseline": strongest, "baseline_accuracy": best.value,
                             "reservoir_accuracy": result.cv.accuracy.value, "margin_points": margin,
                             "mcnemar_p": p, "reservoir_beats_strongest": bool(margin > 0 and p < SIGNIFICANCE),
                             "verdict": _verdict(margin, p, "McNemar")}
    if result.controls:
        out["controls"] = {name: entry(name, cv, {"features_per_sample": result.n_features})
                           for name, cv in result.controls.items()}
    everything = {**(result.baselines or {}), **(result.controls or {})}
    if everything:
        out.setdefault("comparison", {}).update(_against_all_controls(result, everything))
    if result.held_out:
        out["held_out"] = result.held_out
    if result.learning_curve:
        out["learning_curve"] = result.learning_curve
    return out


def _against_all_controls(result: ClassifyResult, everything: dict[str, CVResult]) -> dict:
    """The reservoir against the strongest (highest pooled out-of-fold accuracy) of all baselines and
    controls. The verdict's test: with repeated CV the corrected resampled paired t-test over every
    repeat × fold split (Nadeau & Bengio 2003), else McNemar on the out-of-fold predictions; both
    p-values are reported where both exist, and the held-out test split's margin with its McNemar p."""
    strongest = _strongest(everything)
    control = everything[strongest]
    margin = 100.0 * (result.cv.accuracy.value - control.accuracy.value)
    p_mcnemar = mcnemar_p(result.cv.correct, control.correct)
    out = {"strongest_control": strongest, "control_accuracy": control.accuracy.value,
           "control_margin_points": margin, "control_mcnemar_p": p_mcnemar}
    p, test = p_mcnemar, "McNemar"
    repeated = result.repeated or {}
    if FEATURES in repeated and strongest in repeated:
        mine, theirs = repeated[FEATURES], repeated[strongest]
        margin = 100.0 * (mine.interval.value - theirs.interval.value)
        p = corrected_resampled_p(mine.split_accuracy - theirs.split_accuracy, mine.n_train, mine.n_test)
        test = f"corrected resampled t over {len(mine.split_accuracy)} splits"
        out.update(control_repeated_margin_points=margin, control_corrected_t_p=p)
    out.update(control_test=test, reservoir_beats_all_controls=bool(margin > 0 and p < SIGNIFICANCE),
               control_verdict=_verdict(margin, p, test))
    if result.held_out:
        sets = result.held_out["feature_sets"]
        held_margin = 100.0 * (sets[FEATURES]["value"] - sets[strongest]["value"])
        held_p = sets[strongest]["mcnemar_p_vs_reservoir"]
        out.update(held_out_margin_points=held_margin, held_out_mcnemar_p=held_p,
                   held_out_verdict=_verdict(held_margin, held_p, "McNemar"))
    return out


def _cross_validated(data: DatasetRun, config: Config, seed: int, context: RunContext, pipe: Pipeline,
                     split: tuple[np.ndarray, np.ndarray, np.ndarray], nested: tuple[list, list]) -> dict:
    """k-fold CV of the reservoir features, each baseline and each control (same folds, same readout),
    repeated over ``classify.repeats`` fold partitions; every feature set on the held-out ``split``
    (train indices, test indices, the reservoir's right/wrong on the test samples); and the learning
    curves of the reservoir and the strongest baseline; with a ``classify.nested`` grid (``nested``: the
    grid and the main run's features gathered at it), nested CV over it on the first partition's folds;
    {} when ``classify.folds`` < 2 or the data cannot be split that many ways."""
    readout = config.readout
    settings: ClassifySettings = config.section(Classify.name)
    k = fold_count(data.labels, settings.folds)
    if k < 2:
        if settings.folds >= 2:
            context.progress.note(f"no cross-validation: a class has only {k} sample(s)")
        return {}
    partitions = [stratified_folds(data.labels, k, _partition_seed(config.run.seed, r), data.groups)
                  for r in range(settings.repeats)]
    folds = partitions[0]
    if data.groups is not None:
        context.progress.note(f"cross-validation folds hold out whole {data.group_name}s "
                              f"({len(np.unique(data.groups))} in all)")
    controls = _controls(data, config, settings, context, pipe)
    sets = {FEATURES: data.features, **data.baselines, **controls}
    # the count is of feature sets (the reservoir and each baseline), not of folds
    report = context.progress.stage(f"{k}-fold cross-validation × {len(partitions)}, feature sets done")
    results: dict[str, CVResult] = {}
    repeated: dict[str, RepeatedCV] = {}
    for i, (name, features) in enumerate(sets.items()):
        results[name] = cross_validate(features, data.labels, readout, folds, seed)
        if len(partitions) >= 2:
            repeated[name] = repeated_cv(features, data.labels, readout, partitions, seed, results[name])
        report(i + 1, len(sets))
    held_out = _held_out(sets, data, config, seed, split, results)
    curves = {}
    if settings.learning_curve:
        strongest = _strongest({n: r for n, r in results.items() if n not in controls})
        names = [FEATURES] + ([strongest] if strongest else [])
        report = context.progress.stage("learning curve")
        for i, name in enumerate(names):
            curves[name] = learning_curve(sets[name], data.labels, readout, folds, seed)
            report(i + 1, len(names))
    grid, gathered = nested
    chosen = None
    if grid:
        candidates = grid_features(grid, config, pipe, data.engine or pipe.engine_choice, (data, gathered))
        context.progress.note(f"nested CV: {len(candidates)} settings, {len(folds)} outer folds")
        chosen = nested_cv(candidates, data.labels, readout, folds, seed)
    return {"cv": results.pop(FEATURES), "baselines": {n: results[n] for n in data.baselines},
            "nested": chosen,
            "controls": {n: results[n] for n in controls} or None, "repeated": repeated or None,
            "held_out": held_out, "learning_curve": curves or None,
            "cv_groups": data.group_name if data.groups is not None else "", "baseline_shapes": _shapes(data)}


def _partition_seed(seed: int, repeat: int) -> int:
    """Shuffle seed of fold partition ``repeat``: partition 0 is stream ``("split", "folds")`` (the
    single partition of ``classify.repeats = 1``), partition r ≥ 1 stream ``("split", "folds", r)``."""
    return seeds.int_seed(seed, "split", "folds", *([repeat] if repeat else []))


class _FixedNetworkPipeline(Pipeline):
    """A pipeline that runs every dataset on one given network (the feed-forward control)."""

    def __init__(self, network: LSM, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._fixed = network

    def network(self, n_inputs: int, dataset: str | None = None) -> LSM:
        return self._fixed


def _controls(data: DatasetRun, config: Config, settings: ClassifySettings, context: RunContext,
              pipe: Pipeline) -> dict[str, np.ndarray]:
    """The controls' features per sample (:mod:`neurosim.learning.controls`): random features of the
    windowed input (with ``classify.baselines``) and the feed-forward spiking network's features (with
    ``classify.feedforward``), each as wide as the reservoir's."""
    width = data.features.shape[1]
    wanted = int(settings.baselines) + int(settings.feedforward)
    if not wanted:
        return {}
    check_fits(len(data.labels), wanted * width * 4, width, "classify controls")
    out = {}
    if settings.baselines:
        out[RANDOM_FEATURES] = random_features(data.baselines["windowed input counts"], width, config.run.seed)
    if settings.feedforward:
        # the engine that ran the reservoir, not "auto" again: the control must run where the reservoir ran
        ff = _FixedNetworkPipeline(feedforward_network(data.network), config, data.engine or pipe.engine_choice,
                                   pipe.data_dir, context.progress)
        run = ff.run_dataset(stage="feed-forward control (recurrence zeroed) through the engine")
        if not np.array_equal(run.labels, data.labels):
            raise DataError(f"{data.name}: the feed-forward control read other samples than the reservoir "
                            f"({len(run.labels)} against {len(data.labels)}); rerun without run.skip_corrupt")
        out[FEEDFORWARD] = run.features
    return out


def _held_out(sets: dict[str, np.ndarray], data: DatasetRun, config: Config, seed: int,
              split: tuple[np.ndarray, np.ndarray, np.ndarray], results: dict[str, CVResult]) -> dict:
    """Every feature set on the single split's test samples (the official test split where the dataset
    has one): readout trained on the training samples only, accuracy with its Wilson interval, McNemar
    against the reservoir on the same test samples; and, for comparison, the out-of-fold CV accuracy
    restricted to those test samples (there each was predicted by a readout trained on other folds,
    which hold training and test samples alike)."""
    train, test, reservoir_correct = split
    out = {}
    for name, features in sets.items():
        correct = (reservoir_correct if name == FEATURES
                   else held_out_correct(features, data.labels, config.readout, train, test, seed))
        out[name] = {**wilson_interval(int(correct.sum()), len(test)).as_dict(),
                     "mcnemar_p_vs_reservoir": 1.0 if name == FEATURES else mcnemar_p(reservoir_correct, correct),
                     "cv_on_test_samples": float(np.mean(results[name].correct[test]))}
    official = data.is_test is not None and bool(data.is_test.any()) and bool((~data.is_test).any())
    return {"split": "official" if official else "random", "n_train": len(train),
            "n_test": len(test), "feature_sets": out}


def _shapes(data: DatasetRun) -> dict:
    """Features per sample of each baseline; for the input raster also its time windows against the
    bins (fewer windows: the bins summed so that it is no wider than the reservoir's features)."""
    shapes = {name: {"features_per_sample": int(f.shape[1])} for name, f in data.baselines.items()}
    if "input raster" in shapes:
        channels = data.input_counts.shape[1]
        shapes["input raster"].update(time_windows=shapes["input raster"]["features_per_sample"] // channels,
                                      bins=data.n_bins)
    return shapes


def _strongest(results: dict[str, CVResult]) -> str | None:
    """The baseline with the highest CV accuracy (None without baselines)."""
    baselines = {k: v for k, v in results.items() if k != FEATURES}
    return max(baselines, key=lambda k: baselines[k].accuracy.value) if baselines else None


def run_classify(config: Config, engine: str = "auto", data_dir: Path | None = None,
                 progress: Progress | None = None) -> ClassifyResult:
    """Run the classify pipeline for chip instance ``run.instance`` (the task's ``run``)."""
    return Classify().run(config, RunContext(engine, data_dir, progress or Progress(enabled=False)))
