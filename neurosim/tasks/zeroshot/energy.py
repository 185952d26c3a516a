"""What the task costs on the chip: the energy of embedding one query (its reservoir plus its
projection, digital or read on the crossbar macro) and the operations of training, against BPTT."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from neurosim import seeds
from neurosim.config import Config, apply_mapping
from neurosim.crossbar import CrossbarMacro
from neurosim.energy import EnergyEstimate, estimate_energy
from neurosim.energy.macro_cost import macro_energy_J
from neurosim.learning.contrastive import Projection
from neurosim.learning.crossmodal import training_macs
from neurosim.tasks.zeroshot.data import ModalityData
from neurosim.tasks.zeroshot.settings import ZeroshotSettings

__all__ = ["training_cost"]


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
