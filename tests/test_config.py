"""Config: loading, overrides, validation, hashing, presets, docs."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from neurosim.config import (CHIP_SECTIONS, Config, apply_mapping, chip_hash, config_hash,
                             list_chips, load_config, parse_override, reference_markdown, reference_rows,
                             to_toml,
                             validate)
from neurosim.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def test_presets_ship_and_load():
    assert {"rram-40nm-256kb", "ideal"} <= set(list_chips())
    for name in list_chips():
        config = load_config(name)
        assert config.chip.name == name
        assert config.chip.source


def test_rram_preset_is_the_papers_macro():
    config = load_config("rram-40nm-256kb")
    assert config.chip.technology_nm == 40
    assert config.chip.cell == "1T1R"
    assert config.crossbar.rows * config.crossbar.cols == 256 * 1024
    assert config.device.kind == "rram"


def test_every_preset_number_has_a_source_comment():
    for path in (REPO / "hardware_models").glob("*.toml"):
        for line in path.read_text().splitlines():
            if re.match(r"^\w+ = [-0-9.e]+\s*(#.*)?$", line):
                assert "#" in line, f"{path.name}: number without a source: {line}"


def test_set_overrides_with_dotted_keys():
    config = load_config("ideal", overrides=["network.neurons=64", "run.dataset=nmnist",
                                             "chip.name=my-chip", "device.g_max=2e-4"])
    assert config.network.neurons == 64
    assert config.run.dataset == "nmnist"
    assert config.chip.name == "my-chip"
    assert config.device.g_max == 2e-4


def test_int_accepted_for_float_but_not_the_reverse():
    config = load_config(overrides=["network.discrete-lif.threshold=5"])
    threshold = config.section("network.discrete-lif").threshold
    assert threshold == 5.0 and isinstance(threshold, float)
    with pytest.raises(ConfigError, match="network.neurons must be a whole number"):
        load_config(overrides=["network.neurons=1.5"])


@pytest.mark.parametrize("override, message", [
    ("network.nerons=5", r"unknown key network.nerons; allowed: neurons"),
    ("netwrk.neurons=5", r"unknown section \[netwrk\]"),
    ("device.g_min=-1e-6", r"device.g_min = -1e-06 S is out of range: expected 0 ≤ g_min ≤ 0.01 S"),
    ("network.discrete-lif.decay=1.5", r"network.discrete-lif.decay = 1.5 is out of range"),
    ("device.kind=flash", r"device.kind = 'flash' is not allowed; choose one of 'rram', 'pcm', 'ideal'"),
    ("network.neurons", r"expected section.key=value"),
    ("prediction.switch_methods=", r"no value after '='; an empty string is written prediction.switch_methods=\"\""),
    ("device.g_min=2e-4", r"device.g_min .* must be below device.g_max"),
])
def test_bad_values_name_the_key(override, message):
    with pytest.raises(ConfigError, match=message):
        load_config(overrides=[override])


def test_an_empty_string_is_written_quoted():
    assert load_config(overrides=['prediction.switch_methods=""']).section("prediction").switch_methods == ""


def test_chip_file_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[device\nkind = 'rram'\n")
    with pytest.raises(ConfigError, match=r"bad.toml: malformed TOML"):
        load_config(str(bad))
    stray = tmp_path / "stray.toml"
    stray.write_text("[network]\nneurons = 5\n")
    with pytest.raises(ConfigError, match=r"stray.toml: a chip file holds only"):
        load_config(str(stray))
    with pytest.raises(ConfigError, match=r"no such file"):
        load_config(str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match=r"unknown chip; presets are"):
        load_config("no-such-chip")


def test_experiment_file_applies_after_chip(tmp_path):
    exp = tmp_path / "exp.toml"
    exp.write_text("[network]\nneurons = 300\n[run]\nseed = 7\n")
    config = load_config("ideal", exp, ["run.seed=9"])
    assert config.network.neurons == 300 and config.run.seed == 9


def test_hash_is_stable_and_sensitive():
    a, b = load_config(), load_config()
    assert config_hash(a) == config_hash(b)
    assert len(config_hash(a)) == 16
    c = load_config(overrides=["device.forming_std=1.6e-5"])
    assert config_hash(c) != config_hash(a) and chip_hash(c) != chip_hash(a)
    d = load_config(overrides=["run.seed=3"])
    assert chip_hash(d) == chip_hash(a) and config_hash(d) != config_hash(a)


def test_hashes_cover_the_conductance_file_bytes_not_its_path(tmp_path, monkeypatch):
    from neurosim.tasks import run_id

    monkeypatch.chdir(tmp_path)  # a relative path resolves against the current folder, as the loader reads it
    path = Path("g.csv")
    path.write_text("1e-5\n2e-5\n")
    config = load_config("rram-40nm-256kb", overrides=["device.conductance_file='g.csv'"])
    hashes = chip_hash(config), config_hash(config), run_id(config, "classify")
    path.write_text("1e-5\n3e-5\n")  # same path, other measurements
    changed = chip_hash(config), config_hash(config), run_id(config, "classify")
    assert all(x != y for x, y in zip(hashes, changed))
    path.write_text("1e-5\n2e-5\n")  # the same bytes again
    assert (chip_hash(config), config_hash(config), run_id(config, "classify")) == hashes
    path.unlink()
    with pytest.raises(ConfigError, match=r"device.conductance_file g.csv: no such file"):
        chip_hash(config)


def test_toml_export_loads_back_unchanged():
    config = load_config("rram-40nm-256kb", overrides=["chip.description=quote \" and ü"])
    import tomllib
    again = validate(apply_mapping(Config(), tomllib.loads(to_toml(config)), "export"))
    assert again == config
    chip_only = tomllib.loads(to_toml(config, CHIP_SECTIONS))
    assert set(chip_only) == set(CHIP_SECTIONS)


def test_config_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Config().network.neurons = 3


def test_parse_override_reads_toml_values():
    assert parse_override("a.b=1e-6") == {"a": {"b": 1e-6}}
    assert parse_override("a.b=word") == {"a": {"b": "word"}}
    assert parse_override("a.b=\"x y\"") == {"a": {"b": "x y"}}


def test_docs_config_page_documents_every_config_key():
    from docpages import hooks, page

    text = page("reference/config.md")
    assert text.count("<!-- generate: config -->") == 1, "docs/reference/config.md lost its generated table"
    shown = hooks().expand(text)   # what the built page shows
    missing = [row[0] for row in reference_rows() if f"`{row[0]}`" not in shown]
    assert not missing, f"the docs' config reference lacks config keys: {missing}"
    assert reference_markdown() in shown, "the docs' config reference is not the generated table"


@pytest.mark.parametrize("section, line, message", [
    ("device", "g_min = 2e-4", r"device.g_min \(0.0002 S\) must be below device.g_max"),
    ("device", "g_max = 1e-6", r"device.g_min \(1e-06 S\) must be below device.g_max \(1e-06 S\)"),
    ("energy", "adc_conversion = -1e-12", r"energy.adc_conversion = -1e-12 J is out of range"),
    ("energy", "row_driver = -5e-14", r"energy.row_driver = -5e-14 J is out of range"),
    ("crossbar", "adc_bits = 0", r"crossbar.adc_bits = 0 bit is out of range: expected 1 ≤ adc_bits ≤ 16"),
    ("crossbar", "adc_bitz = 8", r"unknown key crossbar.adc_bitz; allowed: .*adc_bits"),
    ("device", "stuck_at_gmin = 0.7\nstuck_at_gmax = 0.5",
     r"device.stuck_at_gmin \+ device.stuck_at_gmax"),
    ("device", "temperature = 400", r"device.temperature = 400 K is outside the range"),
    ("device", "drift_nu = 0.1\ndrift_time = 1e9\ndrift_t_max = 1e6",
     r"device.drift_time = 1e\+09 s is outside"),
    ("device", "levels = 1", r"device.levels = 1 cannot store a weight"),
    ("crossbar", "mapping = 'diagonal'", r"crossbar.mapping = 'diagonal' is not allowed"),
])
def test_malformed_or_impossible_chip_file_is_rejected_naming_the_key(tmp_path, section, line, message):
    preset = (REPO / "hardware_models" / "rram-40nm-256kb.toml").read_text()
    lines = preset.splitlines()
    start = lines.index(f"[{section}]")
    keys = {entry.split("=")[0].strip() for entry in line.splitlines()}
    body = [entry for entry in lines[start + 1:] if entry.split("=")[0].strip() not in keys]
    bad = tmp_path / "bad.toml"
    bad.write_text("\n".join(lines[:start + 1] + line.splitlines() + body) + "\n")
    with pytest.raises(ConfigError, match=message):
        load_config(str(bad))


def test_every_preset_survives_show_and_load():
    import tomllib

    for name in list_chips():
        config = load_config(name)
        again = validate(apply_mapping(Config(), tomllib.loads(to_toml(config, CHIP_SECTIONS)), "shown"))
        assert chip_hash(again) == chip_hash(config), name


def test_config_set_is_validated_and_leaves_the_original():
    base = Config()
    changed = base.set({"network.neurons": 321, "run.seed": 7})
    assert (changed.network.neurons, changed.run.seed) == (321, 7)
    assert base.network.neurons == Config().network.neurons
    with pytest.raises(ConfigError, match="network.neurons"):
        base.set({"network.neurons": 0})
    with pytest.raises(ConfigError, match="unknown"):
        base.set({"network.no_such_key": 1})
    with pytest.raises(ConfigError, match="section.key"):
        base.set({"neurons": 5})
