"""Task ``prediction`` (a package; its modules are being split out of :mod:`.metrics`)."""

from neurosim.tasks.prediction.metrics import (Prediction, PredictionSettings, _learning_curve,  # noqa: F401
                                               _run_trials, block_amplitudes, prediction_figures,
                                               prediction_report, prediction_summary, relative_amplitude)
