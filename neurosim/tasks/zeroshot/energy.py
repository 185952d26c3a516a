"""What the task costs on the chip: the energy of embedding one query (its reservoir plus its
projection, digital or read on the crossbar macro) and the operations of training, against BPTT.

One accounting path: a digital projection's MACs are counted in the reservoir's
:class:`~neurosim.crossbar.tally.Tally` (``readout_macs``) and priced with it; a projection read on
the crossbar is its macro's tally (row activations, conversions at the ADC's bits, TIA, S&H, bit lines,
cell reads) priced by the same :func:`~neurosim.energy.price` as a part of its own
(:func:`~neurosim.energy.parts.array_estimate`) and joined to the reservoir's estimate by
:meth:`~neurosim.energy.EnergyEstimate.combine` (one after the other), which keeps the baselines,
the operating envelope and the latency."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from neurosim import seeds
from neurosim.config import Config, apply_mapping
from neurosim.crossbar import CrossbarMacro
from neurosim.energy import EnergyEstimate, estimate_energy
from neurosim.energy.parts import array_estimate
from neurosim.learning.contrastive import Projection
from neurosim.learning.crossmodal import training_macs
from neurosim.tasks.zeroshot.data import ModalityData
from neurosim.tasks.zeroshot.settings import ZeroshotSettings

__all__ = ["QueryEnergy", "training_cost"]


@dataclass(frozen=True)
class QueryEnergy:
    """The energy of embedding one query of a modality: ``total`` (reservoir and projection, one
    after the other), the projection's share ``projection_J`` (J: its digital MACs, or its crossbar
    reads plus a digital second layer) and, when the projection's first layer is read on the
    crossbar, that part alone (``crossbar``: its macro's tally priced per query)."""

    total: EnergyEstimate
    projection_J: float
    crossbar: EnergyEstimate | None = None


def _query_energy(data: ModalityData, settings: ZeroshotSettings, proj: Projection,
                  macro: CrossbarMacro | None) -> QueryEnergy:
    """Energy of embedding one sample of this modality: its reservoir on the chip plus the
    projection, digital (MACs per spiking neuron into the first layer, plus the second layer's
    ``hidden × dim`` per sample, in the reservoir's tally) or with its first layer read on
    ``macro`` (the macro's tally over the queries it read, a part of its own)."""
    run = data.run
    config = data.config
    second = proj.params["w2"].size if proj.kind == "twofc" else 0       # the second layer is digital
    first = 0 if macro is not None else int(np.count_nonzero(run.features)) * (
        proj.n_out if proj.kind == "linear" else settings.hidden)
    counts = replace(run.operations, readout_macs=first + second * run.operations.samples)
    reservoir = estimate_energy(config, counts, run.network.programmed, n_inputs=run.input_counts.shape[1],
                                n_classes=proj.n_out, steps=run.n_bins)
    digital_J = reservoir.breakdown_J["readout"]
    if macro is None:
        return QueryEnergy(total=reservoir, projection_J=digital_J)
    p = macro.programmed
    part = array_estimate(macro.config, macro.tally, max(1, macro.tally.vectors), ideal=p.g_pos is None,
                          cells_per_weight=p.tiling.cells_per_weight)
    return QueryEnergy(total=EnergyEstimate.combine([reservoir, part]), projection_J=digital_J + part.per_inference_J,
                       crossbar=part)


def training_cost(a: ModalityData, b: ModalityData, settings: ZeroshotSettings, n_pairs: int) -> dict:
    """Operations (MACs) of training, for the comparison with the paper's SRNN-CLIP (docs/studies/zeroshot.md).

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
                   settings: ZeroshotSettings, seed: int, which: str) -> tuple[np.ndarray, CrossbarMacro]:
    """First-layer pre-activations of samples ``idx`` computed on the chip's crossbar: the
    standardisation folded into the weights (``W' = W/σ``, ``b' = b − (μ/σ) W``), ``W'``
    written by write-verify into a macro, raw spike counts applied bit-serially. Returns the
    pre-activations and the macro, whose tally holds the reads of these queries (one vector each) and
    whose ``config.crossbar.adc_range`` is ``zeroshot.crossbar_adc_range``, or calibrated on the seen
    training samples: their largest column output, read once through the same programmed arrays,
    maps to full scale (a one-off at deployment, not in the macro's tally)."""
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
    return y + bias, macro
