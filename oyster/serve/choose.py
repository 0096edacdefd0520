"""Which runner serves the page: OYSTER_RUNNER=local (the default, in-process) or ray (sessions on a Ray cluster)."""
import os

from oyster.serve.config import ServeConfig
from oyster.serve.runner import Runner

RUNNERS = ("local", "ray")


def make_runner(config: ServeConfig | None = None, kind: str | None = None):
    """A runner of the kind asked for (argument, else OYSTER_RUNNER, else local); ValueError for unknown kinds."""
    kind = (kind or os.environ.get("OYSTER_RUNNER", "") or "local").strip().lower()
    if kind == "local":
        return Runner(config)
    if kind == "ray":
        try:
            from oyster.serve.ray_runner import RayRunner
        except ImportError as e:
            raise RuntimeError("OYSTER_RUNNER=ray needs Ray: pip install -r requirements-ray.txt") from e
        return RayRunner(config)
    raise ValueError(f"OYSTER_RUNNER={kind!r} is not one of {', '.join(RUNNERS)}")
