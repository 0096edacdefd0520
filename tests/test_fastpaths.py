"""Fast-path probes: the switch forces everything off, a failing probe falls back, and whichever path was chosen
computes what the plain path computes."""
import copy
import logging
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from oyster import fastpaths
from oyster.neural.checkpoint import load_checkpoint
from oyster.neural.model import Block, DreamConfig


@pytest.fixture
def reprobe():
    """Probes are cached per process: clear them around a test that changes the environment or a probe."""
    fastpaths.torch_paths.cache_clear()
    fastpaths.render_paths.cache_clear()
    yield
    fastpaths.torch_paths.cache_clear()
    fastpaths.render_paths.cache_clear()


def test_switch_forces_every_fast_path_off(reprobe, monkeypatch, caplog):
    monkeypatch.setenv(fastpaths.SWITCH, "0")
    with caplog.at_level(logging.INFO, logger="oyster.fastpaths"):
        t, r = fastpaths.torch_paths(), fastpaths.render_paths()
        fastpaths.torch_paths()                       # cached: probed and logged once
    assert (t.bf16_linear, t.bf16_conv, t.channels_last, t.fused_gelu) == (False, False, False, frozenset())
    assert r.max_threads == 1 and not r.parallel
    lines = [rec.getMessage() for rec in caplog.records]
    assert len(lines) == 2 and all("forced off" in line for line in lines)


@pytest.mark.parametrize("value, on", [("1", True), ("", True), ("0", False), ("off", False), ("False", False)])
def test_switch_values(monkeypatch, value, on):
    monkeypatch.setenv(fastpaths.SWITCH, value)
    assert fastpaths.enabled() is on


def test_a_failing_fused_op_falls_back_and_bf16_weights_still_step(reprobe, monkeypatch):
    """On a CPU without bf16 kernels oneDNN raises "could not create a primitive descriptor": the probe must
    turn the fused path off for that dtype, and a bf16 copy of the model must then step on the plain ops."""
    real = fastpaths._probe_fused_gelu

    def no_bf16_kernel(dtype):
        if dtype == torch.bfloat16:
            raise RuntimeError("could not create a primitive descriptor for a matmul primitive")
        return real(dtype)

    monkeypatch.setattr(fastpaths, "_probe_fused_gelu", no_bf16_kernel)
    paths = fastpaths.torch_paths()
    assert torch.bfloat16 not in paths.fused_gelu
    called = []
    monkeypatch.setattr(torch.ops.mkldnn, "_linear_pointwise",
                        lambda *a: called.append(a) or pytest.fail("fused op used where the probe said no"),
                        raising=False)
    block = Block(DreamConfig()).to(torch.bfloat16).eval()
    x = torch.randn(2, 18, 128).to(torch.bfloat16)
    with torch.no_grad():
        got = block.mlp_out(x)
    assert got.dtype == torch.bfloat16 and torch.isfinite(got.float()).all() and not called


def test_mlp_out_matches_the_plain_mlp_on_the_chosen_path():
    """Whatever the probe chose (fused or plain), mlp_out computes the MLP: float32 tightly, bf16 loosely."""
    torch.manual_seed(0)
    block = Block(DreamConfig()).eval()
    x = torch.randn(3, 18, 128)
    with torch.no_grad():
        want = block.mlp(x)
        assert torch.allclose(block.mlp_out(x), want, atol=1e-5)
        got16 = copy.deepcopy(block).to(torch.bfloat16).mlp_out(x.to(torch.bfloat16))
    assert got16.dtype == torch.bfloat16
    assert (got16.float() - want).abs().max() < 0.1


def test_probes_agree_with_the_cpu():
    """bf16 is chosen only with native bf16 instructions; what was chosen really runs."""
    paths = fastpaths.torch_paths()
    native = bool({"avx512_bf16", "amx_bf16"} & fastpaths.cpu_flags())
    if not fastpaths.enabled():
        assert not paths.bf16_linear and not paths.bf16_conv
        return
    assert paths.bf16_linear <= native and paths.bf16_conv <= native
    if paths.bf16_linear:
        assert fastpaths._probe_linear_bf16()
    if paths.bf16_conv:
        assert fastpaths._probe_conv(torch.bfloat16, paths.channels_last)
    for d in paths.fused_gelu:
        assert fastpaths._probe_fused_gelu(d)


def test_served_models_use_the_chosen_dtypes():
    from oyster.neural.runtime import FrameCodec, stream_model
    tok, model, _ = load_checkpoint()
    paths = fastpaths.torch_paths()
    assert stream_model(model).head.weight.dtype == (torch.bfloat16 if paths.bf16_linear else torch.float32)
    codec = FrameCodec(tok)
    assert codec.dtype == (torch.bfloat16 if paths.bf16_conv else torch.float32)
    w = next(codec.encoder.parameters())
    assert w.is_contiguous(memory_format=torch.channels_last) == paths.channels_last or w.dim() != 4
    z = codec.encode(np.full((1, 64, 64, 3), 128, np.uint8))
    assert z.dtype == torch.float32 and z.shape == (1, 8, 16, 16)


@pytest.mark.slow
def test_a_process_with_the_switch_off_renders_serially_and_logs_it():
    """End to end in a fresh process: the switch reaches the renderer and the Session still draws frames."""
    code = ("import logging, numba, numpy as np; logging.basicConfig(level=logging.INFO);"
            "import oyster; from oyster.fastpaths import render_paths;"
            "numba.set_num_threads(numba.config.NUMBA_NUM_THREADS);"
            "s = oyster.Session(seed=3, width=64, height=36); f = s.step(set(), 1/30);"
            "print(render_paths().max_threads, f.shape, int(f.std() > 0))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         env=os.environ | {"OYSTER_FAST_PATHS": "0"})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split("\n")[0] == "1 (36, 64, 3) 1"
    assert "render threads 1 (forced off by OYSTER_FAST_PATHS)" in out.stderr
