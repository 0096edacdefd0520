"""Dream model tests on a tiny config (CPU, seconds): shapes, causality, KV-cache equivalence, checkpoints,
learning, and the shipped asset."""
import copy
import os

import numpy as np
import torch

from oyster.neural import Dream, DreamBatch
from oyster.neural import data as D
from oyster.neural.checkpoint import DEFAULT_PATH, export_checkpoint, load_checkpoint
from oyster.neural.model import DreamConfig, DreamModel, KVCache, patchify, unpatchify
from oyster.neural.tokenizer import Tokenizer, TokenizerConfig

torch.set_num_threads(1)
TINY = dict(latent_dim=4, grid=4, patch=2, context=3, d_model=32, n_layer=2, n_head=2)


def tiny_model(seed: int = 0) -> DreamModel:
    torch.manual_seed(seed)
    m = DreamModel(DreamConfig(**TINY)).eval()
    torch.nn.init.normal_(m.head.weight, std=0.1)     # the zero-initialised head would hide differences
    torch.nn.init.normal_(m.time_bias, std=0.5)
    return m


def tiny_batch(b: int = 2, t: int = 7, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    z = torch.rand(b, t, 4, 4, 4, generator=g) * 2 - 1
    a = (torch.rand(b, t, 10, generator=g) < 0.3).float()
    e = torch.randint(0, 8, (b, t), generator=g)
    return z, a, e


def test_patchify_round_trip():
    z = torch.randn(2, 3, 16, 8, 8)
    t = patchify(z, 2)
    assert t.shape == (2, 3, 16, 64)
    assert torch.equal(unpatchify(t, 16, 8, 2), z)


def test_shapes():
    m = tiny_model()
    z, a, e = tiny_batch()
    assert m(z, a, e).shape == z.shape
    tok = Tokenizer(TokenizerConfig(latent_dim=4, widths=(8, 8, 8)))
    x = torch.rand(3, 3, 64, 64)
    assert tok.encode(x).shape == (3, 4, 8, 8)
    assert tok(x).shape == x.shape


def test_causality():
    """Changing anything at step t (frame, action or event) cannot change predictions for steps < t."""
    m = tiny_model()
    z, a, e = tiny_batch()
    base = m(z, a, e)
    t = 4
    z2, a2, e2 = z.clone(), a.clone(), e.clone()
    z2[:, t:] += 1.0
    a2[:, t:] = 1 - a2[:, t:]
    e2[:, t:] = (e2[:, t:] + 1) % 8
    changed = m(z2, a2, e2)
    assert torch.allclose(base[:, :t], changed[:, :t], atol=1e-6)
    assert not torch.allclose(base[:, t:], changed[:, t:], atol=1e-3)


def test_attention_band_limits_context():
    """With context 3, step t's prediction ignores step t-3 directly (only through deeper layers' history)."""
    m = tiny_model()
    m.blocks = m.blocks[:1]          # one layer: the receptive field is exactly the band
    z, a, e = tiny_batch()
    z2 = z.clone()
    z2[:, 1] += 1.0
    p, p2 = m(z, a, e), m(z2, a, e)
    assert not torch.allclose(p[:, 3], p2[:, 3], atol=1e-4)   # offset 2: inside the band
    assert torch.allclose(p[:, 4], p2[:, 4], atol=1e-6)       # offset 3: outside


def test_kv_cache_stepping_equals_full_recompute():
    m = tiny_model()
    z, a, e = tiny_batch(t=8)
    full = m(z, a, e)
    cache = KVCache(m.cfg, z.shape[0])
    steps = torch.stack([m.step(z[:, t], a[:, t], e[:, t], cache) for t in range(z.shape[1])], 1)
    assert torch.allclose(full, steps, atol=1e-5)


def test_batched_streams_are_independent():
    """A stream's output must not depend on the other streams in the batch (nor on their cache state)."""
    m = tiny_model()
    z, a, e = tiny_batch(b=3, t=5)
    cache3 = KVCache(m.cfg, 3)
    out3 = [m.step(z[:, t], a[:, t], e[:, t], cache3) for t in range(5)]
    cache1 = KVCache(m.cfg, 1)
    out1 = [m.step(z[1:2, t], a[1:2, t], e[1:2, t], cache1) for t in range(5)]
    for t in range(5):
        assert torch.allclose(out3[t][1:2], out1[t], atol=1e-5)


def tiny_dream() -> Dream:
    torch.manual_seed(0)
    tok = Tokenizer(TokenizerConfig(latent_dim=4, widths=(8, 8, 8))).eval()
    m = DreamModel(DreamConfig(**(TINY | {"grid": 8}))).eval()
    torch.nn.init.normal_(m.head.weight, std=0.1)     # as in tiny_model: make the dynamics matter
    torch.nn.init.normal_(m.time_bias, std=0.5)
    return Dream(tok, m, {"dt": 1 / 15, "actions": list(D.ACTIONS), "events": list(D.EVENTS), "notes": ""})


def test_checkpoint_round_trip(tmp_path):
    d = tiny_dream()
    path = str(tmp_path / "dream.pt")
    export_checkpoint(path, d._one.tok, d._one.model, dt=d.dt)
    torch.load(path, weights_only=True)                  # plain tensors and containers only
    d2 = Dream.load(path)
    assert (d2.size, d2.context, d2.dt) == (d.size, d.context, d.dt)
    frames = [np.full((64, 64, 3), 40 * i, np.uint8) for i in range(3)]
    d.reset(frames, [{"forward"}, set()])
    d2.reset(frames, [{"forward"}, set()])
    assert np.array_equal(d.step({"turn_left"}), d2.step({"turn_left"}))


def test_dream_batch_matches_single_streams():
    d = tiny_dream()
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 255, (64, 64, 3), dtype=np.uint8) for _ in range(4)]
    batch: DreamBatch = d.batch(2)
    batch.reset(0, frames[:2])
    batch.reset(1, frames[1:4], [{"forward"}, {"jump"}])
    out = batch.step_many([{"turn_left"}, {"forward"}], [None, "eruption"])
    d.reset(frames[1:4], [{"forward"}, {"jump"}])
    single = d.step({"forward"}, "eruption")
    assert out.shape == (2, 64, 64, 3) and out.dtype == np.uint8
    assert np.abs(out[1].astype(int) - single.astype(int)).max() <= 1


