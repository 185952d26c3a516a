"""The Brian2 engine's column ADC (neurosim/engines/brian2_adc.py): its compiled quantizer rounds as
numpy does, and ``neurosim run --engine brian2`` runs every shipped chip preset."""

from __future__ import annotations

import json

import numpy as np
import pytest
from tiny import READOUT_EXTRAS_OFF, TINY, cli

from neurosim.cli import main
from neurosim.config.loading import list_chips
from neurosim.engines.brian2_adc import FUNCTION, adc_function, adc_q
from neurosim.engines.brian2_engine import RUN_LOCK, brian2_prefs, choose_target


def compiled_adc_q(acc, rows, unit, ref, lsb, max_code, sgn) -> np.ndarray:
    """``neurosim_adc_q`` over the arrays, evaluated by one step of a Brian2 group (Cython when available)."""
    import brian2

    with RUN_LOCK, brian2_prefs(choose_target()):
        group = brian2.NeuronGroup(len(acc), "acc : 1\nrows : 1\nunit : 1\nref : 1\nq : 1",
                                   namespace={FUNCTION: adc_function(brian2), "lsb": lsb,
                                              "max_code": max_code, "sgn": sgn})
        group.acc, group.rows, group.unit, group.ref = acc, rows, unit, ref
        group.run_regularly(f"q = {FUNCTION}(acc, rows, unit, ref, lsb, max_code, sgn)")
        net = brian2.Network(group)
        net.run(brian2.defaultclock.dt, namespace={})
        return np.asarray(group.q)


@pytest.mark.brian2
@pytest.mark.parametrize("signed, max_code, ref", [(1.0, 127.0, 0.0), (1.0, 0.0, 0.0), (1.0, 3.0, 0.0),
                                                   (0.0, 255.0, 0.37)])
def test_the_compiled_quantizer_reads_what_numpy_reads(signed, max_code, ref):
    """Random partial sums, many within rounding of a code boundary (halves, where ``x / lsb`` and
    ``x · (1 / lsb)`` disagree): the compiled code (no -ffast-math, no FMA) equals the numpy reference."""
    rng = np.random.default_rng(7)
    n = 20_000
    unit, lsb = 3.1e4, 1.9e-5
    codes = rng.integers(-300, 300, n) + rng.choice([0.5, 0.0, 0.25, 0.4999999999], n)
    acc = codes * lsb * unit * (1 + rng.normal(0, 1e-15, n))
    rows = rng.integers(0, 40, n).astype(float)
    args = (acc, rows, np.full(n, unit), np.full(n, ref), lsb, max_code, signed)
    expected = adc_q(*args)
    got = compiled_adc_q(*args)
    assert np.count_nonzero(expected) > n // 2
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("chip", list_chips())
def test_brian2_runs_every_preset_from_the_command_line(chip, tmp_path, capsys):
    code = main(["run", "--engine", "brian2", "--chip", chip, *cli(TINY + READOUT_EXTRAS_OFF),
                 "--out", str(tmp_path), "--no-figures"])   # the report's numbers, not its figures
    assert code == 0, capsys.readouterr().err
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["engine"] == "brian2" and report["chip"]["name"] == chip
