"""Which CPU fast paths this machine can really run: bfloat16 math, fused oneDNN ops, channels-last convolutions,
numba's parallel kernels. Each is chosen once per process, by running the op at the dtype it will be used with.

    OYSTER_FAST_PATHS=0 python app.py      # every fast path off: float32, plain ops, serial kernels

A probe that raises or disagrees with the plain op turns its path off; one log line per probe says what was
chosen. torch is imported only by its probe (render never pulls it in).
"""
import functools
import logging
import os
from dataclasses import dataclass

import numba
import numpy as np

log = logging.getLogger(__name__)
SWITCH = "OYSTER_FAST_PATHS"


def enabled() -> bool:
    """False when the environment forces every fast path off (OYSTER_FAST_PATHS=0/false/off/no)."""
    return os.environ.get(SWITCH, "1").strip().lower() not in ("0", "false", "off", "no")


def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags (Linux /proc/cpuinfo; empty elsewhere)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


@dataclass(frozen=True)
class TorchPaths:
    """torch fast paths for Dream. bf16 is used only where the CPU does it natively (AVX512-BF16 / AMX):
    emulated bf16 runs, but slower than float32."""
    bf16_linear: bool          # dynamics weights in bfloat16 (runtime.stream_model)
    bf16_conv: bool            # tokenizer in bfloat16 (runtime.FrameCodec)
    channels_last: bool        # tokenizer convolutions in channels-last memory
    fused_gelu: frozenset      # dtypes (torch.dtype) at which mkldnn's fused linear+GELU runs and agrees

    def describe(self) -> str:
        fused = ",".join(sorted(str(d).removeprefix("torch.") for d in self.fused_gelu)) or "off"
        return (f"bf16 linear {'on' if self.bf16_linear else 'off'}, bf16 conv {'on' if self.bf16_conv else 'off'}, "
                f"channels-last {'on' if self.channels_last else 'off'}, fused linear+GELU {fused}")


@dataclass(frozen=True)
class RenderPaths:
    """numba fast paths for the ray-caster."""
    max_threads: int           # threads one frame may use; 1 = the serial kernels only
    layer: str                 # numba's threading layer, or why parallel is off

    @property
    def parallel(self) -> bool:
        return self.max_threads > 1

    def describe(self) -> str:
        return f"render threads {self.max_threads} ({self.layer})"


def _agree(got, want, tol: float) -> bool:
    return bool(got.shape == want.shape and (got.float() - want.float()).abs().max().item() <= tol)


def _probe_linear_bf16() -> bool:
    import torch
    g = torch.Generator().manual_seed(0)
    x, w = torch.randn(7, 32, generator=g), torch.randn(64, 32, generator=g) / 6
    with torch.no_grad():
        got = torch.nn.functional.linear(x.bfloat16(), w.bfloat16())
    return _agree(got, x @ w.T, 0.1)


def _probe_conv(dtype, channels_last: bool) -> bool:
    import torch
    g = torch.Generator().manual_seed(0)
    x, w = torch.randn(2, 8, 12, 12, generator=g), torch.randn(16, 8, 3, 3, generator=g) / 8
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    with torch.no_grad():
        got = torch.nn.functional.conv2d(x.to(dtype).contiguous(memory_format=fmt),
                                         w.to(dtype).contiguous(memory_format=fmt), padding=1)
        want = torch.nn.functional.conv2d(x, w, padding=1)
    return _agree(got, want, 0.1 if dtype == torch.bfloat16 else 1e-4)


def _probe_fused_gelu(dtype) -> bool:
    """torch.ops.mkldnn._linear_pointwise is what torch.compile uses to fuse linear + GELU on the CPU; it is
    internal, and oneDNN may have no kernel for a dtype on this CPU ("could not create a primitive descriptor")."""
    import torch
    import torch.nn.functional as F
    g = torch.Generator().manual_seed(0)
    x, w, b = torch.randn(5, 8, generator=g), torch.randn(16, 8, generator=g), torch.randn(16, generator=g)
    x, w, b = x.to(dtype), w.to(dtype), b.to(dtype)
    with torch.no_grad():
        got = torch.ops.mkldnn._linear_pointwise(x, w, b, "gelu", [], "tanh")
        want = F.gelu(F.linear(x.float(), w.float(), b.float()), approximate="tanh")
    return got.dtype == dtype and _agree(got, want, 1e-5 if dtype == torch.float32 else 0.15)


def _try(probe, *args) -> bool:
    try:
        return probe(*args)
    except (AttributeError, RuntimeError, NotImplementedError, TypeError, ValueError):
        return False


@functools.cache
def torch_paths() -> TorchPaths:
    """Probe torch once per process (a few milliseconds) and log what was chosen."""
    import torch
    if not enabled():
        paths = TorchPaths(False, False, False, frozenset())
    else:
        native_bf16 = bool({"avx512_bf16", "amx_bf16"} & cpu_flags()) and torch.backends.mkldnn.is_available()
        bf16_linear = native_bf16 and _try(_probe_linear_bf16)
        channels_last = _try(_probe_conv, torch.float32, True)
        bf16_conv = native_bf16 and channels_last and _try(_probe_conv, torch.bfloat16, True)
        fused = frozenset(d for d in (torch.float32, torch.bfloat16)
                          if torch.backends.mkldnn.is_available() and _try(_probe_fused_gelu, d))
        paths = TorchPaths(bf16_linear, bf16_conv, channels_last, fused)
    log.info("fast paths (torch%s): %s", "" if enabled() else f", forced off by {SWITCH}", paths.describe())
    return paths


@numba.njit(cache=True, parallel=True)
def _parallel_sum(a):
    s = 0.0
    for i in numba.prange(a.shape[0]):
        s += a[i]
    return s


def _probe_parallel() -> str:
    """Run a tiny numba parallel kernel; returns the threading layer it got."""
    if _parallel_sum(np.ones(64)) != 64.0:
        raise RuntimeError("parallel reduction disagrees")
    return str(numba.threading_layer())


@functools.cache
def render_paths() -> RenderPaths:
    """Probe numba once per process and log what was chosen."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    threads = max(1, min(cores, numba.config.NUMBA_NUM_THREADS))
    if not enabled():
        paths = RenderPaths(1, f"forced off by {SWITCH}")
    elif threads <= 1:
        paths = RenderPaths(1, "one core")
    else:
        try:
            paths = RenderPaths(threads, _probe_parallel())
        except Exception as e:  # noqa: BLE001 - any failure of the parallel runtime means: serial kernels
            paths = RenderPaths(1, f"parallel kernels unavailable: {type(e).__name__}")
    log.info("fast paths (numba): %s", paths.describe())
    return paths


def summary() -> str:
    """Every choice in one line (probing whatever was not probed yet), for start-up messages."""
    return f"fast paths: {render_paths().describe()}; {torch_paths().describe()}"