def test_batched_stepping_equals_single_streams_over_time():
    """Issue 5: 4 streams stepped together (reset at different times, so the shared ring buffer is at
    another position than each single stream's) give the frames of 4 single streams stepped separately."""
    d = tiny_dream()
    rng = np.random.default_rng(1)
    frames = [rng.integers(0, 255, (64, 64, 3), dtype=np.uint8) for _ in range(6)]
    keys = ["forward", "turn_left", "jump", "back"]
    batch = d.batch(4)
    singles = [d.fork() for _ in range(4)]
    for i in range(3):
        batch.reset(i, frames[i:i + 3], [{keys[i]}, set()])
        singles[i].reset(frames[i:i + 3], [{keys[i]}, set()])
    for t in range(7):
        if t == 3:                                     # a late joiner: reset mid-run, ring at position 3
            batch.reset(3, frames[3:6], [set(), {"jump"}], [None, "eruption"])
            singles[3].reset(frames[3:6], [set(), {"jump"}], [None, "eruption"])
        helds = [{keys[(i + t) % 4]} for i in range(4)]
        out = batch.step_many(helds, ["eruption" if t == 2 else None] * 4)
        for i in (0, 1, 2) if t < 3 else range(4):
            one = singles[i].step(helds[i], "eruption" if t == 2 else None)
            assert np.abs(out[i].astype(int) - one.astype(int)).max() <= 1, (t, i)


def test_fused_frame_finish_matches_torch_reference():
    """detail.finish_frames (pixel shuffle + restore + uint8 in one pass) equals the torch ops it replaces."""
    from oyster.neural.detail import finish_frames, restore, unshuffle_frames
    from oyster.neural.tokenizer import to_uint8
    g = torch.Generator().manual_seed(0)
    raw = torch.rand(3, 12, 8, 8, generator=g) * 2.4 - 1.2        # a little outside -1..1: clamping is tested
    y = torch.nn.functional.pixel_shuffle(raw, 2) * 0.5 + 0.5
    recon = (y + 0.03 * torch.randn(y.shape, generator=g)).clamp(0, 1)
    lost = 0.1 * torch.randn(y.shape, generator=g)
    hwc = lambda t: np.ascontiguousarray(t.permute(0, 2, 3, 1).numpy())   # noqa: E731
    r = hwc(raw)
    assert np.allclose(unshuffle_frames(r, np.empty((3, 16, 16, 3), np.float32)), hwc(y), atol=1e-6)
    for detail in (True, False):
        want = to_uint8(restore(y, recon, lost, 0.04) if detail else y)
        got = finish_frames(r, hwc(recon), hwc(lost), 0.04, detail, np.empty((3, 16, 16, 3), np.uint8))
        assert np.abs(got.astype(int) - want.astype(int)).max() <= 1


