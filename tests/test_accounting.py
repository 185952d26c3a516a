"""One accounting path: every array read and write lands in one Tally, priced by one function.

The tiny cases are priced by hand here (first-principles arithmetic from the chip's energy
constants), so a change to the counting or the pricing of any path fails them.
"""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.config import load_config
from neurosim.crossbar import CrossbarMacro, Tally, program_random_matrix
from neurosim.energy import (EnergyEstimate, count_operations, estimate_energy, macro_energy_breakdown,
                             macro_latency_s, price, tally_energy_breakdown)
from neurosim.energy.model import adc_energy_per_conversion, array_read_time
from neurosim.learning.onchip import OnChipMemory

CHIP = "rram-40nm-256kb"


def close(expected, rel=1e-9, abs=0.0):
    """``pytest.approx`` without its default absolute tolerance of 1e-12, which would pass any two
    energies in J below a picojoule."""
    return pytest.approx(expected, rel=rel, abs=abs)


def _supply_view(config) -> float:
    """V_dd / V_read when the chip charges cell reads from the supply, else 1."""
    e = config.energy
    return e.supply_voltage / config.crossbar.read_voltage if e.cell_read_view == "supply" else 1.0


def _by_hand(config, line_drives=0, pulses=0, conversions=0, array_reads=0, adds=0, buffer=0, cell_J=0.0,
             neuron_updates=0, readout_macs=0, program_pulses=0, cells_per_weight=2) -> dict[str, float]:
    """Every price component of the chip, written out from its energy constants."""
    e, x, d = config.energy, config.crossbar, config.device
    full_scale_A = x.adc_range * x.rows * (d.g_max - d.g_min) * x.read_voltage  # differential column
    return {
        "synapse_reads": cell_J * _supply_view(config),
        "row_drivers": line_drives * e.row_driver,
        "dac": pulses * e.dac_pulse,
        "adc": conversions * e.adc_conversion * 2.0 ** (x.adc_bits - e.adc_ref_bits),
        "tia": conversions * (full_scale_A * x.read_pulse * e.supply_voltage if e.tia_model == "full-scale-current"
                              else e.tia * x.adc_range),
        "sample_hold": conversions * e.sample_hold,
        "column_mux": conversions * e.column_mux if x.columns_per_adc > 1 else 0.0,
        "bitlines": conversions * cells_per_weight * e.bitline,
        "control": array_reads * e.control,
        "partial_sums": adds * e.partial_sum_add,
        "buffer": buffer * e.buffer_access,
        "neuron_updates": neuron_updates * (e.neuron_update + e.neuron_state),
        "readout": readout_macs * e.readout_mac,
        "writes": program_pulses * e.program_pulse,
    }


def test_network_steps_priced_from_first_principles():
    # 2 inputs + 1 neuron on one array; step 0 drives input 0; step 1 drives inputs 0 and 1 and the
    # neuron's recurrent row: the input segment is read in both steps, the recurrent one in step 1.
    config = load_config(CHIP, overrides=["energy.static_power=1e-3", "energy.static_power_per_array=0"])
    programmed = program_random_matrix(config, (3, 1), np.random.default_rng(0))
    inputs = np.array([[[1, 0], [1, 1]]], dtype=bool)
    spikes = np.array([[[0], [1]]], dtype=bool)
    tally = count_operations(inputs, spikes, programmed.tiling, n_classes=2)
    assert isinstance(tally, Tally)
    e = estimate_energy(config, tally, programmed, n_inputs=2, n_classes=2, steps=2)
    v, t = config.crossbar.read_voltage, config.crossbar.read_pulse
    g = programmed.row_conductance
    # 4 row drives; 3 segment reads, 1 conversion each; step 1 adds 2 partial sums (1 add); 2 active
    # steps update the neuron; it spiked, so the readout does 2 MACs; the buffer holds 3 events and the
    # spike, and every pulse reads it once
    expected = _by_hand(config, line_drives=4, pulses=4, conversions=3, array_reads=3, adds=1,
                        buffer=(3 + 1) + 4, cell_J=v * v * t * (2 * g[0] + g[1] + g[2]),
                        neuron_updates=2, readout_macs=2)
    for key, value in expected.items():
        assert e.breakdown_J[key] == close(value, rel=1e-12, abs=1e-30), key
    cycle = 1.0 / config.energy.clock_hz
    latency = 3 * array_read_time(config) + (4 + 2) * cycle + 1 * cycle   # 3 serial reads, events, steps, readout
    assert e.latency_s == close(latency)
    assert e.breakdown_J["static"] == close(1e-3 * latency)
    assert e.breakdown_J["wakeups"] == close(2 * config.energy.wakeup_energy)  # 2 active steps wake 1 array
    assert e.per_inference_J == close(sum(expected.values()) + 1e-3 * latency + e.breakdown_J["wakeups"])


