"""Training of the projections, one seed at a time, and checkpoint selection: every epoch evaluated,
the honest checkpoint chosen on the seen classes' validation split, the paper's on the test pools."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from neurosim.data import pair_by_label
from neurosim.learning.contrastive import Projection
from neurosim.learning.crossmodal import TrainSpec, copy_projection, train_pair
from neurosim.progress import Progress
from neurosim.tasks.zeroshot.data import ModalityData
from neurosim.tasks.zeroshot.metrics import DIRECTIONS, _pools, _retrieve, _scores, _train_centres
from neurosim.tasks.zeroshot.settings import ZeroshotSettings

__all__ = ["SeedOutcome", "train_and_select"]


@dataclass
class SeedOutcome:
    """One training seed of one method: per-epoch accuracies and the selected checkpoints.

    ``history[k]``: epoch ``k`` (0 = untrained) with ``loss`` and accuracies ``val``, ``seen``,
    ``unseen``, each ``{direction: accuracy}``. ``selected``: protocol → ``{direction: epoch}``;
    ``results``: protocol → split → direction → :class:`Retrieval` of that checkpoint;
    ``honest_scores``: split → direction → :class:`Scores` of the honest checkpoint (for hubness and
    the bootstrap over queries and candidates).
    """

    history: list = field(default_factory=list)
    selected: dict = field(default_factory=dict)
    results: dict = field(default_factory=dict)
    paper_qualified: dict = field(default_factory=dict)
    snapshots: dict = field(default_factory=dict)
    honest_scores: dict = field(default_factory=dict)


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
    pa, pb = snapshots[honest]
    centres = _train_centres(pa, pb, pools["train"]) if settings.centre == "train" else None
    out.honest_scores = {split: _scores(pa, pb, pools[split], settings, centres) for split in ("seen", "unseen")}
    out.snapshots = {e: snapshots[e] for e in {honest, 0}}
    return out