def test_loss_goes_down_on_a_tiny_batch():
    from oyster.neural.train import TrainConfig, dynamics_loss
    torch.manual_seed(0)
    cfg = TrainConfig(passes=2, noise_max=0.05, model=DreamConfig(**TINY))
    m = DreamModel(cfg.model)
    z, a, e = tiny_batch(b=4, t=7)
    rng = np.random.default_rng(0)
    opt = torch.optim.AdamW(m.parameters(), lr=3e-3)
    losses = []
    for _ in range(60):
        loss = dynamics_loss(m, cfg, z, a[:, :-1], e[:, :-1], rng)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


def test_synthetic_rollout_format():
    cfg = D.RolloutConfig(steps=10, source="synthetic")
    r = D.rollout(1, cfg)
    assert r["frames"].shape == (11, 64, 64, 3) and r["frames"].dtype == np.uint8
    assert r["actions"].shape == (11, len(D.ACTIONS)) and r["events"].shape == (11,)
    r2 = D.rollout(1, cfg)
    assert np.array_equal(r["frames"], r2["frames"])     # same seed, same rollout


def test_frame_psnr():
    from oyster.neural import frame_psnr
    a = np.zeros((4, 4, 3), np.uint8)
    assert frame_psnr(a, a) == float("inf")
    assert abs(frame_psnr(a, a + 255) - 0.0) < 1e-9
    assert abs(frame_psnr(a, a + 1) - 48.13) < 0.01


def test_event_ids():
    assert D.event_of({"op": "weather", "kind": "rain", "intensity": 1}) == D.EVENT_ID["weather_rain"]
    assert D.event_of({"op": "eruption"}) == D.EVENT_ID["eruption"]
    assert D.event_of({"op": "spawn", "kind": "tree"}) == 0
    assert D.event_of(None) == 0


def test_train_end_to_end_resumes_and_exports(tmp_path):
    """The whole pipeline on a tiny synthetic config: data, tokenizer, dynamics, resume, export, load, step."""
    from oyster.neural.train import TrainConfig, run
    cfg = TrainConfig(out=str(tmp_path / "run"), data=str(tmp_path / "data"), source="synthetic", n_rollouts=2,
                      rollout_steps=14, tok_steps=2, tok_batch=4, dyn_steps=2, dyn_batch=2, seq_len=6, log_every=1,
                      dec_steps=2, dec_batch=8,
                      export=str(tmp_path / "dream.pt"), tokenizer=TokenizerConfig(latent_dim=4, widths=(8, 8)),
                      model=DreamConfig(**(TINY | {"patch": 4})))
    run(cfg)
    cfg.dyn_steps = 3                                   # resuming continues where it stopped
    run(cfg)
    log = open(tmp_path / "run" / "log.txt").read()
    assert "resumed from" in log and "dyn 3/3" in log and "tok 2/2" in log and "dec 2/2" in log
    d = Dream.load(cfg.export)
    d.reset([np.zeros((64, 64, 3), np.uint8)])
    assert d.step({"forward"}).shape == (64, 64, 3)

    # a new decoder design on resume: the encoder and dynamics are kept, only a new decoder is trained
    before = torch.load(tmp_path / "run" / "ckpt.pt", weights_only=True)
    cfg.tokenizer = TokenizerConfig(latent_dim=4, widths=(8, 8), dec_widths=(4, 6), dec_act="relu")
    cfg.dec_steps = 3
    run(cfg)
    after = torch.load(tmp_path / "run" / "ckpt.pt", weights_only=True)
    assert "decoder design changed" in open(tmp_path / "run" / "log.txt").read()
    assert after["steps"] == {"tokenizer": 2, "dynamics": 3, "decoder": 3}
    for k, v in before["tokenizer"].items():
        if k.startswith("encoder."):
            assert torch.equal(after["tokenizer"][k], v)
    assert all(torch.equal(after["model"][k], v) for k, v in before["model"].items())
    assert after["tokenizer"]["decoder.0.weight"].shape == (6, 4, 3, 3)
    d = Dream.load(cfg.export)
    d.reset([np.zeros((64, 64, 3), np.uint8)])
    assert d.step({"forward"}).shape == (64, 64, 3)


