"""The package version, in a bottom-layer module so that any layer may read it."""

__version__ = "0.1.0"
