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
counted; training cost is counted as MACs for the projections vs BPTT of a recurrent SNN
encoder of the same size (:func:`training_cost`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from neurosim import seeds
from neurosim.config import Config, apply_mapping, param
from neurosim.crossbar import CrossbarMacro
from neurosim.data import get_dataset, pair_by_label
from neurosim.energy import EnergyEstimate, estimate_energy
from neurosim.energy.macro_cost import macro_energy_J
from neurosim.errors import ConfigError, DataError
from neurosim.learning.contrastive import KINDS, Projection
from neurosim.learning.crossmodal import TrainSpec, copy_projection, train_pair, training_macs
from neurosim.learning.retrieval import top1_retrieval, Retrieval
from neurosim.stats import mean_interval, t_test_vs_chance
from neurosim.networks.models import get_model
from neurosim.progress import Progress
from neurosim.report import format_percent, format_quantity
from neurosim.tasks.pipeline import DatasetRun, Pipeline
from neurosim.tasks.registry import Headline, RunContext, Task, register_task
from neurosim.tasks.report_parts import energy_sections, energy_summary

__all__ = ["DIRECTIONS", "ModalityData", "Split", "Zeroshot", "ZeroshotResult", "ZeroshotSettings",
           "modality_config", "parse_classes", "split_modality", "train_and_select",
           "training_cost"]

#: Retrieval directions: name → (query modality, pool modality); "a" = vision, "b" = audio.
DIRECTIONS = {"audio_to_image": ("b", "a"), "image_to_audio": ("a", "b")}


def parse_classes(text: str, key: str) -> tuple[int, ...]:
    """``"1,2,3"`` or ``"1-7"`` (or a mix, ``"1-3,5"``) → sorted class labels."""
    out: set[int] = set()
    try:
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            lo, sep, hi = part.partition("-")
            out.update(range(int(lo), int(hi) + 1) if sep else {int(lo)})
    except ValueError:
        raise ConfigError(f"zeroshot.{key} = {text!r}: expected class labels like '1-7' or '8,9'") from None
    if not out:
        raise ConfigError(f"zeroshot.{key} = {text!r}: name at least one class, e.g. '8,9'")
    return tuple(sorted(out))


@dataclass(frozen=True)
class ZeroshotSettings:
    """[zeroshot]: the two modalities, the seen/unseen classes, the projections and their training
    (defaults: the source paper's, Lin et al. 2025 and its code MrLinNing/MemristorLSM)."""

    vision_dataset: str = param("dvs-digits", "Vision dataset (modality A; 'nmnist' when present)")
    audio_dataset: str = param("spoken-digits", "Audio dataset (modality B; 'ntidigits' when present)")
    vision_n_bins: int = param(50, "Time steps of a vision sample (its reservoir's input.n_bins)", "",
                               1, 100000)
    vision_threshold: float = param(5.0, "Vision reservoir's firing threshold (network.discrete-lif)",
                                    "", -1e9, 1e9)
    vision_decay: float = param(0.9, "Vision reservoir's membrane decay per step (network.discrete-lif)",
                                "", 0.0, 1.0)
    audio_n_bins: int = param(129, "Time steps of an audio sample (its reservoir's input.n_bins)", "",
                              1, 100000)
    audio_threshold: float = param(5.3, "Audio reservoir's firing threshold (network.discrete-lif)",
                                   "", -1e9, 1e9)
    audio_decay: float = param(0.97, "Audio reservoir's membrane decay per step (network.discrete-lif)",
                               "", 0.0, 1.0)
    seen_classes: str = param("1-7", "Classes trained on ('1-7', '1,2,3')")
    unseen_classes: str = param("8,9", "Classes never trained on, retrieved zero-shot")
    val_fraction: float = param(0.2, "Fraction of the seen classes' training samples held out for "
                                "honest model selection (per modality, stratified)", "", 0.01, 0.9)
    unseen_pool: str = param("test", "Unseen samples in the test pools: 'test' = those of the test "
                             "split; 'all' = every unseen sample (larger pools; never trained either way)",
                             choices=("test", "all"))
    projection: str = param("linear", "Projection per modality: 'linear' = Linear(N→dim)+GELU (the "
                            "paper's OneFC); 'twofc' = Linear(N→hidden)+GELU+Linear(hidden→dim)",
                            choices=KINDS)
    dim: int = param(64, "Embedding size", "", 1, 100000)
    hidden: int = param(128, "projection = 'twofc': hidden width", "", 1, 100000)
    temperature: float = param(1.0, "Softmax temperature τ of the contrastive loss (logits = cos/τ)",
                               "", 1e-4, 1e4)
    batch: int = param(8, "Pairs per training step", "", 2, 100000)
    epochs: int = param(100, "Training epochs (every epoch is evaluated; a checkpoint is selected)",
                        "", 1, 100000)
    lr: float = param(1e-3, "Learning rate", "", 1e-9, 10.0)
    optimizer: str = param("adam", "Optimiser", choices=("adam", "sgd"))
    positives: str = param("pair", "Contrastive targets: 'pair' = only the paired sample (CLIP); "
                           "'class' = every same-class sample of the batch (a remedy for collapse)",
                           choices=("pair", "class"))
    normalize: bool = param(True, "Cosine similarities (L2-normalised embeddings) in the loss and the "
                            "retrieval; false = raw dot products", choices=(False, True))
    centre: str = param("none", "Subtract a mean embedding before retrieval (a remedy for hubness): "
                        "'train' = each modality's mean over its seen training samples; 'pool' = the "
                        "mean of the queries and of the pool themselves (transductive, no labels)",
                        choices=("none", "train", "pool"))
    seeds: int = param(3, "Training seeds (initialisation, pairing, batches); the features are shared",
                       "", 1, 10000)
    proto_baseline: bool = param(True, "Also train the prototypical-network baseline", choices=(False, True))
    proto_shots: int = param(5, "Prototypical baseline: support pairs per class per episode", "", 1, 10000)
    proto_queries: int = param(5, "Prototypical baseline: query pairs per class per episode", "", 1, 10000)
    paper_a2i_min_seen: float = param(0.65, "Paper's selection rule, audio→image: least seen test "
                                      "accuracy of an eligible epoch", "", 0.0, 1.0)
    paper_a2i_min_unseen: float = param(0.85, "Paper's selection rule, audio→image: least unseen test "
                                        "accuracy of an eligible epoch", "", 0.0, 1.0)
    paper_i2a_min_seen: float = param(0.70, "Paper's selection rule, image→audio: least seen test "
                                      "accuracy", "", 0.0, 1.0)
    paper_i2a_min_unseen: float = param(0.60, "Paper's selection rule, image→audio: least unseen test "
                                        "accuracy", "", 0.0, 1.0)
    hardware: str = param("digital", "Where the projections run: 'digital' MACs, or 'crossbar' (the "
                          "first layer programmed into the chip's macro, read with its noise and ADC; "
                          "figures then come from the chip)", choices=("digital", "crossbar"))
    crossbar_input_bits: int = param(8, "hardware = 'crossbar': input code width of the spike counts "
                                     "(bit-serial); counts above 2^bits − 1 clip", "bit", 1, 16)
    crossbar_adc_range: float = param(0.0, "hardware = 'crossbar': the projection macro's ADC full scale as "
                                      "a fraction of an array's largest possible column output "
                                      "(crossbar.adc_range of that macro); 0 = calibrated: the largest "
                                      "column output of the seen training samples maps to full scale", "",
                                      0.0, 1.0)
    std_floor: float = param(0.0, "Least standard deviation (spikes) that standardises a neuron's count: "
                             "a near-silent neuron's 1/σ otherwise dominates the projection's weights (and, "
                             "on the crossbar, their conductance window); 0 = none (a neuron silent in "
                             "training uses 1)", "spike", 0.0, 1000.0)

    def check(self, config: Config) -> None:
        seen = parse_classes(self.seen_classes, "seen_classes")
        unseen = parse_classes(self.unseen_classes, "unseen_classes")
        both = sorted(set(seen) & set(unseen))
        if both:
            raise ConfigError(f"zeroshot.seen_classes and zeroshot.unseen_classes share {both}; "
                              "a class is either trained on or not")
        if len(seen) < 2:
            raise ConfigError("zeroshot.seen_classes: contrastive training needs at least 2 seen classes")


def modality_config(config: Config, settings: ZeroshotSettings, which: str) -> Config:
    """The run config for one modality's reservoir (``which`` = ``"vision"`` or ``"audio"``):
    its dataset, ``input.n_bins`` and, for a model that declares ``threshold_decay_keys`` (the
    discrete LIF), its threshold and decay."""
    s = settings
    data = {"run": {"dataset": s.vision_dataset if which == "vision" else s.audio_dataset},
            "input": {"n_bins": s.vision_n_bins if which == "vision" else s.audio_n_bins}}
    keys = get_model(config.network.model).threshold_decay_keys
    if keys is not None:
        threshold, decay = keys
        data["network"] = {config.network.model: {
            threshold: s.vision_threshold if which == "vision" else s.audio_threshold,
            decay: s.vision_decay if which == "vision" else s.audio_decay}}
    return apply_mapping(config, data, f"[zeroshot] {which}")


@dataclass(frozen=True)
class Split:
    """Positions into one modality's samples: seen-class ``train``, ``val`` and ``test``, and the
    ``unseen`` test pool (int64, sorted)."""

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    unseen: np.ndarray


def split_modality(labels: np.ndarray, is_test: np.ndarray | None, seen: tuple[int, ...],
                   unseen: tuple[int, ...], settings: ZeroshotSettings, test_fraction: float,
                   rng: np.random.Generator, name: str) -> Split:
    """Split one modality (see the module docstring). The test split is the dataset's official one
    when it has one, else a stratified ``test_fraction`` of each class; ``val_fraction`` of each
    seen class's remaining samples is the validation split. Unseen classes are only ever tested."""
    labels = np.asarray(labels)
    if is_test is None or not is_test.any():
        is_test = np.zeros(len(labels), bool)
        for c in np.unique(labels):
            idx = rng.permutation(np.flatnonzero(labels == c))
            is_test[idx[:int(round(test_fraction * len(idx)))]] = True
    train, val, test = [], [], []
    for c in seen:
        pool = np.flatnonzero((labels == c) & ~is_test)
        held = np.flatnonzero((labels == c) & is_test)
        if len(pool) < 2 or len(held) < 1:
            raise DataError(f"{name}: seen class {c} has {len(pool)} training and {len(held)} test samples "
                            "(need ≥ 2 and ≥ 1); raise --samples (0 = all) or change zeroshot.seen_classes")
        pool = rng.permutation(pool)
        n_val = max(1, int(round(settings.val_fraction * len(pool))))
        val.append(pool[:n_val])
        train.append(pool[n_val:])
        test.append(held)
    in_unseen = np.isin(labels, unseen)
    pool_unseen = np.flatnonzero(in_unseen & (is_test if settings.unseen_pool == "test" else True))
    missing = sorted(set(unseen) - set(labels[pool_unseen].tolist()))
    if missing:
        raise DataError(f"{name}: unseen class(es) {missing} have no sample in the test pool; raise "
                        "--samples (0 = all), set zeroshot.unseen_pool = 'all' or change zeroshot.unseen_classes")
    cat = (lambda parts: np.sort(np.concatenate(parts)).astype(np.int64))
    return Split(cat(train), cat(val), cat(test), pool_unseen.astype(np.int64))


@dataclass(frozen=True)
class ModalityData:
    """One modality's features, standardised with the mean/std of its seen training samples only."""

    run: DatasetRun
    config: Config
    split: Split
    mean: np.ndarray
    std: np.ndarray

    @property
    def labels(self) -> np.ndarray:
        return self.run.labels

    def x(self, idx: np.ndarray) -> np.ndarray:
        """Standardised features of samples ``idx`` (float64 ``(len(idx), neurons)``)."""
        return (self.run.counts[idx] - self.mean) / self.std


def _standardised(run: DatasetRun, config: Config, split: Split, std_floor: float) -> ModalityData:
    train = run.counts[split.train].astype(np.float64)
    std = np.maximum(train.std(axis=0), std_floor)
    return ModalityData(run, config, split, train.mean(axis=0), np.where(std > 0, std, 1.0))


# --------------------------------------------------------------------------- training and selection

@dataclass
class SeedOutcome:
    """One training seed of one method: per-epoch accuracies and the selected checkpoints.

    ``history[k]``: epoch ``k`` (0 = untrained) with ``loss`` and accuracies ``val``, ``seen``,
    ``unseen``, each ``{direction: accuracy}``. ``selected``: protocol → ``{direction: epoch}``;
    ``results``: protocol → split → direction → :class:`Retrieval` of that checkpoint.
    """

    history: list = field(default_factory=list)
    selected: dict = field(default_factory=dict)
    results: dict = field(default_factory=dict)
    paper_qualified: dict = field(default_factory=dict)
    snapshots: dict = field(default_factory=dict)


def _pools(a: ModalityData, b: ModalityData, which: str) -> dict:
    """Features and labels of both modalities for pool ``which`` (``val``, ``seen``, ``unseen``)."""
    attr = {"val": "val", "seen": "test", "unseen": "unseen", "train": "train"}[which]
    ia, ib = getattr(a.split, attr), getattr(b.split, attr)
    return {"a": (a.x(ia), a.labels[ia]), "b": (b.x(ib), b.labels[ib])}


def _retrieve(pa: Projection, pb: Projection, pools: dict, settings: ZeroshotSettings,
              centres: dict | None, pre1: dict | None = None) -> dict[str, Retrieval]:
    """Both directions of top-1 retrieval on ``pools`` with projections ``pa``/``pb``."""
    emb = {"a": pa.forward(pools["a"][0], None if pre1 is None else pre1["a"])[0],
           "b": pb.forward(pools["b"][0], None if pre1 is None else pre1["b"])[0]}
    out = {}
    for name, (q, p) in DIRECTIONS.items():
        if settings.centre == "train" and centres is not None:
            centre = (centres[q], centres[p])
        elif settings.centre == "pool":
            centre = (emb[q].mean(axis=0), emb[p].mean(axis=0))
        else:
            centre = None
        out[name] = top1_retrieval(emb[q], pools[q][1], emb[p], pools[p][1], settings.normalize, centre)
    return out


def _train_centres(pa, pb, train_pools) -> dict:
    return {"a": pa(train_pools["a"][0]).mean(axis=0), "b": pb(train_pools["b"][0]).mean(axis=0)}


def _paper_epoch(history: list, direction: str, min_seen: float, min_unseen: float) -> tuple[int, bool]:
    """The source code's rule: among epochs ≥ 1 with seen ≥ min_seen and unseen ≥ min_unseen (test
    accuracies), the one of best seen accuracy; if none passes, the epoch of best unseen accuracy."""
    trained = history[1:]
    ok = [h for h in trained if h["seen"][direction] >= min_seen and h["unseen"][direction] >= min_unseen]
    if ok:
        return max(ok, key=lambda h: (h["seen"][direction], -h["epoch"]))["epoch"], True
    return max(trained, key=lambda h: (h["unseen"][direction], -h["epoch"]))["epoch"], False


def train_and_select(a: ModalityData, b: ModalityData, settings: ZeroshotSettings, spec: TrainSpec,
                     rng: np.random.Generator, seen: tuple[int, ...],
                     progress: Progress | None = None, label: str = "") -> SeedOutcome:
    """Train one seed (pairs drawn from ``rng``), evaluate every epoch, select the honest
    checkpoint (validation, seen classes only) and the paper's (test pools)."""
    ia, ib = pair_by_label(a.labels[a.split.train], b.labels[b.split.train], rng, seen)
    xa = a.x(a.split.train[ia])
    xb = b.x(b.split.train[ib])
    pair_labels = a.labels[a.split.train][ia]
    pools = {k: _pools(a, b, k) for k in ("train", "val", "seen", "unseen")}
    out = SeedOutcome()
    snapshots: dict[int, tuple[Projection, Projection]] = {}
    report = (progress or Progress(enabled=False))
    per_epoch = report.stage(f"{label.strip()} epochs")   # every epoch (in place on a terminal)

    def on_epoch(epoch, pa, pb, loss):
        centres = _train_centres(pa, pb, pools["train"]) if settings.centre == "train" else None
        accs = {k: {d: r.accuracy for d, r in _retrieve(pa, pb, pools[k], settings, centres).items()}
                for k in ("val", "seen", "unseen")}
        out.history.append({"epoch": epoch, "loss": None if epoch == 0 else loss, **accs})
        snapshots[epoch] = (copy_projection(pa), copy_projection(pb))
        per_epoch(epoch, spec.epochs)
        if epoch and (epoch == spec.epochs or epoch % max(1, spec.epochs // 10) == 0):
            report.note(f"{label} epoch {epoch}/{spec.epochs}: loss {loss:.4f}, validation "
                        f"a→i {accs['val']['audio_to_image']:.1%} i→a {accs['val']['image_to_audio']:.1%}")

    train_pair(xa, xb, pair_labels, spec, rng, on_epoch)
    trained = out.history[1:]
    honest = max(trained, key=lambda h: (h["val"]["audio_to_image"] + h["val"]["image_to_audio"],
                                         -h["epoch"]))["epoch"]
    out.selected["honest"] = {d: honest for d in DIRECTIONS}
    out.selected["final"] = {d: spec.epochs for d in DIRECTIONS}
    out.selected["untrained"] = {d: 0 for d in DIRECTIONS}
    paper = {}
    for d, (lo_seen, lo_unseen) in {
            "audio_to_image": (settings.paper_a2i_min_seen, settings.paper_a2i_min_unseen),
            "image_to_audio": (settings.paper_i2a_min_seen, settings.paper_i2a_min_unseen)}.items():
        paper[d], out.paper_qualified[d] = _paper_epoch(out.history, d, lo_seen, lo_unseen)
    out.selected["paper_rule"] = paper
    for protocol, chosen in out.selected.items():
        out.results[protocol] = {}
        for split in ("seen", "unseen"):
            out.results[protocol][split] = {}
            for d, epoch in chosen.items():
                pa, pb = snapshots[epoch]
                centres = _train_centres(pa, pb, pools["train"]) if settings.centre == "train" else None
                out.results[protocol][split][d] = _retrieve(pa, pb, pools[split], settings, centres)[d]
    out.snapshots = {e: snapshots[e] for e in {honest, 0}}
    return out


# --------------------------------------------------------------------------- energy and training cost

def _reservoir_energy(data: ModalityData, settings: ZeroshotSettings, proj: Projection,
                      crossbar_J: float | None) -> EnergyEstimate:
    """Energy of embedding one sample of this modality: its reservoir on the chip plus the
    projection (digital MACs per spiking neuron, or the crossbar macro's measured energy)."""
    run = data.run
    counts = run.operations_with_readout(proj.n_out if proj.kind == "linear" else settings.hidden)
    energy = estimate_energy(data.config, counts, run.network.programmed, n_inputs=run.input_counts.shape[1],
                             n_classes=proj.n_out, steps=run.n_bins)
    if proj.kind == "twofc":   # the second layer is digital in both cases
        extra = proj.params["w2"].size * data.config.energy.readout_mac
        energy = _with_readout(energy, energy.breakdown_J["readout"] + extra)
    if crossbar_J is not None:
        second = proj.params["w2"].size * data.config.energy.readout_mac if proj.kind == "twofc" else 0.0
        energy = _with_readout(energy, crossbar_J + second)
    return energy


def _with_readout(energy: EnergyEstimate, readout_J: float) -> EnergyEstimate:
    breakdown = dict(energy.breakdown_J, readout=float(readout_J))
    return replace(energy, breakdown_J=breakdown, per_inference_J=float(sum(breakdown.values())))


def training_cost(a: ModalityData, b: ModalityData, settings: ZeroshotSettings, n_pairs: int) -> dict:
    """Operations (MACs) of training, for the README's comparison with the paper's SRNN-CLIP.

    * ``lsm_clip``: one forward pass of each reservoir over its training samples (dense
      ``T (n_in N + N²)`` per sample: the fixed encoder, run once) plus ``epochs`` passes of
      projection training over the ``n_pairs`` pairs (forward + backward of both projections,
      :func:`neurosim.learning.crossmodal.training_macs`, plus ``3 B d`` per pair for the
      similarity matrix and its two gradients).
    * ``bptt_srnn_clip``: the same recurrent network trained end to end by backpropagation
      through time: per sample and epoch 3× the forward ``T (n_in N + N²)`` (forward, weight
      gradients, state gradients), plus the same projection training.
    """
    epochs, d, batch = settings.epochs, settings.dim, settings.batch
    proj = 0
    encoders_once = encoders_bptt = 0
    for data in (a, b):
        n = data.run.counts.shape[1]
        n_in = data.run.input_counts.shape[1]
        layers = [(n, d)] if settings.projection == "linear" else [(n, settings.hidden), (settings.hidden, d)]
        proj += training_macs(layers, n_pairs, epochs)
        forward = data.run.n_bins * (n_in * n + n * n)
        encoders_once += len(data.split.train) * forward
        encoders_bptt += 3 * forward * n_pairs * epochs
    loss = 3 * batch * d * n_pairs * epochs
    lsm = encoders_once + proj + loss
    bptt = encoders_bptt + proj + loss
    return {"lsm_clip_macs": int(lsm), "bptt_srnn_clip_macs": int(bptt),
            "projection_training_macs": int(proj + loss), "reservoir_forward_macs": int(encoders_once),
            "bptt_over_lsm": float(bptt / lsm) if lsm else 0.0}


def _crossbar_pre1(data: ModalityData, proj: Projection, idx: np.ndarray, config: Config,
                   settings: ZeroshotSettings, seed: int, which: str) -> tuple[np.ndarray, float]:
    """First-layer pre-activations of samples ``idx`` computed on the chip's crossbar: the
    standardisation folded into the weights (``W' = W/σ``, ``b' = b − (μ/σ) W``), ``W'``
    written by write-verify into a macro, raw spike counts applied bit-serially. Returns the
    pre-activations, the macro's energy per vector (J) and its ADC range (``crossbar.adc_range``;
    ``zeroshot.crossbar_adc_range``, or calibrated on the seen training samples: their largest
    column output, read once through the same programmed arrays, maps to full scale)."""
    cfg = apply_mapping(config, {"crossbar": {"input_bits": settings.crossbar_input_bits}}, "[zeroshot]")
    w = proj.params["w1"] / data.std[:, None]
    bias = proj.params["b1"] - (data.mean / data.std) @ proj.params["w1"]
    macro = CrossbarMacro.from_weights(cfg, w, seeds.rng(seed, "zeroshot", "crossbar", which))
    if settings.crossbar_adc_range == 0.0:  # calibration reads: a one-off at deployment, not priced per query
        macro = macro.calibrated(data.run.counts[data.split.train].astype(np.float64))
    else:
        cfg = apply_mapping(cfg, {"crossbar": {"adc_range": settings.crossbar_adc_range}},
                            "[zeroshot] crossbar_adc_range")
        macro = CrossbarMacro(cfg, macro.programmed, macro.rng, device=macro.device)
    y = macro @ data.run.counts[idx].astype(np.float64)
    return y + bias, macro_energy_J(macro) / max(1, macro.tally.vectors), macro.config.crossbar.adc_range


# --------------------------------------------------------------------------- the task

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


def _seen_unseen_settings(settings: ZeroshotSettings) -> tuple[tuple[int, ...], tuple[int, ...]]:
    return parse_classes(settings.seen_classes, "seen_classes"), parse_classes(settings.unseen_classes,
                                                                               "unseen_classes")


def _check_available(config: Config, settings: ZeroshotSettings, which: str, context: RunContext) -> None:
    """:class:`DataError` naming the ``[zeroshot]`` key when a modality's dataset cannot be read."""
    cfg = modality_config(config, settings, which)
    name = cfg.run.dataset
    try:
        get_dataset(name)
        Pipeline(cfg, context.engine, context.data_dir).planned_labels(name)
    except DataError as exc:
        key = "vision_dataset" if which == "vision" else "audio_dataset"
        raise DataError(f"zeroshot.{key} = {name!r} is not available: {exc} (offline: "
                        "--set zeroshot.vision_dataset=dvs-digits --set zeroshot.audio_dataset=spoken-digits)"
                        ) from None


def _run_modality(config: Config, settings: ZeroshotSettings, which: str,
                  context: RunContext) -> tuple[DatasetRun, Config]:
    """One modality's dataset through its own reservoir (simulated once, shared by every seed)."""
    cfg = modality_config(config, settings, which)
    return Pipeline(cfg, context.engine, context.data_dir, context.progress).run_dataset(cfg.run.dataset), cfg


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
                                   seeds.rng(config.run.seed, "zeroshot", "split", which), run.name)
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
        xbar_J = {"a": None, "b": None}
        if settings.hardware == "crossbar":
            crossbar = {}
            pools = {k: _pools(a, b, k) for k in ("seen", "unseen")}
            for split in ("seen", "unseen"):
                attr = {"seen": "test", "unseen": "unseen"}[split]
                pre_a, xbar_J["a"], range_a = _crossbar_pre1(a, pa, getattr(a.split, attr), config, settings,
                                                             config.run.seed, "vision")
                pre_b, xbar_J["b"], range_b = _crossbar_pre1(b, pb, getattr(b.split, attr), config, settings,
                                                             config.run.seed, "audio")
                adc_ranges = {"vision": range_a, "audio": range_b}
                centres = _train_centres(pa, pb, _pools(a, b, "train")) if settings.centre == "train" else None
                crossbar[split] = {d: r.accuracy for d, r in
                                   _retrieve(pa, pb, pools[split], settings, centres,
                                             {"a": pre_a, "b": pre_b}).items()}
        ev = _reservoir_energy(a, settings, pa, xbar_J["a"])
        ea = _reservoir_energy(b, settings, pb, xbar_J["b"])
        both = EnergyEstimate.combine([ev, ea], parallel=True)    # the two reservoirs run side by side
        return ZeroshotResult(config=config, settings=settings, seen=seen, unseen=unseen, vision=a, audio=b,
                              n_pairs=n_pairs, outcomes=outcomes, energy=both, energy_vision=ev,
                              energy_audio=ea, crossbar=crossbar, crossbar_adc_range=adc_ranges,
                              cost=training_cost(a, b, settings, n_pairs),
                              figures=_figures(a, b, settings, first, pa, pb))

    def report(self, result: ZeroshotResult) -> dict:
        a, b = result.vision, result.audio
        results = {m: _summarise(o) for m, o in result.outcomes.items()}
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
                "results": results,
                "hardware": {"projection": result.settings.hardware,
                             **({"crossbar_seed0_honest": result.crossbar,
                                 "crossbar_adc_range": result.crossbar_adc_range} if result.crossbar else {})},
                "energy_per_query_J": {"vision": result.energy_vision.per_inference_J,
                                       "audio": result.energy_audio.per_inference_J,
                                       "projection_vision": result.energy_vision.breakdown_J["readout"],
                                       "projection_audio": result.energy_audio.breakdown_J["readout"]},
                "training_cost": result.cost,
                "per_epoch": {"clip_seed0": result.outcomes["clip"][0].history},
            },
        }

    def figures(self, result: ZeroshotResult) -> dict:
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

    def summary(self, report: dict) -> list[tuple[str, str]]:
        z = report["zeroshot"]
        rows = []
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
                rows.append((f"{split} {arrow}", f"{spread}; paper's rule {format_percent(p['mean'], 1)}"
                             + (f"; prototypical {format_percent(proto['mean'], 1)}" if proto else "")))
        cost = z["training_cost"]
        rows.append(("training cost", f"{cost['lsm_clip_macs']:.3g} MACs (LSM + projections) vs "
                                      f"{cost['bptt_srnn_clip_macs']:.3g} (BPTT SRNN-CLIP), "
                                      f"{cost['bptt_over_lsm']:.1f}× less"))
        e = z["energy_per_query_J"]
        rows.append(("projection / query", f"vision {format_quantity(e['projection_vision'], 'J')}, audio "
                                           f"{format_quantity(e['projection_audio'], 'J')} "
                                           f"({z['hardware']['projection']})"))
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
    classes = None
    for split in ("seen", "unseen"):
        r = first.results["honest"][split]["audio_to_image"]
        classes = r.classes
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
