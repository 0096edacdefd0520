"""The app's start-up warm-up compiles every world and render kernel before the first visitor arrives."""
import importlib.util
from pathlib import Path

import numba


def test_app_warm_up_runs_the_world_and_render_warm_ups(monkeypatch):
    spec = importlib.util.spec_from_file_location("app_main", Path(__file__).parent.parent / "app.py")
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    import oyster.session
    calls = []
    for name in ("warm_up_world", "warm_up_render"):
        real = getattr(oyster.session, name)
        monkeypatch.setattr(oyster.session, name, lambda real=real, name=name: calls.append(name) or real())
    threads = numba.get_num_threads()
    try:
        assert app.warm_up() > 0
    finally:
        numba.set_num_threads(threads)
    assert calls[:2] == ["warm_up_world", "warm_up_render"]
