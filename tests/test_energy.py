"""Operation counters and the energy model on hand-built examples."""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.config import load_config
from neurosim.crossbar import program_random_matrix, tiling_for
from neurosim.energy import count_operations, estimate_energy


def test_counts_match_hand_counting_across_two_row_tiles():
    # 3 inputs + 2 neurons = 5 logical rows on arrays of 4 rows: tile 0 = rows 0-3, tile 1 = row 4.
    config = load_config("rram-40nm-256kb", overrides=["crossbar.rows=4", "crossbar.cols=4"])
    tiling = tiling_for((5, 2), config.crossbar, ideal=False)
    assert (tiling.row_tiles, tiling.col_tiles) == (2, 1)
    inputs = np.zeros((1, 3, 3), dtype=bool)
    spikes = np.zeros((1, 3, 2), dtype=bool)
    inputs[0, 0, [0, 2]] = True        # step 0: two input rows, tile 0 only
    spikes[0, 1, 1] = True             # step 1: neuron 1 = row 4, tile 1 only
    inputs[0, 2, 1] = True             # step 2: row 1 (tile 0) and row 3 (neuron 0, tile 0)
    spikes[0, 2, [0, 1]] = True        #         and row 4 (tile 1): both tiles
    c = count_operations(inputs, spikes, tiling, n_classes=3)
    assert c.row_activations == 6
    assert c.row_activations_per_row.tolist() == [1, 1, 1, 1, 2]
    # segments (input rows and recurrent rows of one array are read apart): tile 0 = inputs 0-2
    # and neuron 0, tile 1 = neuron 1. Step 2 reads 3 segments (inputs, neuron 0, neuron 1).
    assert c.array_reads == 5                    # (1 + 1 + 3) segment reads x 1 column tile
    assert c.adc_conversions == 5 * 2            # each read converts the 2 outputs
    assert c.digital_adds == 2 * 2               # step 2 merges 3 partial sums: 2 adds per output
    assert c.serial_reads == 1 + 1 + 2           # tile 0 is read twice in step 2, tile 1 in parallel
    assert c.neuron_updates == 3 * 2
    assert c.readout_macs == 2 * 3
    assert c.synapse_ops == 6 * 2


def test_rram_read_energy_is_v2_g_t_of_the_driven_rows():
    config = load_config("rram-40nm-256kb")
    programmed = program_random_matrix(config, (3, 2), np.random.default_rng(0))
    inputs = np.zeros((1, 1, 1), dtype=bool)
    spikes = np.zeros((1, 1, 2), dtype=bool)
    inputs[0, 0, 0] = True
    counts = count_operations(inputs, spikes, programmed.tiling, n_classes=2)
    energy = estimate_energy(config, counts, programmed, n_inputs=1, n_classes=2, steps=1)
    v, t = config.crossbar.read_voltage, config.crossbar.read_pulse
    g_row0 = programmed.g_pos[0].sum() + programmed.g_neg[0].sum()
    assert energy.breakdown_J["synapse_reads"] == pytest.approx(v * v * t * g_row0)
    assert energy.breakdown_J["adc"] == pytest.approx(2 * config.energy.adc_conversion)


@pytest.mark.parametrize("chip", ["rram-40nm-256kb", "ideal"])
def test_breakdown_sums_to_total_and_silence_costs_no_dynamic_energy(chip):
    config = load_config(chip)
    programmed = program_random_matrix(config, (10, 4), np.random.default_rng(0))
    active = np.random.default_rng(1).random((5, 7, 6)) < 0.3
    spikes = np.random.default_rng(2).random((5, 7, 4)) < 0.2
    for inputs, out in ((active, spikes), (np.zeros_like(active), np.zeros_like(spikes))):
        counts = count_operations(inputs, out, programmed.tiling, n_classes=3)
        e = estimate_energy(config, counts, programmed, n_inputs=6, n_classes=3, steps=7)
        assert sum(e.breakdown_J.values()) == pytest.approx(e.per_inference_J)
        assert all(b["per_inference_J"] > 0 for b in e.baselines if b["kind"] == "dense")
    for key in ("synapse_reads", "row_drivers", "adc", "partial_sums"):
        assert e.breakdown_J[key] == 0.0


def test_baseline_counts_every_weight_every_step():
    config = load_config("ideal")
    programmed = program_random_matrix(config, (10, 4), np.random.default_rng(0))
    counts = count_operations(np.zeros((1, 7, 6), bool), np.zeros((1, 7, 4), bool),
                              programmed.tiling, n_classes=3)
    e = estimate_energy(config, counts, programmed, n_inputs=6, n_classes=3, steps=7)
    b = config.baseline
    expected = (7 * 10 * 4 + 4 * 3) * (b.mac + b.weight_fetch) + 7 * 4 * b.neuron_update
    naive = [x for x in e.baselines if x["key"] == "naive-dense-fp32"]
    assert len(naive) == 1 and not naive[0]["fair"]
    assert naive[0]["per_inference_J"] == pytest.approx(expected)