def test_macro_reads_priced_by_the_same_function():
    # 3 inputs x 2 outputs, binary input [1, 0, 1]: 2 lines, 1 array read, 2 conversions
    config = load_config(CHIP, overrides=["crossbar.rows=4", "crossbar.cols=4", "energy.static_power=1e-3",
                                          "energy.static_power_per_array=0"])
    p = program_random_matrix(config, (3, 2), np.random.default_rng(11))
    macro = CrossbarMacro(config, p)
    macro @ np.array([1.0, 0.0, 1.0])
    t = macro.tally
    assert (t.serial_reads, t.synapse_ops, t.adc_checked, t.max_active_rows) == (1, 4, 2, 2)
    v, tp = config.crossbar.read_voltage, config.crossbar.read_pulse
    g = p.row_conductance
    expected = _by_hand(config, line_drives=2, pulses=2, conversions=2, array_reads=1,
                        buffer=2 + 2 + 2, cell_J=v * v * tp * (g[0] + g[2]))
    got = macro_energy_breakdown(macro)
    for key, value in expected.items():
        assert got[key] == close(value, rel=1e-12, abs=1e-30), key
    assert got["static"] == close(1e-3 * array_read_time(config))
    assert macro_latency_s(macro) == close(array_read_time(config) + 1 / config.energy.clock_hz)
    # the same function prices the network path: one price list
    assert price(config, t, cells_per_weight=2) == {k: v for k, v in got.items() if k != "static"}


def test_on_chip_writes_and_reads_share_one_tally():
    config = load_config(CHIP, overrides=["device.program_std=2e-6"])
    memory = OnChipMemory(config, np.random.default_rng(0))
    memory.store("W", np.random.default_rng(1).standard_normal((3, 4)), 4.0)
    t = memory.tally
    assert t.weight_writes == 12 and t.program_pulses >= 2 * 12 and t.vectors == 0
    memory.matmul("W", np.ones((2, 4)))
    assert t.vectors > 0 and t.adc_conversions > 0
    parts = tally_energy_breakdown(config, t)
    assert parts["writes"] == close(t.program_pulses * config.energy.program_pulse)
    assert parts["adc"] == close(t.adc_conversions * adc_energy_per_conversion(config))


def test_tally_adds_counts_and_keeps_peaks():
    a = Tally(samples=2, line_drives=3, cell_read_J=1e-12, adc_peak=0.5, max_active_rows=4,
              row_activations_per_row=np.array([1, 2]))
    b = Tally(samples=1, line_drives=5, cell_read_J=2e-12, adc_peak=0.25, max_active_rows=7, program_pulses=3)
    both = a + b
    assert (both.samples, both.line_drives, both.program_pulses) == (3, 8, 3)
    assert both.cell_read_J == close(3e-12)
    assert (both.adc_peak, both.max_active_rows) == (0.5, 7)
    assert both.row_activations_per_row.tolist() == [1, 2]
    assert a.line_drives == 3, "+ leaves its operands alone"
    a.add(Tally(row_activations_per_row=np.array([1, 1])))
    assert a.row_activations_per_row.tolist() == [2, 3]


