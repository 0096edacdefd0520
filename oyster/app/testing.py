"""Launch the page in-process on a free loopback port, for tests and the load benchmark."""
import contextlib
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass

from oyster.serve import Runner, ServeConfig
from oyster.waitlist import Waitlist


@dataclass
class LaunchedApp:
    url: str          # e.g. "http://127.0.0.1:54321/"
    runner: Runner
    waitlist: Waitlist


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def launched_app(waitlist_path: str, extensions=(), session_factory=None, **config) -> Iterator[LaunchedApp]:
    """Build and launch the page (no optional extensions unless given); closes it and every session after."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from oyster.app.page import build_demo, launch_kwargs  # gradio import is slow: only when launching

    cfg = ServeConfig.from_env(**config)
    runner = Runner(cfg, session_factory) if session_factory else Runner(cfg)
    waitlist = Waitlist(waitlist_path)
    demo = build_demo(runner, waitlist, extensions=list(extensions))
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                **launch_kwargs(runner))
    try:
        yield LaunchedApp(f"http://127.0.0.1:{port}/", runner, waitlist)
    finally:
        runner.shutdown()
        demo.close()