def test_neurons_and_readout_are_event_driven():
    # 2 inputs + 2 neurons, 4 steps: step 1 silent; neuron 1 never spikes.
    config = load_config("rram-40nm-256kb")
    tiling = tiling_for((4, 2), config.crossbar, ideal=False)
    inputs = np.zeros((1, 4, 2), dtype=bool)
    spikes = np.zeros((1, 4, 2), dtype=bool)
    inputs[0, 0, 0] = True
    spikes[0, 2, 0] = True
    inputs[0, 3, 1] = True
    c = count_operations(inputs, spikes, tiling, n_classes=5)
    assert c.active_steps == 3 and c.neuron_updates == 3 * 2
    assert c.readout_macs == 1 * 5  # only neuron 0 has a nonzero feature
    assert c.input_pulses == 3 and c.buffer_accesses == 2 * 3


@pytest.mark.parametrize("chip", ["rram-40nm-256kb", "ideal", "pcm-14nm-hermes"])
def test_no_spikes_no_dynamic_energy(chip):
    config = load_config(chip)
    programmed = program_random_matrix(config, (10, 4), np.random.default_rng(0))
    counts = count_operations(np.zeros((3, 7, 6), bool), np.zeros((3, 7, 4), bool), programmed.tiling, 3)
    e = estimate_energy(config, counts, programmed, n_inputs=6, n_classes=3, steps=7)
    dynamic = {k: v for k, v in e.breakdown_J.items() if k != "static"}
    assert all(v == 0.0 for v in dynamic.values()), dynamic
    en = config.energy  # on for the compute time (no sample duration given); SRAM weights leak
    on = en.static_power + en.static_power_per_array * programmed.tiling.arrays + en.weight_leakage * 40
    assert e.breakdown_J["static"] == pytest.approx(on * e.latency_s)


def test_breakdown_prices_every_counter():
    config = load_config("rram-40nm-256kb", overrides=["energy.dac_pulse=1e-13", "energy.static_power=1e-3",
                                                       "energy.tia_model=per-conversion",
                                                       "energy.static_power_per_array=0"])
    programmed = program_random_matrix(config, (10, 4), np.random.default_rng(0))
    inputs = np.random.default_rng(1).random((2, 5, 6)) < 0.4
    spikes = np.random.default_rng(2).random((2, 5, 4)) < 0.3
    c = count_operations(inputs, spikes, programmed.tiling, n_classes=3)
    e = estimate_energy(config, c, programmed, n_inputs=6, n_classes=3, steps=5)
    en = config.energy
    expected = {
        "row_drivers": c.line_drives * en.row_driver, "dac": c.input_pulses * en.dac_pulse,
        "adc": c.adc_conversions * en.adc_conversion * 2.0 ** (config.crossbar.adc_bits - en.adc_ref_bits),
        "partial_sums": c.digital_adds * en.partial_sum_add,
        "buffer": c.buffer_accesses * en.buffer_access,
        "neuron_updates": c.neuron_updates * (en.neuron_update + en.neuron_state),
        "tia": c.adc_conversions * en.tia * config.crossbar.adc_range,
        "sample_hold": c.adc_conversions * en.sample_hold, "control": c.array_reads * en.control,
        "bitlines": c.adc_conversions * 2 * en.bitline, "column_mux": c.adc_conversions * en.column_mux,
        "readout": c.readout_macs * en.readout_mac,
    }
    for key, total in expected.items():
        assert e.breakdown_J[key] == pytest.approx(total / 2), key
    assert e.breakdown_J["static"] == pytest.approx(1e-3 * e.latency_s)
    assert sum(e.breakdown_J.values()) == pytest.approx(e.per_inference_J)


def test_programming_energy_counts_forming_and_write_verify_pulses():
    config = load_config("rram-40nm-256kb")
    formed = program_random_matrix(config, (10, 4), np.random.default_rng(0))
    assert formed.forming_pulses == 2 * 10 * 4 and formed.program_pulses == 0
    config = load_config("pcm-14nm-hermes", overrides=["device.verify_tolerance=1e-6"])
    written = program_random_matrix(config, (10, 4), np.random.default_rng(0))
    assert written.forming_pulses == 0 and written.program_pulses > 2 * 10 * 4
    counts = count_operations(np.zeros((1, 1, 6), bool), np.zeros((1, 1, 4), bool), written.tiling, 2)
    e = estimate_energy(config, counts, written, n_inputs=6, n_classes=2, steps=1)
    assert e.programming_J == pytest.approx(written.program_pulses * config.energy.program_pulse)
    assert "programming" not in e.breakdown_J  # a one-time cost, not per inference


