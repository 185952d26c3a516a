"""Crossbar macros: weight mapping, tiling and (later) the periphery."""

from neurosim.crossbar.mapping import ProgrammedMatrix, Tiling, program_random_matrix, tiling_for

__all__ = ["ProgrammedMatrix", "Tiling", "program_random_matrix", "tiling_for"]
