"""HappyOyster in the browser:  python app.py   (GRADIO_SERVER_NAME / GRADIO_SERVER_PORT pick the address).

Limits come from OYSTER_* variables (see oyster/serve/config.py), e.g. OYSTER_MAX_PLAYERS=8 OYSTER_FPS=30.
"""
import gc
import os
import time

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from oyster import Session  # noqa: E402  (after the env default above)
from oyster.app import build_demo, launch_kwargs  # noqa: E402
from oyster.serve.choose import make_runner  # noqa: E402
from oyster.session import warm_up as warm_up_kernels  # noqa: E402


def warm_up() -> float:
    """Compile (or load cached) numba kernels before the first visitor: every world kernel (lava, characters, not
    only what a calm start touches), every render kernel, then one small world, a few steps, a command."""
    import numba

    t0 = time.perf_counter()
    s = Session(seed=1, width=160, height=90)
    # The Runner gives a lone visitor every core and each of several visitors one thread; kernels may differ by
    # thread count, so warm both.
    from oyster.fastpaths import render_paths
    for threads in sorted({1, render_paths().max_threads}):
        numba.set_num_threads(threads)
        warm_up_kernels()
        for held in ({"forward"}, {"turn_left", "jump"}, set()):
            s.step(held=held, dt=1 / 30)
    s.state()
    s.command("make it rain")
    s.share_code()
    s.close()
    return time.perf_counter() - t0


def main() -> None:
    from oyster.fastpaths import summary
    print(summary(), flush=True)   # OYSTER_FAST_PATHS=0 forces them all off
    print(f"warm-up {warm_up():.1f} s", flush=True)
    runner = make_runner()   # OYSTER_RUNNER=ray: sessions on a Ray cluster (RAY_ADDRESS, else a local one)
    demo = build_demo(runner)
    # Everything built so far (Gradio, torch, kernels: ~350k objects) lives as long as the server. A full garbage
    # collection walks all of it, 200-400 ms with every thread holding the GIL stalled (every visitor's frame
    # late); frozen, the collector skips it.
    gc.collect()
    gc.freeze()
    demo.launch(server_name=os.environ.get("GRADIO_SERVER_NAME", "0.0.0.0"),
                server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")), **launch_kwargs(runner))


if __name__ == "__main__":
    main()
