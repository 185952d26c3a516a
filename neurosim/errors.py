"""Exceptions a user can act on.

Every error raised for bad input (a config key, a file, a dataset folder) is a
:class:`NeurosimError`. The CLI prints its message as one line and exits with a
non-zero code; library users catch it like any other exception.
"""


class NeurosimError(Exception):
    """Base class for errors caused by the user's input or environment."""


class ConfigError(NeurosimError, ValueError):
    """A config file, key or value is wrong; the message names it and what was expected."""


class DataError(NeurosimError, ValueError):
    """An event file or dataset folder is missing, malformed or inconsistent."""


class EngineError(NeurosimError, RuntimeError):
    """A simulation engine is unavailable or failed."""
