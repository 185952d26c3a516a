"""The device model's components: statistics against their configured laws, fitted ranges, seeding."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from neurosim.config import load_config
from neurosim.devices import (LinearTemperature, MeasuredForming, NormalForming, PowerLawDrift, ReadNoise,
                              StuckAtFaults, WriteVerify, build_device)
from neurosim.errors import ConfigError, NeurosimError

N = 200_000


def rram(*overrides: str):
    return load_config("rram-40nm-256kb", overrides=list(overrides))


def formed(device, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Conductances (S) of freshly formed devices, as the device model forms a chip's arrays."""
    return build_device(device).form(shape, rng)[0]


def test_formed_conductances_follow_the_configured_normal():
    # A window wide enough that clipping is negligible (> 6 sigma): KS against Normal(mean, std).
    config = rram("device.g_min=0", "device.g_max=1e-3", "device.forming_mean=4e-4",
                  "device.forming_std=5e-5")
    g = formed(config.device, (N,), np.random.default_rng(1))
    assert stats.kstest(g, stats.norm(4e-4, 5e-5).cdf).pvalue > 0.01


def test_formed_conductances_are_clipped_to_the_window():
    d = rram().device
    g = formed(d, (N,), np.random.default_rng(2))
    assert g.min() >= d.g_min and g.max() <= d.g_max
    # The clipped mass sits exactly on the window edges, as the clipped Normal predicts.
    below = stats.norm(d.forming_mean, d.forming_std).cdf(d.g_min)
    assert np.mean(g == d.g_min) == pytest.approx(below, abs=4 * np.sqrt(below / N))


@pytest.mark.parametrize("suffix", [".csv", ".npy"])
def test_measured_distribution_is_reproduced_by_inverse_cdf(tmp_path, suffix):
    rng = np.random.default_rng(3)
    measured = rng.lognormal(np.log(30e-6), 0.3, size=2000).clip(1e-6, 1e-4)
    path = tmp_path / f"g{suffix}"
    if suffix == ".csv":
        path.write_text("conductance_S\n" + "\n".join(repr(float(v)) for v in measured) + "\n")
    else:
        np.save(path, measured)
    config = rram(f"device.conductance_file={str(path)!r}")
    g = formed(config.device, (50_000,), np.random.default_rng(4))
    assert stats.ks_2samp(g, measured).pvalue > 0.01
    assert g.min() >= measured.min() and g.max() <= measured.max()


def test_measured_distribution_bootstrap_resamples_the_measurements(tmp_path):
    measured = np.array([10e-6, 20e-6, 20e-6, 50e-6])
    np.save(tmp_path / "g.npy", measured)
    forming = MeasuredForming.from_file(tmp_path / "g.npy", "bootstrap", 1e-6, 1e-4)
    g = forming.sample((40_000,), np.random.default_rng(5))
    assert set(np.unique(g)) == {10e-6, 20e-6, 50e-6}
    assert np.mean(g == 20e-6) == pytest.approx(0.5, abs=0.02)


def test_measured_distribution_sets_the_weight_gain(tmp_path):
    measured = np.random.default_rng(6).uniform(10e-6, 70e-6, size=5000)
    np.save(tmp_path / "g.npy", measured)
    from neurosim.crossbar import program_random_matrix

    config = rram(f"device.conductance_file={str(tmp_path / 'g.npy')!r}")
    p = program_random_matrix(config, (300, 300), np.random.default_rng(7))
    assert abs(p.weights.std() - 1.0) < 0.02  # w = (G+ - G-) / (sqrt(2) * std of the measurements)


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    ("1e-6\nnot-a-number\n", "cannot read it"),
    ("5e-3\n6e-3\n", r"outside the device window \[device.g_min, device.g_max\]"),
    ("3e-5\n", "at least 2 measured values"),
])
def test_bad_measured_distribution_names_the_key(tmp_path, content, message):
    path = tmp_path / "g.csv"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError, match=rf"device.conductance_file .*{message}"):
        build_device(rram(f"device.conductance_file={str(path)!r}").device)


ACCEPTED = r"accepted: a \.npy holding a real numeric 1-D array"


@pytest.mark.parametrize("array, message", [
    (np.zeros(4, dtype=[("g", "f8"), ("v", "f8")]), "structured array"),
    (np.array([1e-5, 2e-5]) + 1e-6j, "complex numbers"),
    (np.array([True, False]), "booleans"),
    (np.array(["1e-5", "2e-5"]), "text"),
    (np.full((2, 2, 2), 1e-5), r"shape is \(2, 2, 2\)"),
    (np.array(3e-5), r"shape is \(\)"),
    (np.array([1e-5, np.nan, 2e-5]), "1 non-finite values"),
    (np.array([1e-5, -2e-5]), "negative values"),
    (np.zeros(0), "holds no values"),
])
def test_bad_npy_conductances_are_refused_saying_what_is_accepted(tmp_path, array, message):
    path = tmp_path / "g.npy"
    np.save(path, array)
    with pytest.raises(ConfigError, match=rf"device.conductance_file {path}: .*{message}.*; {ACCEPTED}"):
        build_device(rram(f"device.conductance_file={str(path)!r}").device)


