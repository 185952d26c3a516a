"""Crossbar macros: weight mapping and tiling, the periphery, and a macro that computes like a matrix."""

from neurosim.crossbar.instances import program_instance, program_instances
from neurosim.crossbar.macro import CrossbarMacro
from neurosim.crossbar.mapping import (ProgrammedMatrix, Tiling, program_matrix, program_random_matrix,
                                       tiling_for)
from neurosim.crossbar.periphery import Adc, input_planes, ir_drop
from neurosim.crossbar.tally import Tally

__all__ = ["Adc", "CrossbarMacro", "ProgrammedMatrix", "Tally", "Tiling", "input_planes",
           "ir_drop", "program_instance", "program_instances",
           "program_matrix", "program_random_matrix", "tiling_for"]
