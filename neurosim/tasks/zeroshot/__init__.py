"""Task ``zeroshot`` (a package; its modules are being split out of :mod:`.report`)."""

from neurosim.tasks.zeroshot.report import (DIRECTIONS, ModalityData, Split, Zeroshot, ZeroshotResult,  # noqa: F401
                                            ZeroshotSettings, _crossbar_pre1, _standardised, modality_config,
                                            parse_classes, split_modality, train_and_select, training_cost)