@pytest.mark.parametrize("content, message", [
    ("g\n1e-5\nabc\n", "line 3: 'abc' is not a number"),
    ("g\nunit\n1e-5\n2e-5\n", "line 2: 'unit' is not a number"),
    ("1e-5\nnan\n2e-5\n", "1 non-finite values"),
    ("1e-5\ninf\n", "1 non-finite values"),
    ("1e-5\n-2e-5\n", "negative values"),
    ("", "holds no values"),
    ("conductance_S\n# no data\n", "holds no values"),
])
def test_bad_csv_conductances_are_refused_saying_what_is_accepted(tmp_path, content, message):
    path = tmp_path / "g.csv"
    path.write_text(content)
    with pytest.raises(ConfigError, match=rf"device.conductance_file {path}: .*{message}.*; {ACCEPTED}"):
        build_device(rram(f"device.conductance_file={str(path)!r}").device)


def test_two_column_npy_reads_its_first_column(tmp_path):
    measured = np.column_stack([[10e-6, 20e-6, 50e-6], [1.0, 2.0, 3.0]])  # second column: not conductances
    np.save(tmp_path / "g.npy", measured)
    forming = MeasuredForming.from_file(tmp_path / "g.npy", "bootstrap", 1e-6, 1e-4)
    assert forming.values.tolist() == [10e-6, 20e-6, 50e-6]


def test_write_verify_levels_and_error():
    wv = WriteVerify(g_min=0.0, g_max=90e-6, levels=4)
    assert np.allclose(wv.quantize(np.array([0, 14e-6, 16e-6, 44e-6, 200e-6])), [0, 0, 30e-6, 30e-6, 90e-6])
    target = np.full(N, 45e-6)
    g, pulses = WriteVerify(0.0, 90e-6, 0, std=2e-6).program(target, np.random.default_rng(8))
    assert pulses == N
    assert np.std(g - target) == pytest.approx(2e-6, rel=0.02)
    g, pulses = WriteVerify(0.0, 90e-6, 0, std=2e-6, tolerance=1e-6, max_pulses=1000).program(
        target, np.random.default_rng(8))
    assert np.abs(g - target).max() <= 1e-6
    # Each pulse lands within tolerance with probability P(|Z| <= 0.5) = 0.383: ~2.6 pulses per device.
    assert pulses / N == pytest.approx(1 / (2 * stats.norm.cdf(0.5) - 1), rel=0.02)


def test_write_verify_gives_up_after_max_pulses():
    wv = WriteVerify(0.0, 90e-6, 0, std=2e-6, tolerance=1e-9, max_pulses=3)
    g, pulses = wv.program(np.full(1000, 45e-6), np.random.default_rng(9))
    assert pulses <= 3 * 1000 and pulses > 2 * 1000


def test_read_noise_has_the_configured_relative_spread_and_is_drawn_on_every_read():
    device = build_device(rram("device.read_noise_std=0.05").device)
    g = np.full(N, 40e-6)
    rng = np.random.default_rng(10)
    first, second = device.read(g, rng), device.read(g, rng)
    assert np.std(first) / np.mean(first) == pytest.approx(0.05, rel=0.02)
    assert not np.array_equal(first, second)
    assert np.corrcoef(first, second)[0, 1] == pytest.approx(0.0, abs=0.01)


def test_read_noise_column_shortcut_matches_per_device_noise():
    rng = np.random.default_rng(11)
    g = rng.uniform(1e-6, 1e-4, size=(64, 3))
    x = (rng.random((1, 64)) < 0.5).astype(float)
    noise = ReadNoise(0.1)
    sums = np.array([x @ noise.apply(g, rng) for _ in range(20_000)])[:, 0, :]
    assert np.std(sums, axis=0) == pytest.approx(noise.column_std(x, g * g)[0], rel=0.03)


def test_drift_follows_the_power_law():
    drift = PowerLawDrift(nu=0.06, nu_dtod=0.0, t0=20.0, t_max=1e6)
    times = np.array([20.0, 200.0, 2e3, 2e4, 2e5])
    factors = np.array([drift.factor(np.array(0.06), t) for t in times])
    slope = np.polyfit(np.log(times), np.log(factors), 1)[0]
    assert slope == pytest.approx(-0.06, abs=1e-12)
    nu = PowerLawDrift(0.05, 0.01, 20.0, 1e6).sample_nu((N,), np.random.default_rng(12))
    assert nu.mean() == pytest.approx(0.05, abs=3e-4) and nu.std() == pytest.approx(0.01, rel=0.02)


