"""Launch the page in-process on a free loopback port, for the API and browser tests (not shipped in oyster/)."""
import contextlib
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass

from oyster.serve import Runner, ServeConfig
from oyster.waitlist import Waitlist

FRAME = "#screen img[src^='data:image/jpeg']"   # the play screen once a frame has arrived (browser tests)


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

    cfg = ServeConfig.from_env(**({"page_quality": "sd"} | config))   # tests ask for HD themselves
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


class DelayProxy:
    """A loopback TCP proxy that delays every chunk by `delay_s` each way (about a browser far from the Space).

    Order and bandwidth are kept: chunks queue with their due time, so latency is added without throttling.
    """

    def __init__(self, target_port: int, delay_s: float = 0.04):
        import asyncio
        import threading

        self.target_port, self.delay_s, self.port = target_port, delay_s, free_port()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def _run(self) -> None:
        import asyncio

        async def pipe(reader, writer):
            q: asyncio.Queue = asyncio.Queue()

            async def pump():
                while True:
                    due, data = await q.get()
                    await asyncio.sleep(max(0.0, due - self._loop.time()))
                    if not data:
                        break
                    writer.write(data)
                    await writer.drain()
                writer.close()

            task = asyncio.ensure_future(pump())
            try:
                while data := await reader.read(65536):
                    q.put_nowait((self._loop.time() + self.delay_s, data))
            except (ConnectionError, OSError):
                pass
            q.put_nowait((self._loop.time() + self.delay_s, b""))
            await task

        async def handle(client_r, client_w):
            try:
                server_r, server_w = await asyncio.open_connection("127.0.0.1", self.target_port)
            except OSError:
                client_w.close()
                return
            await asyncio.gather(pipe(client_r, server_w), pipe(server_r, client_w), return_exceptions=True)

        async def main():
            self._server = await asyncio.start_server(handle, "127.0.0.1", self.port)
            self._ready.set()
            async with self._server:
                await self._server.serve_forever()

        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(main())
        except (Exception, asyncio.CancelledError):  # noqa: BLE001 - stopped by close()
            pass
        finally:
            pending = asyncio.all_tasks(self._loop)
            for t in pending:
                t.cancel()
            self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self._loop.close()

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._server.close)
        self._thread.join(5)