def _part(total, static, latency, sensor, programming, baselines, envelope):
    return EnergyEstimate(per_inference_J=total, breakdown_J={"adc": total - static, "static": static},
                          latency_s=latency, baseline_name="", baseline_per_inference_J=0.0,
                          programming_J=programming, baselines=tuple(baselines), sensor_to_decision_s=sensor,
                          envelope=envelope)


def _baseline(key, fair, energy, dynamic):
    return {"key": key, "name": key.upper(), "fair": fair, "per_inference_J": energy, "dynamic_J": dynamic}


def _envelope(rows, clipped, outside):
    return {"max_active_rows": rows, "rated_active_rows": 64, "clipped_fraction": clipped,
            "clipping_measured": clipped > 0, "adc_bits": 8, "outside": outside}


def test_combine_keeps_baselines_envelope_and_latency():
    a = _part(3e-9, 1e-9, 2e-6, 5e-3, 1e-6, [_baseline("gpu", True, 9e-9, 6e-9), _baseline("soc", True, 7e-9, 5e-9),
                                             _baseline("naive", False, 1e-9, 1e-9)], _envelope(10, 0.0, False))
    b = _part(5e-9, 2e-9, 3e-6, 4e-3, 2e-6, [_baseline("gpu", True, 1e-9, 1e-9), _baseline("soc", True, 6e-9, 4e-9),
                                             _baseline("naive", False, 2e-9, 1e-9)], _envelope(80, 0.02, True))
    projection = _part(1e-9, 0.0, 1e-6, 1e-6, 0.0, [], {})
    both = EnergyEstimate.combine([a, b, projection])
    assert both.per_inference_J == close(9e-9)
    assert both.breakdown_J == close({"adc": 6e-9, "static": 3e-9})
    assert both.latency_s == close(6e-6) and both.sensor_to_decision_s == close(9.001e-3)
    assert both.programming_J == close(3e-6)
    by_key = {x["key"]: x for x in both.baselines}
    assert by_key["gpu"]["per_inference_J"] == close(10e-9)          # 9 + 1
    assert by_key["soc"]["per_inference_J"] == close(13e-9)          # 7 + 6
    assert by_key["soc"]["ratio"] == close(13 / 9)
    assert by_key["soc"]["dynamic_ratio"] == close(9e-9 / 6e-9)      # vs the chip without static
    # the strongest fair baseline of the sums: gpu (10), though soc was the stronger in part a
    assert both.baseline_name == "GPU" and both.baseline_per_inference_J == close(10e-9)
    assert both.improvement_vs_baseline == close(7 / 6)                # dynamic: (6 + 1) / (9 − 3)
    env = both.envelope
    assert env["outside"] and env["max_active_rows"] == 80 and env["clipped_fraction"] == 0.02
    side_by_side = EnergyEstimate.combine([a, b], parallel=True)
    assert side_by_side.latency_s == close(3e-6) and side_by_side.sensor_to_decision_s == close(5e-3)
    with pytest.raises(ValueError, match="at least one part"):
        EnergyEstimate.combine([])


def test_combine_of_real_estimates_matches_the_parts():
    config = load_config(CHIP)
    programmed = program_random_matrix(config, (10, 4), np.random.default_rng(0))
    parts = []
    for seed in (1, 2):
        inputs = np.random.default_rng(seed).random((3, 5, 6)) < 0.4
        spikes = np.random.default_rng(seed + 10).random((3, 5, 4)) < 0.3
        c = count_operations(inputs, spikes, programmed.tiling, n_classes=3)
        parts.append(estimate_energy(config, c, programmed, n_inputs=6, n_classes=3, steps=5, sample_s=0.01))
    both = EnergyEstimate.combine(parts)
    assert both.per_inference_J == close(sum(p.per_inference_J for p in parts))
    assert both.latency_s == close(sum(p.latency_s for p in parts))
    assert len(both.baselines) == len(parts[0].baselines)
    for combined, x, y in zip(both.baselines, parts[0].baselines, parts[1].baselines):
        assert combined["per_inference_J"] == close(x["per_inference_J"] + y["per_inference_J"])
        assert combined["ratio"] == close(combined["per_inference_J"] / both.per_inference_J)
    fair = [b for b in both.baselines if b["fair"]]
    assert both.baseline_dynamic_J == min(b["dynamic_J"] for b in fair)
    assert both.envelope.keys() == parts[0].envelope.keys()


