"""neurosim: a neuromorphic hardware co-design simulator.

Spiking networks (liquid state machines) programmed onto modelled RRAM
in-memory-computing chips, run over event data, reported as accuracy and energy
side by side. See README.md for the commands and docs/ for the site (config reference, tutorials, studies).

The public API (README, "Python API"; docs/reference/api.md) is the names in ``__all__``; they are imported on
first use, so that ``import neurosim`` stays light.
"""

from importlib import import_module
from typing import Any

from neurosim import plugins as _plugins
from neurosim.errors import ConfigError, DataError, EngineError, NeurosimError
from neurosim.version import __version__

# The config layer finds the registered sections and the datasets' recommended settings
# through hooks that this installs (config imports nothing above it).
_plugins.install()

__all__ = [
    "Chip",
    "Config",
    "ConfigError",
    "DataError",
    "EngineError",
    "NeurosimError",
    "Run",
    "__version__",
    "engine_names",
    "list_chips",
    "list_datasets",
    "load_config",
    "load_dataset",
    "optimize",
    "run",
    "simulate",
    "task_names",
    "to_raster",
]


#: Where each public name lives (imported from there on first use).
_HOMES = {
    "Config": "neurosim.config", "load_config": "neurosim.config", "list_chips": "neurosim.config",
    "run": "neurosim.api", "Run": "neurosim.api",
    "Chip": "neurosim.chip", "simulate": "neurosim.chip",
    "to_raster": "neurosim.events",
    "list_datasets": "neurosim.data", "load_dataset": "neurosim.data",
    "task_names": "neurosim.tasks",
    "engine_names": "neurosim.engines",
    "optimize": "neurosim.optimize",
}


def __getattr__(name: str) -> Any:
    """Import a public name on first use (then it is a plain module attribute)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'neurosim' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
