"""A pytest plugin for tests/test_test_hygiene.py (``-p collection_dump``): when collection ends,
writes to the JSON file named by ``$NEUROSIM_COLLECTION_DUMP`` every collected test's node id with
its marker names, split into the tests the run selects and those its marker expression deselects.

One collection then answers what several ``--collect-only`` runs did (collecting the suite costs
seconds of CPU per run)."""

from __future__ import annotations

import json
import os

DESELECTED: dict[str, list[str]] = {}


def markers_of(items) -> dict[str, list[str]]:
    """``{node id: sorted marker names}`` of ``items``."""
    return {item.nodeid: sorted({m.name for m in item.iter_markers()}) for item in items}


def pytest_deselected(items):
    DESELECTED.update(markers_of(items))


def pytest_collection_finish(session):
    path = os.environ.get("NEUROSIM_COLLECTION_DUMP")
    if path:
        with open(path, "w") as f:
            json.dump({"selected": markers_of(session.items), "deselected": DESELECTED}, f)
