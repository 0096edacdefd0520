"""The app's start-up warm-up compiles every world and render kernel before the first visitor arrives."""
import importlib.util
from pathlib import Path

import numba


def test_app_warm_up_runs_the_world_and_render_warm_ups(monkeypatch):
    spec = importlib.util.spec_from_file_location("app_main", Path(__file__).parent.parent / "app.py")
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    import oyster.render
    import oyster.world.world
    calls = []
    for mod in (oyster.render, oyster.world.world):
        real = mod.warm_up
        monkeypatch.setattr(mod, "warm_up", lambda real=real, mod=mod: calls.append(mod.__name__) or real())
    threads = numba.get_num_threads()
    try:
        assert app.warm_up() > 0
    finally:
        numba.set_num_threads(threads)
    assert calls[0] == "oyster.world.world" and "oyster.render" in calls