def test_decoder_design_is_configurable_and_old_configs_load():
    cfg = TokenizerConfig(latent_dim=4, widths=(8, 16), dec_widths=(6, 12), dec_act="relu")
    tok = Tokenizer(cfg)
    x = torch.rand(2, 3, 64, 64)
    assert tok(x).shape == x.shape
    assert tok.decoder[0].out_channels == 12 and tok.encoder[-1].in_channels == 16
    assert any(isinstance(m, torch.nn.ReLU) for m in tok.decoder.modules())
    assert not any(isinstance(m, torch.nn.ReLU) for m in tok.encoder.modules())
    assert TokenizerConfig.from_dict(cfg.to_dict()) == cfg
    old = {"size": 64, "latent_dim": 8, "widths": [32, 64], "latent_noise": 0.05}   # before dec_widths existed
    assert TokenizerConfig.from_dict(old) == TokenizerConfig()


def test_bfloat16_stream_model_tracks_float32():
    """At run time streams step on a bf16 copy of the weights (runtime.stream_model, where the CPU has native
    bf16) while latents, the KV cache and attention stay float32: with the shipped weights, 16 free-running
    steps stay within 0.03 of the float32 model's latents (in -1..1) while the latents move ~0.1."""
    from oyster.neural.runtime import bf16_fast, stream_model
    tok, m, _ = load_checkpoint()
    fast = copy.deepcopy(m).to(torch.bfloat16)
    with torch.no_grad():
        z = tok.encode(torch.rand(2, 3, 64, 64, generator=torch.Generator().manual_seed(0)))
    a = torch.zeros(2, len(D.ACTIONS))
    a[0, D.ACTIONS.index("forward")] = a[1, D.ACTIONS.index("turn_left")] = 1
    e = torch.zeros(2, dtype=torch.long)
    c32, c16 = KVCache(m.cfg, 2), KVCache(m.cfg, 2)
    za = zb = z
    for t in range(16):
        za, zb = m.step(za, a, e, c32).clamp(-1, 1), fast.step(zb, a, e, c16).clamp(-1, 1)
        assert zb.dtype == torch.float32 and c16.k[0].dtype == torch.float32
        assert (za - zb).abs().max() < 0.03, t
    assert (za - z).abs().mean() > 0.05 and not torch.equal(za, zb)   # it moved, and bf16 really ran
    served = stream_model(m)
    assert served.head.weight.dtype == (torch.bfloat16 if bf16_fast() else torch.float32)
    assert m.head.weight.dtype == torch.float32                         # the original is untouched


def test_cli_flags_reach_nested_configs():
    from oyster.neural.train import parse_args
    cfg = parse_args(["--dyn_steps", "7", "--model.d_model", "64", "--tokenizer.widths", "16,32"])
    assert (cfg.dyn_steps, cfg.model.d_model, cfg.tokenizer.widths) == (7, 64, (16, 32))


def test_shipped_checkpoint_loads_and_steps():
    tok, model, meta = load_checkpoint()
    assert os.path.getsize(DEFAULT_PATH) < 20e6
    d = Dream.load()
    h, w = d.size
    frames = [np.zeros((h, w, 3), np.uint8) + 90 for _ in range(d.context)]
    d.reset(frames)
    out = d.step({"forward"})
    assert out.shape == (h, w, 3) and out.dtype == np.uint8 and out.flags["C_CONTIGUOUS"]
    assert 0 < d.dt <= 0.5


def test_engine_frame_matches_a_64px_session():
    """The app anchors Dream on a 640x360 Session: engine_frame must show what a 64x64 Session shows."""
    from oyster import Session
    from oyster.neural import engine_frame
    big, small = Session(seed=3, width=160, height=90), Session(seed=3, width=64, height=64)
    try:
        for held in ({"forward"}, {"turn_left"}):
            big.step(held, 1 / 15)
            want = small.step(held, 1 / 15)
        got = engine_frame(big)
        assert got.shape == (64, 64, 3) and got.dtype == np.uint8
        assert np.abs(got.astype(int) - want.astype(int)).mean() < 2.0
    finally:
        big.close()
        small.close()