def test_zeroshot_energy_keeps_both_modalities_baselines_envelope_and_latency():
    from neurosim.tasks.registry import RunContext
    from neurosim.tasks.runner import run_task

    tiny = ["run.samples=120", "network.neurons=24", "zeroshot.vision_n_bins=12", "zeroshot.audio_n_bins=16",
            "zeroshot.epochs=2", "zeroshot.seeds=1", "zeroshot.batch=16", "zeroshot.dim=8", "zeroshot.hidden=8",
            "zeroshot.proto_baseline=false"]
    out = run_task("zeroshot", load_config(CHIP, overrides=tiny), RunContext("cpu"))
    r = out.result
    v, a = r.energy_vision, r.energy_audio
    assert r.energy.per_inference_J == close(v.per_inference_J + a.per_inference_J)
    assert r.energy.latency_s == max(v.latency_s, a.latency_s)            # the two reservoirs run side by side
    assert r.energy.baselines, "the combined estimate lists the digital baselines"
    for both, x, y in zip(r.energy.baselines, v.baselines, a.baselines):
        assert both["key"] == x["key"] == y["key"]
        assert both["per_inference_J"] == close(x["per_inference_J"] + y["per_inference_J"])
    assert r.energy.envelope["max_active_rows"] == max(v.envelope["max_active_rows"], a.envelope["max_active_rows"])
    energy = out.report["energy"]
    assert energy["baselines"] and energy["envelope"] and energy["baseline"]["name"]
    assert out.report["latency"]["sensor_to_decision_s"] == close(
        max(v.sensor_to_decision_s, a.sensor_to_decision_s))


def test_prediction_prices_each_seeds_cell_reads_with_its_own_chip(monkeypatch):
    import neurosim.tasks.prediction as prediction
    from neurosim.tasks.registry import RunContext

    seen = []
    run_trials = prediction._run_trials

    def recording(engine, lsm, *args, **kwargs):
        tally = run_trials(engine, lsm, *args, **kwargs)
        seen.append((lsm.programmed, tally))
        return tally
    monkeypatch.setattr(prediction, "_run_trials", recording)
    tiny = ["network.model=izhikevich", "network.neurons=20", "prediction.seeds=2", "prediction.trial_duration=0.3",
            "prediction.t_a=0.15", "prediction.t_b=0.25", "prediction.what_window=0.1", "prediction.block_trials=2",
            "prediction.sweep_warmup_trials=0", "prediction.p_levels=2", "prediction.test_every=0",
            "prediction.test_trials=1", "prediction.switch_methods=three-factor", "prediction.switch_pre_blocks=1",
            "prediction.channels_per_stimulus=3", "crossbar.adc_mode=ideal"]  # izhikevich: no ADC in its loop
    config = load_config(CHIP, overrides=tiny)
    result = prediction.Prediction().run(config, RunContext("cpu"))
    v, t = config.crossbar.read_voltage, config.crossbar.read_pulse
    chips = {id(p) for p, _ in seen}
    assert len(chips) == 2, "two seeds, two chip instances"
    total = sum(v * v * t * float(np.dot(c.row_activations_per_row, p.row_conductance)) for p, c in seen)
    trials = sum(c.samples for _, c in seen)
    assert result.energy.breakdown_J["synapse_reads"] == close(_supply_view(config) * total / trials, rel=1e-12)
