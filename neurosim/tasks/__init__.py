"""Tasks: what a run does with the chip-programmed reservoir, each registered by name.

Every module of this package that defines a :class:`~neurosim.tasks.registry.Task`
subclass decorated with :func:`~neurosim.tasks.registry.register_task` is a task
(``classify``, ``reservoir``, …); :func:`~neurosim.tasks.runner.run_task` runs one
by name and builds its report. :mod:`neurosim.tasks.pipeline` streams datasets
through the reservoir for all of them.
"""

from neurosim.tasks.registry import (DEFAULT_TASK, Headline, RunContext, Task, discover, get_task, register_task,
                                     task_names, unregister_task)
from neurosim.tasks.runner import TaskOutput, preflight, run_id, run_task, summary_rows

__all__ = ["DEFAULT_TASK", "Headline", "RunContext", "Task", "TaskOutput", "get_task", "preflight", "register_task",
           "run_id", "run_task", "summary_rows", "task_names", "unregister_task"]

discover()  # the built-in tasks register themselves (and their config sections) on import
