"""Repeats of a multi-seed task are named streams of the run seed, not ``run.seed + k``.

With ``seed + k``, repeat 1 of run seed 0 was the run of seed 1: two runs (or two sweep units
of neighbouring seeds) shared all but one of their repeats. :func:`neurosim.seeds.repeat_seed`
keeps repeat 0 the run seed itself and draws every later repeat from stream ``("repeat", k)``.
"""

from __future__ import annotations

import numpy as np
import pytest

from neurosim import seeds
from neurosim.config import load_config
from neurosim.tasks import RunContext, run_task
from tiny import TINY_CONTINUAL_FINETUNE, TINY_PREDICTION as PREDICTION_TINY



def test_repeat_seeds_do_not_overlap_across_run_seeds():
    assert seeds.repeat_seed(7, 0) == 7                      # one repeat: the run of the seed itself
    assert seeds.repeat_seed(0, 1) != seeds.repeat_seed(1, 0)
    grid = {seeds.repeat_seed(s, k) for s in range(20) for k in range(20)}
    assert len(grid) == 400
    assert seeds.repeat_seed(3, 2) == seeds.repeat_seed(3, 2)  # a stream: the same every time
    with pytest.raises(ValueError, match="repeat index"):
        seeds.repeat_seed(0, -1)


def test_prediction_repeat_one_of_seed_zero_is_not_the_run_of_seed_one():
    two = run_task("prediction", load_config("ideal", overrides=PREDICTION_TINY + ["prediction.seeds=2"]),
                   RunContext("cpu")).result
    one = run_task("prediction", load_config("ideal", overrides=PREDICTION_TINY + ["run.seed=1"]),
                   RunContext("cpu")).result
    assert [r.seed for r in two.runs] == [0, seeds.repeat_seed(0, 1)]
    assert [r.seed for r in one.runs] == [1]
    _, hook_two = two.runs[1].sweep
    _, hook_one = one.runs[0].sweep
    assert not np.array_equal(hook_two.outputs_, hook_one.outputs_)


def test_continual_repeat_one_of_seed_zero_is_not_the_run_of_seed_one():
    two = run_task("continual", load_config("ideal", overrides=TINY_CONTINUAL_FINETUNE + ["continual.repeats=2"]),
                   RunContext("cpu")).result
    one = run_task("continual", load_config("ideal", overrides=TINY_CONTINUAL_FINETUNE + ["run.seed=1"]),
                   RunContext("cpu")).result
    assert two.seeds == [0, seeds.repeat_seed(0, 1)] and one.seeds == [1]
    assert not np.array_equal(two.results["finetune"][1].R, one.results["finetune"][0].R, equal_nan=True)
