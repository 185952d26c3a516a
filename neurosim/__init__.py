"""neurosim: a neuromorphic hardware co-design simulator.

Spiking networks (liquid state machines) programmed onto modelled RRAM
in-memory-computing chips, run over event data, reported as accuracy and energy
side by side. See README.md for the commands and the config reference.

The public API (README, "Python API") is the names in ``__all__``; they are imported on
first use, so that ``import neurosim`` stays light.
"""

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
    "run",
    "simulate",
    "task_names",
    "to_raster",
]


def __getattr__(name: str):
    """Import a public name on first use (then it is a plain module attribute)."""
    if name in ("Config", "load_config", "list_chips"):
        from neurosim import config as module
    elif name in ("run", "Run"):
        from neurosim import api as module
    elif name in ("Chip", "simulate"):
        from neurosim import chip as module
    elif name == "to_raster":
        from neurosim import events as module
    elif name in ("list_datasets", "load_dataset"):
        from neurosim import data as module
    elif name == "task_names":
        from neurosim import tasks as module
    elif name == "engine_names":
        from neurosim import engines as module
    else:
        raise AttributeError(f"module 'neurosim' has no attribute {name!r}")
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