def test_speed_reports_both_batch_sizes_and_their_ratio():
    from oyster.neural.evaluate import speed
    sp = speed(tiny_dream(), n=3)
    assert all(sp[k] > 0 for k in ("ms_batch1", "ms_batch8", "wall_ms_batch1", "wall_ms_batch8"))
    assert abs(sp["throughput_gain_8"] - 8 * sp["ms_batch1"] / sp["ms_batch8"]) < 1e-9
    assert abs(sp["ms_per_frame_batch8"] - sp["ms_batch8"] / 8) < 1e-9


def test_stepping_some_streams_matches_single_streams_and_marks_the_rest_stale():
    """A server steps only the visitors who are dreaming: streams 0 and 2 of 3 step together and match single
    streams; stream 1 sat out, so stepping it again is refused until it is reset, and then it matches too."""
    d = tiny_dream()
    rng = np.random.default_rng(2)
    frames = [rng.integers(0, 255, (64, 64, 3), dtype=np.uint8) for _ in range(5)]
    batch, singles = d.batch(3), [d.fork() for _ in range(3)]
    for i in range(3):
        batch.reset(i, frames[i:i + 3], [{"forward"}, set()])
        singles[i].reset(frames[i:i + 3], [{"forward"}, set()])
    for t in range(4):
        helds = [{"turn_left"}, {"jump"}] if t % 2 else [{"forward"}, set()]
        out = batch.step_many(helds, streams=[0, 2])
        assert out.shape == (2, 64, 64, 3)
        for row, i in enumerate((0, 2)):
            assert np.abs(out[row].astype(int) - singles[i].step(helds[row]).astype(int)).max() <= 1, (t, i)
    for bad in ([1], [0, 1, 2]):
        try:
            batch.step_many([set()] * len(bad), streams=bad)
            raise AssertionError("a stale stream stepped")
        except ValueError as e:
            assert "reset them first" in str(e)
    for bad in ([0, 0], [3], [-1]):
        try:
            batch.step_many([set()] * len(bad), streams=bad)
            raise AssertionError(f"bad streams {bad} accepted")
        except ValueError as e:
            assert "distinct indices" in str(e)
    batch.reset(1, frames[2:5])
    singles[1].reset(frames[2:5])
    out = batch.step_many([{"back"}] * 3)
    for i in range(3):
        assert np.abs(out[i].astype(int) - singles[i].step({"back"}).astype(int)).max() <= 1, i
    order, helds = [2, 0, 1], [{"turn_left"}, {"forward"}, {"jump"}]    # every stream, in another order
    out = batch.step_many(helds, streams=order)
    for row, i in enumerate(order):
        assert np.abs(out[row].astype(int) - singles[i].step(helds[row]).astype(int)).max() <= 1, i


def test_reset_many_equals_resets_one_by_one():
    """Re-anchoring several streams at once (one encoder call, batched priming; streams given 1, 3 and 5
    frames, so in groups) leaves them where one reset each would."""
    d = tiny_dream()
    rng = np.random.default_rng(3)
    frames = [rng.integers(0, 255, (64, 64, 3), dtype=np.uint8) for _ in range(5)]
    plans = [(frames[:1], None), (frames[:3], [{"jump"}, {"forward"}]), (frames, [{"forward"}] * 4)]
    together, apart = d.batch(4), d.batch(4)
    together.reset_many([2, 0, 3], [f for f, _ in plans], [h for _, h in plans])
    for i, (f, h) in zip([2, 0, 3], plans, strict=True):
        apart.reset(i, f, h)
    helds = [{"turn_left"}, set(), {"forward"}, {"back"}]
    a, b = together.step_many(helds), apart.step_many(helds)
    assert np.abs(a.astype(int) - b.astype(int)).max() <= 1
    assert not np.array_equal(a[0], a[3])        # the streams really differ


def test_frame_codec_encodes_like_the_tokenizer():
    from oyster.fastpaths import torch_paths
    from oyster.neural.runtime import FrameCodec
    tok, _, _ = load_checkpoint()
    frames = np.random.default_rng(4).integers(0, 255, (3, 64, 64, 3), dtype=np.uint8)
    with torch.no_grad():
        want = tok.encode(torch.from_numpy(frames).permute(0, 3, 1, 2).float() / 255)
    codec = FrameCodec(tok)
    assert codec.dtype == (torch.bfloat16 if torch_paths().bf16_conv else torch.float32)
    got = codec.encode(frames)
    assert got.dtype == torch.float32 and got.shape == want.shape
    assert (got - want).abs().max() < (0.02 if codec.dtype == torch.bfloat16 else 1e-5)
