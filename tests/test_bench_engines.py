"""``neurosim bench engines`` prints one JSON object with the engines side by side (tiny workload)."""

from __future__ import annotations

import json

import pytest

from neurosim.cli import main
from neurosim.engines import brian2_engine
from neurosim.engines.benchmark import parse_dt
from neurosim.errors import ConfigError


def test_bench_engines_prints_one_json_object(capsys, monkeypatch):
    # Brian2 on its numpy target: no Cython build, which on a cold cache took most of a minute
    # here; the Cython path is checked spike for spike in test_cpu_engine and test_lsm_engine.
    monkeypatch.setattr(brian2_engine, "choose_target", lambda: "numpy")
    code = main(["bench", "engines", "--neurons", "30", "--samples", "3", "--bins", "12",
                 "--engines", "brian2,cpu,gpu"])
    out, err = capsys.readouterr()
    assert code == 0, err
    result = json.loads(out)
    assert {"workload", "engines", "spike_agreement", "speedup_vs_brian2"} <= result.keys()
    assert result["workload"]["neurons"] == 30 and result["workload"]["n_bins"] == 12
    assert result["workload"]["samples"] == 3
    for name in ("brian2", "cpu"):
        figures = result["engines"][name]
        assert figures["available"] and figures["samples_per_s"] > 0 and figures["peak_memory_bytes"] > 0
        assert figures["warmup_s"] >= 0
    assert result["spike_agreement"]["cpu"] == 1.0
    assert result["speedup_vs_brian2"]["brian2"] == 1.0 and result["speedup_vs_brian2"]["cpu"] > 0
    gpu = result["engines"]["gpu"]
    if gpu["available"]:
        assert gpu["samples_per_s"] > 0 and 0 <= result["spike_agreement"]["gpu"] <= 1
    else:
        assert gpu["reason"] and "gpu" not in result["spike_agreement"]


def test_dt_maps_onto_bins_and_bad_arguments_are_one_line_errors(capsys):
    assert parse_dt("1ms") == 1e-3 and parse_dt("0.1ms") == 1e-4 and parse_dt("2e-3") == 2e-3
    with pytest.raises(ConfigError, match="--dt"):
        parse_dt("fast")
    assert main(["bench", "engines", "--engines", "cpu,fpga", "--samples", "1"]) == 1
    assert "unknown engine(s) fpga" in capsys.readouterr().err
    code = main(["bench", "engines", "--neurons", "10", "--samples", "2", "--dt", "0.1ms",
                 "--engines", "cpu", "--no-memory"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["workload"]["n_bins"] > 1000     # ≈ 0.3 s sample span / 0.1 ms
    assert result["engines"]["cpu"]["peak_memory_bytes"] is None and result["spike_agreement"] == {}


def test_the_workload_keeps_the_chips_adc_only_when_asked():
    from neurosim.engines.benchmark import make_workload

    ideal, ideal_lsm, _ = make_workload(neurons=8, samples=2, bins=5)
    chip, chip_lsm, _ = make_workload(neurons=8, samples=2, bins=5, adc="chip")
    assert ideal["adc_mode"] == "ideal" and ideal_lsm.drive_adc is None
    assert chip["adc_mode"] == "quantize" and chip_lsm.drive_adc is not None
    with pytest.raises(ConfigError, match="adc 'none'"):
        make_workload(neurons=8, samples=2, bins=5, adc="none")
