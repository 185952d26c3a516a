"""The energy of learning and of readout inference per method, each a tally priced by the chip's
price list (the reservoir's own energy is the run's :class:`~neurosim.energy.EnergyEstimate`)."""

from __future__ import annotations

from dataclasses import replace

from neurosim.energy import Tally, price
from neurosim.tasks.prediction.result import PredictionResult


def _learning_energy(result: PredictionResult) -> dict:
    """Energy of learning and of readout inference per method (summed over seeds, and per trial), each
    a :class:`~neurosim.energy.Tally` priced by :func:`~neurosim.energy.price`."""
    config = result.config
    features = result.runs[0].features
    per: dict[str, dict] = {}
    for run in result.runs:
        hooks = ([("sweep three-factor", run.sweep[1])] if run.sweep else []) + \
                [(f"switch {m}", h) for m, (_, h) in run.switch.items()]
        for name, h in hooks:
            d = per.setdefault(name, {"trials": 0, "programming_pulses": 0, "weight_updates": 0, "rls_macs": 0,
                                      "learning_copy_macs": 0, "readout_reads": 0, "_chip": Tally()})
            d["trials"] += len(h.trials)
            d["learning_copy_macs"] += h.learn_macs_
            for store in (h.w_when, h.w_what):
                if store is not None:
                    d["weight_updates"] += store.updates_
                    d["readout_reads"] += store.reads_
            if h.memory is not None:
                d["_chip"].add(h.memory.tally)
                d["programming_pulses"] += h.memory.tally.program_pulses
            if h.method.startswith("force"):
                forget = features * features if h.p.rls_forgetting != 1.0 else 0     # P / λ
                d["rls_macs"] += h.rls_updates_ * (2 * features * features + 4 * features + forget)
                d["readout_reads"] += len(h.trials) * result.bins
    for d in per.values():
        chip = d.pop("_chip")
        on_chip = result.on_chip and d["rls_macs"] == 0          # RLS readouts are digital
        digital = d["rls_macs"] + d["learning_copy_macs"] + (0 if on_chip else d["weight_updates"])
        learn = price(config, Tally(program_pulses=chip.program_pulses, readout_macs=digital))
        if on_chip:       # the reads the chip memory counted (its writes are learning)
            reads = price(config, replace(chip, program_pulses=0), cells_per_weight=2)
        else:
            reads = price(config, Tally(readout_macs=d["readout_reads"] * 2 * features))
        d.update(on_chip=on_chip, learning_J_per_trial=float(sum(learn.values())) / max(d["trials"], 1),
                 readout_inference_J_per_trial=float(sum(reads.values())) / max(d["trials"], 1))
    return {"per_method": per,
            "model": ("every figure is a Tally priced by the chip's price list (neurosim.energy.price); on chip: "
                      "the readouts live in the chip memory: each read drives the F rows once and converts "
                      "each output per row tile (OnChipMemory.count_read), each update costs the "
                      "program_pulse of its write-verify pulses; digital: 2F readout_mac per read, one "
                      "readout_mac per weight update; RLS (always digital): 2F² + 4F MACs per update "
                      "(3F² + 4F with a forgetting factor: P is divided by λ); "
                      "with output_weights = 'trial-start' the learning copy adds 2F readout_mac per channel "
                      "and step it learns (its error read and update), and the store is written once per trial")}
