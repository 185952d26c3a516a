"""Each front point as files ``neurosim run`` takes: a chip TOML (``--chip``) and an experiment TOML
(``--config``).

A trial's config is its base config (the search file's tables and fixed ``set`` overrides) with the
trial's searched values, at chip instance 0. ``trial-<n>.chip.toml`` holds its chip sections (chip,
device, crossbar, energy, baseline: what ``--chip`` accepts), ``trial-<n>.toml`` every other section
(network, input, readout, run, the task's own …). ``neurosim run --task TASK --chip trial-<n>.chip.toml
--config trial-<n>.toml`` (with the search's ``--engine`` when it named one) runs the trial's
configuration, the same run id as the trial's unit; ``--set run.instance=K`` picks another chip instance.
"""

from __future__ import annotations

from pathlib import Path

from neurosim.config import CHIP_SECTIONS, to_toml
from neurosim.config.export import to_dict
from neurosim.optimize.space import OptimizeSpec

__all__ = ["trial_config", "write_front"]


def trial_config(spec: OptimizeSpec, params: dict):
    """The validated config of a trial with searched values ``params``, at chip instance 0."""
    from neurosim.optimize.driver import _units

    units = _units(spec, params)
    config = units[0].config
    if config is None:
        from neurosim.errors import ConfigError

        raise ConfigError(f"trial {params}: {units[0].error}")
    return config


def write_front(spec: OptimizeSpec, front: list[dict], folder: Path) -> list[Path]:
    """Write the two TOML files of each front trial into ``folder`` (replacing the folder's old
    ``trial-*`` files); returns their paths, chip file first for each trial."""
    from neurosim.report import write_atomic

    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("trial-*.toml"):
        old.unlink()
    paths = []
    for t in front:
        config = trial_config(spec, t["params"])
        head = (f"# neurosim optimize: trial #{t['number']} of the front ({spec.task} on {spec.chip}); "
                f"searched: {t['params']}\n")
        chip = folder / f"trial-{t['number']}.chip.toml"
        experiment = folder / f"trial-{t['number']}.toml"
        write_atomic(chip, head + to_toml(config, CHIP_SECTIONS))
        others = tuple(s for s in to_dict(config) if s not in CHIP_SECTIONS)
        engine = f" --engine {spec.engine}" if spec.engine != "auto" else ""
        write_atomic(experiment, head + f"# run with: neurosim run --task {spec.task} --chip {chip.name} "
                     f"--config {experiment.name}{engine}\n" + to_toml(config, others))
        paths += [chip, experiment]
    return paths