def test_area_from_cell_and_periphery_sizes():
    from neurosim.energy import estimate_area

    config = load_config("rram-40nm-256kb", overrides=["crossbar.rows=64", "crossbar.cols=32"])
    tiling = tiling_for((100, 20), config.crossbar, ideal=False)  # 2 row tiles x 2 column tiles
    area = estimate_area(config, tiling)
    x = config.crossbar
    assert tiling.arrays == 4
    assert area.breakdown_m2["cells"] == pytest.approx(4 * 64 * 32 * x.cell_area)
    assert area.breakdown_m2["adcs"] == pytest.approx(4 * (32 // x.columns_per_adc) * x.adc_area)
    assert area.breakdown_m2["row_drivers"] == pytest.approx(4 * 64 * x.row_driver_area)
    assert area.breakdown_m2["neurons"] == pytest.approx(20 * x.neuron_area)
    assert sum(area.breakdown_m2.values()) == pytest.approx(area.total_m2)


def _estimate(overrides, inputs, spikes, sample_s=None):
    config = load_config("rram-40nm-256kb", overrides=overrides)
    programmed = program_random_matrix(config, (10, 4), np.random.default_rng(0))
    counts = count_operations(inputs, spikes, programmed.tiling, n_classes=3)
    return estimate_energy(config, counts, programmed, n_inputs=6, n_classes=3, steps=inputs.shape[1],
                           sample_s=sample_s)


def test_static_energy_is_charged_over_the_sample_and_doubles_with_its_duration():
    inputs = np.random.default_rng(1).random((2, 5, 6)) < 0.4
    spikes = np.random.default_rng(2).random((2, 5, 4)) < 0.3
    on = ["energy.power_gating=false", "energy.static_power=1e-4", "energy.static_power_per_array=0"]
    short, long = (_estimate(on, inputs, spikes, sample_s=t) for t in (0.15, 0.30))
    assert short.breakdown_J["static"] == pytest.approx(1e-4 * 0.15)       # on for the whole sample
    assert long.breakdown_J["static"] == pytest.approx(2 * short.breakdown_J["static"])
    gated = ["energy.power_gating=true", "energy.static_power=1e-4", "energy.standby_power=1e-7",
             "energy.static_power_per_array=0", "energy.state_leakage_per_bit=0"]
    short, long = (_estimate(gated, inputs, spikes, sample_s=t) for t in (0.15, 0.30))
    compute = short.latency_s
    assert short.breakdown_J["static"] == pytest.approx(1e-4 * compute + 1e-7 * (0.15 - compute))
    assert long.breakdown_J["static"] - short.breakdown_J["static"] == pytest.approx(1e-7 * 0.15)
    assert long.sensor_to_decision_s > 0.30 > short.sensor_to_decision_s > 0.15


def test_latency_depends_on_the_events():
    rng = np.random.default_rng(3)
    sparse = rng.random((2, 20, 6)) < 0.05
    dense = sparse | (rng.random((2, 20, 6)) < 0.5)
    spikes = np.zeros((2, 20, 4), dtype=bool)
    few, many = (_estimate([], x, spikes) for x in (sparse, dense))
    assert many.latency_s > few.latency_s
    silent = _estimate([], np.zeros_like(sparse), spikes)
    config = load_config("rram-40nm-256kb")
    assert silent.latency_s == pytest.approx(4 / config.energy.clock_hz)  # only the readout
    # more ADC bits: longer conversions (one SAR cycle per bit)
    wide = _estimate(["crossbar.adc_bits=12"], dense, spikes)
    assert wide.latency_s > many.latency_s


def test_every_baseline_is_sourced_and_the_headline_is_the_strongest_fair_one():
    from neurosim.energy import load_baselines

    files = load_baselines()
    assert {b.key for b in files} >= {"int8-event-45nm", "loihi-14nm", "truenorth-28nm", "int8-dense-45nm"}
    assert all(b.source and b.technology_nm > 0 and b.status for b in files)
    inputs = np.random.default_rng(1).random((2, 5, 6)) < 0.4
    spikes = np.random.default_rng(2).random((2, 5, 4)) < 0.3
    e = _estimate([], inputs, spikes, sample_s=0.1)
    fair = [b for b in e.baselines if b["fair"]]
    assert e.baseline_dynamic_J == min(b["dynamic_J"] for b in fair)  # chosen by dynamic energy
    assert any(b["key"] == "naive-dense-fp32" and not b["fair"] for b in e.baselines)
    assert all(b["ratio"] == pytest.approx(b["per_inference_J"] / e.per_inference_J) for b in e.baselines)
    # an event-driven baseline costs nothing more when nothing happens (but its weight memory leaks)
    quiet = _estimate([], np.zeros_like(inputs), np.zeros_like(spikes), sample_s=0.1)
    truenorth = [b for b in quiet.baselines if b["key"] == "truenorth-28nm"][0]
    assert truenorth["per_inference_J"] == 0.0
