"""The ``[zeroshot]`` settings section: its keys, their cross-key check, and the run config of each
modality's reservoir derived from it (dataset, time steps, threshold and decay)."""

from __future__ import annotations

from dataclasses import dataclass

from neurosim.config import Config, apply_mapping, param
from neurosim.errors import ConfigError
from neurosim.learning.contrastive import KINDS
from neurosim.networks.models import get_model

__all__ = ["ZeroshotSettings", "modality_config", "parse_classes"]


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
    val_split: str = param("samples", "Validation split of the seen classes: 'samples' = a stratified random "
                           "val_fraction of each class's training samples; 'groups' = every training sample of "
                           "round(val_fraction × groups) whole groups (speakers) held out, for a dataset that "
                           "declares groups (else 'samples')", choices=("samples", "groups"))
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
    bootstrap: int = param(1000, "Replicates of the bootstrap over training seeds, queries and pool candidates "
                           "behind the honest checkpoints' p-values against chance (0 = none)", "", 0, 1000000)
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


def _seen_unseen_settings(settings: ZeroshotSettings) -> tuple[tuple[int, ...], tuple[int, ...]]:
    return parse_classes(settings.seen_classes, "seen_classes"), parse_classes(settings.unseen_classes,
                                                                               "unseen_classes")