def test_drift_in_a_programmed_chip_and_its_fitted_range():
    config = rram("device.drift_nu=0.1", "device.drift_t0=1", "device.drift_t_max=1e4",
                  "device.drift_time=100")
    device = build_device(config.device)
    state = device.sample_state(np.full(10, 50e-6), np.random.default_rng(13))
    assert np.allclose(device.conductance(state), 50e-6 * 100 ** -0.1)
    assert np.allclose(device.conductance(state, time=1e4), 50e-6 * 1e4 ** -0.1)
    with pytest.raises(NeurosimError, match=r"drift time 100000 s is outside the range .* \[1, 10000\] s"):
        device.conductance(state, time=1e5)
    with pytest.raises(ConfigError, match=r"device.drift_time = 100000 s is outside the range the drift law"):
        rram("device.drift_nu=0.1", "device.drift_t_max=1e4", "device.drift_time=1e5")


def test_stuck_at_fault_fractions():
    faults = StuckAtFaults(0.02, 0.05)
    mask = faults.sample((N,), np.random.default_rng(14))
    for value, p in ((-1, 0.02), (1, 0.05)):
        assert np.mean(mask == value) == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / N))
    config = rram("device.stuck_at_gmin=0.02", "device.stuck_at_gmax=0.05", "device.drift_nu=0.2",
                  "device.drift_time=1000")
    device = build_device(config.device)
    state = device.sample_state(np.full(N, 50e-6), np.random.default_rng(15))
    g = device.conductance(state)
    assert np.array_equal(g == config.device.g_min, state.faults < 0)  # stuck devices do not drift
    assert np.array_equal(g == config.device.g_max, state.faults > 0)


def test_temperature_model_and_its_fitted_range():
    t = LinearTemperature(t_ref=300.0, t_min=250.0, t_max=400.0, coeff_g=-2e-3, coeff_noise=5e-3)
    assert t.g_factor(350.0) == pytest.approx(0.9)
    assert t.noise_factor(350.0) == pytest.approx(1.25)
    with pytest.raises(NeurosimError, match=r"temperature 420 K is outside the range .* \[250, 400\] K"):
        t.g_factor(420.0)
    config = rram("device.temp_coeff_g=-2e-3", "device.temp_coeff_read_noise=5e-3",
                  "device.read_noise_std=0.02", "device.temperature=350")
    device = build_device(config.device)
    state = device.sample_state(np.full(4, 50e-6), np.random.default_rng(0))
    assert np.allclose(device.conductance(state), 45e-6)
    assert device.read_noise_std() == pytest.approx(0.025)
    with pytest.raises(ConfigError, match=r"device.temperature = 400 K is outside the range the temperature "
                                          r"model was fitted on: \[273, 358\] K"):
        rram("device.temperature=400")


def test_components_off_draw_nothing_and_keep_the_formed_weights():
    """With every component off, programming draws exactly the two forming arrays."""
    config = rram()
    from neurosim.crossbar import program_random_matrix

    rng = np.random.default_rng(16)
    p = program_random_matrix(config, (20, 7), rng)
    ref = np.random.default_rng(16)
    d = config.device
    g_pos = np.clip(ref.normal(d.forming_mean, d.forming_std, (20, 7)), d.g_min, d.g_max)
    g_neg = np.clip(ref.normal(d.forming_mean, d.forming_std, (20, 7)), d.g_min, d.g_max)
    np.testing.assert_array_equal(p.weights, 1.0 / (np.sqrt(2) * d.forming_std) * (g_pos - g_neg))
    assert rng.random() == ref.random()  # the same number of draws was consumed
    assert p.forming_pulses == 2 * 20 * 7 and p.program_pulses == 0


def test_same_seed_same_devices_every_component_on():
    config = rram("device.read_noise_std=0.02", "device.drift_nu=0.05", "device.drift_nu_dtod=0.01",
                  "device.drift_time=100", "device.stuck_at_gmin=0.01", "device.stuck_at_gmax=0.01",
                  "device.temp_coeff_g=1e-3", "device.temperature=320")
    from neurosim.crossbar import program_random_matrix

    a = program_random_matrix(config, (30, 10), np.random.default_rng(17))
    b = program_random_matrix(config, (30, 10), np.random.default_rng(17))
    np.testing.assert_array_equal(a.weights, b.weights)
    np.testing.assert_array_equal(a.state_pos.faults, b.state_pos.faults)


def test_an_ideal_device_has_no_conductance_model():
    with pytest.raises(ConfigError, match="device.kind = 'ideal' has no conductance model"):
        build_device(load_config("ideal").device)


def test_normal_forming_reports_its_configured_moments():
    f = NormalForming(40e-6, 15e-6, 1e-6, 1e-4)
    assert (f.mean, f.std) == (40e-6, 15e-6)
