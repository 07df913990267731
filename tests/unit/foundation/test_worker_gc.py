"""A served worker's garbage collector, settled once its start-up is done (service/serving.py)."""

from __future__ import annotations

import gc
from types import SimpleNamespace

from service.config import load_settings
from service.serving import YOUNG_GENERATION_THRESHOLD, served_app, settle_garbage_collector


def test_a_worker_settles_its_collector_after_every_other_start_up_hook(monkeypatch) -> None:  # noqa: ANN001
    def service_start_up() -> None: ...

    # the service's own app takes a second or two to build: its start-up hooks stand in for it (only they matter here)
    monkeypatch.setattr("service.app.create_app", lambda settings: SimpleNamespace(on_startup=[service_start_up]))
    app = served_app(load_settings({}))  # built, never started here
    assert app.on_startup == [service_start_up, settle_garbage_collector]


def test_settling_sets_start_up_objects_aside_and_collects_the_young_rarely() -> None:
    threshold = gc.get_threshold()
    try:
        settle_garbage_collector()
        assert gc.get_freeze_count() > 1000  # this process's imports and objects, left out of full collections
        assert gc.get_threshold() == (YOUNG_GENERATION_THRESHOLD, *threshold[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
