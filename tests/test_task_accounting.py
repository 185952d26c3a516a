"""Every task's array reads are priced on the one accounting path: the reads a task makes besides its
reservoir (zero-shot's crossbar projection, prediction's readouts in the chip memory, continual's trained
network on the chip) are counted in a Tally and priced by the same function as the network's steps,
with their ADC bits, TIA, S&H, bit lines and cell reads, and join the reservoir's estimate without
losing its baselines, operating envelope or latency.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from neurosim.config import load_config
from neurosim.energy import estimate_energy, tally_energy_breakdown
from neurosim.energy.model import adc_energy_per_conversion, cell_read_scale, tia_energy_per_conversion
from neurosim.tasks.registry import RunContext
from tiny import TINY_ZEROSHOT

CHIP = "rram-40nm-256kb"


def close(expected, rel=1e-9):
    """``pytest.approx`` without its 1e-12 absolute tolerance (which would pass any two energies in J)."""
    return pytest.approx(expected, rel=rel, abs=0.0)


@pytest.mark.slow
def test_zeroshot_crossbar_projection_is_its_macros_tally_priced_and_joins_the_reservoir(monkeypatch):
    import neurosim.tasks.zeroshot as zeroshot
    from neurosim.tasks.runner import run_task

    macros = {}
    first_layer = zeroshot._crossbar_pre1

    def recording(data, proj, idx, config, settings, seed, which):
        y, macro = first_layer(data, proj, idx, config, settings, seed, which)
        macros[which] = macro
        return y, macro
    monkeypatch.setattr(zeroshot, "_crossbar_pre1", recording)
    config = load_config(CHIP, overrides=[*TINY_ZEROSHOT, "zeroshot.seeds=1", "zeroshot.proto_baseline=false",
                                          "zeroshot.hardware=crossbar", "zeroshot.projection=linear"])
    out = run_task("zeroshot", config, RunContext("cpu"))
    r = out.result
    for which, data in (("vision", r.vision), ("audio", r.audio)):
        macro, query = macros[which], r.projection[which]
        t = macro.tally
        n = t.vectors
        assert n == len(data.split.unseen) and t.adc_conversions > 0
        # the crossbar part is the macro's tally priced by the one price list, per query
        priced = tally_energy_breakdown(macro.config, t, cells_per_weight=macro.programmed.tiling.cells_per_weight)
        assert query.crossbar.breakdown_J == close({k: v / n for k, v in priced.items()})
        e = macro.config.energy
        adc_J = adc_energy_per_conversion(macro.config)
        assert query.crossbar.breakdown_J["adc"] == close(t.adc_conversions * adc_J / n)
        tia_J = tia_energy_per_conversion(macro.config)
        assert query.crossbar.breakdown_J["tia"] == close(t.adc_conversions * tia_J / n)
        assert query.crossbar.breakdown_J["sample_hold"] == close(t.adc_conversions * e.sample_hold / n)
        assert query.crossbar.breakdown_J["synapse_reads"] == close(t.cell_read_J * cell_read_scale(macro.config) / n)
        # the reservoir's estimate (a linear projection on the crossbar: no digital MACs) plus the part
        run = data.run
        reservoir = estimate_energy(data.config, replace(run.operations, readout_macs=0), run.network.programmed,
                                    n_inputs=run.input_counts.shape[1], n_classes=config.section("zeroshot").dim,
                                    steps=run.n_bins)
        total = getattr(r, f"energy_{which}")
        assert total.per_inference_J == close(reservoir.per_inference_J + query.crossbar.per_inference_J)
        for k in priced:
            assert total.breakdown_J[k] == close(reservoir.breakdown_J[k] + query.crossbar.breakdown_J[k]), k
        assert total.breakdown_J["readout"] == 0.0, "no digital MACs: the projection is read on the crossbar"
        assert total.latency_s == close(reservoir.latency_s + query.crossbar.latency_s)
        assert total.sensor_to_decision_s == close(reservoir.sensor_to_decision_s + query.crossbar.latency_s)
        assert [b["key"] for b in total.baselines] == [b["key"] for b in reservoir.baselines]
        assert total.envelope["max_active_rows"] == max(reservoir.envelope["max_active_rows"],
                                                        query.crossbar.envelope["max_active_rows"])
        assert query.projection_J == close(query.crossbar.per_inference_J)
        assert out.report["zeroshot"]["energy_per_query_J"][f"projection_{which}"] == close(query.projection_J)
    assert out.report["latency"]["sensor_to_decision_s"] > 0 and out.report["energy"]["baselines"]


def test_continual_on_chip_prices_inference_as_the_trained_networks_crossbar_reads(monkeypatch):
    import neurosim.tasks.continual as continual
    from tiny import TINY_CONTINUAL

    parts = []
    inference = continual._on_chip_inference

    def recording(config, memory, tasks):
        before = memory.tally.as_dict()
        part = inference(config, memory, tasks)
        assert memory.tally.as_dict() == before, "the inference reads stay out of the learning's tally"
        parts.append((part, sum(len(t.x_test) for t in tasks)))
        return part
    monkeypatch.setattr(continual, "_on_chip_inference", recording)
    tiny = [*TINY_CONTINUAL, "continual.methods=finetune", "continual.epochs=1"]
    digital = continual.Continual().run(load_config(CHIP, overrides=tiny), RunContext("cpu")).energy
    assert not parts and digital.breakdown_J["readout"] > 0
    chip = continual.Continual().run(load_config(CHIP, overrides=[*tiny, "continual.on_chip=true"]),
                                     RunContext("cpu")).energy
    (part, samples), = parts
    assert chip.breakdown_J["readout"] == 0.0, "the trained network is read on the crossbar, not as digital MACs"
    assert part.breakdown_J["adc"] > 0 and part.breakdown_J["synapse_reads"] > 0 and part.breakdown_J["writes"] == 0
    reservoir = {k: v for k, v in digital.breakdown_J.items() if k != "readout"}
    for k, v in reservoir.items():
        if k != "static":
            assert chip.breakdown_J[k] == close(v + part.breakdown_J.get(k, 0.0)), k
    assert chip.latency_s == close(digital.latency_s + part.latency_s)
    assert chip.baselines and [b["key"] for b in chip.baselines] == [b["key"] for b in digital.baselines]
    # every ADC conversion of the reads priced at the ADC's resolution (per sample)
    conversions = part.breakdown_J["adc"] / adc_energy_per_conversion(load_config(CHIP)) * samples
    assert conversions == pytest.approx(round(conversions), rel=1e-9) and conversions >= samples


def test_prediction_on_chip_reads_price_as_the_macros_tally_for_the_same_reads():
    """A readout stored in the chip memory and read whole (OnChipMemory.count_read, the prediction
    task's closed-loop reads) costs what a CrossbarMacro on the same conductances counts for the same
    reads (every row driven once: a binary all-ones vector), component by component, but for the event
    buffer: the readout's inputs are dense registers that drive the DACs in place (stated in count_read)."""
    from neurosim.crossbar import CrossbarMacro
    from neurosim.crossbar.mapping import ProgrammedMatrix, tiling_for
    from neurosim.energy import price
    from neurosim.learning.onchip import OnChipMemory

    for sizes in ([], ["crossbar.rows=16", "crossbar.cols=16"]):       # one array; row and column tiles
        config = load_config(CHIP, overrides=["device.read_noise_std=0", *sizes])
        memory = OnChipMemory(config, np.random.default_rng(0))
        w = np.random.default_rng(1).standard_normal((3, 40))          # out × in, as the readouts store it
        memory.store("W", w, 4.0)
        writes = memory.tally.program_pulses
        memory.count_read("W", 5)
        assert memory.tally.program_pulses == writes
        stored = memory._stored["W"]
        programmed = ProgrammedMatrix(weights=stored.gain * (stored.g_pos - stored.g_neg).T,
                                      g_pos=np.ascontiguousarray(stored.g_pos.T),
                                      g_neg=np.ascontiguousarray(stored.g_neg.T),
                                      tiling=tiling_for((40, 3), config.crossbar, False), gain=stored.gain)
        macro = CrossbarMacro(config, programmed, np.random.default_rng(2), device=memory.device)
        macro @ np.ones((5, 40))
        reads = replace(memory.tally, program_pulses=0, weight_writes=0)
        on_chip, by_macro = price(config, reads, cells_per_weight=2), price(config, macro.tally, cells_per_weight=2)
        assert on_chip["adc"] > 0 and on_chip["tia"] > 0 and on_chip["sample_hold"] > 0 and on_chip["bitlines"] > 0
        for k, v in by_macro.items():
            if k != "buffer":
                assert on_chip[k] == close(v, rel=1e-12), (sizes, k)
        assert on_chip["buffer"] == 0.0
