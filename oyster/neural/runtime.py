"""Streaming Dream runtime: reset a stream on real frames, then step it with held inputs, one frame at a time.

    from oyster.neural import Dream
    dream = Dream.load()                       # assets/dream.pt
    dream.reset(recent_engine_frames)          # list of HxWx3 uint8 (the last `dream.context` are used)
    frame = dream.step({"forward"})            # (64, 64, 3) uint8: the dreamed next frame
    dream.step({"forward"}, event={"op": "eruption"})   # events: an edit dict, an event name, or None
    other = dream.fork()                       # another visitor's stream, same weights
    streams = dream.batch(8)                   # DreamBatch: 8 visitors' streams stepped in one forward
    streams.reset(3, frames); out = streams.step_many([held0, ..., held7])   # (8, 64, 64, 3) uint8
    engine_frame(session)                      # a 640x360 Session's current view as Dream sees it (64x64)
    frame_psnr(frame, engine_frame(session))   # dB, the live score against the engine

Each stream keeps its current latent and a KV cache of its last `context-1` steps, so a step costs one
block of tokens.

Detail restore (`detail=True`, see detail.py): the autoencoder blurs fine detail; a stream keeps the
detail its anchor (reset) frame lost and adds it back wherever the dreamed frame still shows what the
anchor showed. It uses only the reset frames: rollouts stay free-running.

A Dream view beside the engine: keep the last `context` engine_frame()s and the held sets between them
(sampled every `dream.dt` = 1/15 s of world time), `reset` on them to anchor, then `step(held)` once per
`dream.dt` while free-running. Re-anchor every few seconds: standing still, the dream drifts visibly
after ~100 steps (see TRAINING.md).

Frames are 64x64 renders of the engine (`Session(seed, width=64, height=64)`: 80 degrees horizontal FOV,
square), not a resize of a 16:9 view. A Dream (or DreamBatch) holds its streams' state: do not call one
from two threads at once; `fork()` and `batch(n)` share the read-only weights. The caller picks torch's
thread count (`torch.set_num_threads(1)` when serving several visitors).
"""
import copy
from collections.abc import Sequence

import numpy as np
import torch

from oyster.fastpaths import torch_paths
from oyster.neural import data as D
from oyster.neural.checkpoint import load_checkpoint
from oyster.neural.detail import finish_frames, unshuffle_frames
from oyster.neural.model import DreamModel, KVCache
from oyster.neural.tokenizer import Tokenizer, to_tensor


def bf16_fast() -> bool:
    """True where the probe chose bfloat16 dynamics weights (native bf16 dot products: AVX512-BF16 / AMX); then
    stepping is ~1.8x faster at batch 8. Elsewhere bf16 is emulated and slower, so float32 is used."""
    return torch_paths().bf16_linear


class FrameCodec:
    """The tokenizer prepared once for inference and shared by every stream: in bf16 + channels-last where the
    probe chose them (native bf16) (weights cast once, not per call as autocast does; the encoder runs ~2.4x faster and
    its latents move by under 0.004), and the decoder without its last PixelShuffle, which
    detail.finish_frames folds into its single pass over the output."""

    def __init__(self, tok: Tokenizer):
        body = list(tok.decoder)
        if not isinstance(body[-1], torch.nn.PixelShuffle) or body[-1].upscale_factor != 2:
            raise ValueError("Dream expects the tokenizer's decoder to end with PixelShuffle(2)")
        paths = torch_paths()
        self.dtype = torch.bfloat16 if paths.bf16_conv else torch.float32
        self.memory_format = torch.channels_last if paths.channels_last else torch.contiguous_format
        frozen = lambda m: copy.deepcopy(m).eval().requires_grad_(False).to(   # noqa: E731
            dtype=self.dtype, memory_format=self.memory_format)
        self.encoder, self.body = frozen(tok.encoder), frozen(torch.nn.Sequential(*body[:-1]))

    def encode(self, frames: np.ndarray) -> torch.Tensor:
        """(B, H, W, 3) uint8 frames -> (B, C, G, G) float32 latents (what Tokenizer.encode gives)."""
        x = (to_tensor(frames) * 2 - 1).to(self.dtype).contiguous(memory_format=self.memory_format)
        return torch.tanh(self.encoder(x).float()).contiguous()

    def raw(self, z: torch.Tensor) -> np.ndarray:
        """(B, C, G, G) latents -> (B, H/2, W/2, 12) float32 numpy: the decoder before its last pixel shuffle."""
        x = z.to(self.dtype).contiguous(memory_format=self.memory_format)
        y = self.body(x).permute(0, 2, 3, 1).float()                    # with channels-last memory: a plain view
        return y.contiguous().numpy()

    def frames(self, z: torch.Tensor) -> np.ndarray:
        """(B, C, G, G) latents -> (B, H, W, 3) float32 pixel-unit frames (what Tokenizer.decode gives, HWC)."""
        r = self.raw(z)
        return unshuffle_frames(r, np.empty((r.shape[0], 2 * r.shape[1], 2 * r.shape[2], 3), np.float32))


def stream_model(model: DreamModel) -> DreamModel:
    """The dynamics model prepared once for inference and shared by every stream: a frozen copy with bfloat16
    weights where the probe chose them (native bf16; its matmuls run ~1.8x faster at batch 8; rollouts stay within
    54-58 dB PSNR of float32 ones). Latents, the KV cache and attention stay float32 (see DreamModel.step)."""
    fast = copy.deepcopy(model).eval().requires_grad_(False)
    return fast.to(torch.bfloat16) if bf16_fast() else fast


class DreamBatch:
    """B independent streams over shared weights. Streams never reset start from a blank (mid-grey) frame."""

    def __init__(self, tok: Tokenizer, model: DreamModel, meta: dict, batch: int, detail: bool = True,
                 tau: float = 0.04, codec: FrameCodec | None = None, stepper: DreamModel | None = None):
        self.tok, self.model, self.meta = tok, model, meta            # as trained (float32)
        self.codec = codec or FrameCodec(tok)
        self.stepper = stepper or stream_model(model)                 # what steps the streams
        self.detail, self.tau = detail, tau            # detail restore and its gate width (0..1 pixel units)
        self.batch_size = batch
        c = model.cfg
        self.size = (tok.cfg.size, tok.cfg.size)       # (height, width)
        self.context = c.context                       # frames a step conditions on (the current one included)
        self.dt = meta["dt"]                           # world seconds per step, as in Session.step(held, dt)
        self.cache = KVCache(c, batch)
        self.z = torch.zeros(batch, c.latent_dim, c.grid, c.grid)   # each stream's current latent
        h, w = self.size
        self.recon = np.full((batch, h, w, 3), 0.5, np.float32)   # decode(encode(anchor frame)) per stream, HWC
        self.lost = np.zeros((batch, h, w, 3), np.float32)        # anchor - recon: the detail the autoencoder loses
        self.stale = np.zeros(batch, bool)     # sat out a step (see step_many(streams=)): must be reset first

    # ---- inputs -------------------------------------------------------------------------------
    @staticmethod
    def _actions(helds: Sequence) -> torch.Tensor:
        return torch.from_numpy(np.stack([D.held_to_multihot(h or ()) for h in helds])).float()

    @staticmethod
    def _events(events: Sequence | None, n: int) -> torch.Tensor:
        events = events if events is not None else [None] * n
        return torch.tensor([D.event_of(e) for e in events], dtype=torch.long)

    @torch.inference_mode()
    def encode(self, frames: Sequence[np.ndarray]) -> torch.Tensor:
        x = np.stack([np.asarray(f) for f in frames])
        if x.shape[1:] != (*self.size, 3) or x.dtype != np.uint8:
            raise ValueError(f"Dream frames must be {self.size[0]}x{self.size[1]}x3 uint8, got {x.shape} {x.dtype}")
        return self.codec.encode(x)

    # ---- stream control -----------------------------------------------------------------------
    @torch.inference_mode()
    def reset(self, i: int, frames: Sequence[np.ndarray], helds: Sequence | None = None,
              events: Sequence | None = None) -> None:
        """Anchor stream i on real frames (oldest first). helds[j]/events[j]: what happened between
        frames[j] and frames[j+1] (default: nothing held). Only the last `context` frames are used."""
        self.reset_many([i], [frames], [helds], [events])

    @torch.inference_mode()
    def reset_many(self, streams: Sequence[int], frames: Sequence, helds: Sequence | None = None,
                   events: Sequence | None = None) -> None:
        """`reset` for several streams at once (frames[r], helds[r], events[r] for streams[r]): one encoder
        call and cache priming batched across streams, as a server re-anchoring many visitors needs."""
        n = len(streams)
        helds, events = helds or [None] * n, events or [None] * n
        by_len: dict[int, list] = {}                 # streams with as many frames are primed together
        for i, f, h, e in zip(streams, frames, helds, events, strict=True):
            f, h, e = self._anchor_inputs(f, h, e)
            by_len.setdefault(len(f), []).append((i, f, h, e))
        for k, group in by_len.items():
            z = self.encode([f for _, fs, _, _ in group for f in fs]).view(len(group), k, *self.z.shape[1:])
            cache = KVCache(self.model.cfg, len(group))
            for j in range(k - 1):                   # prime the caches on the real transitions
                self.stepper.step(z[:, j], self._actions([g[2][j] for g in group]),
                                  self._events([g[3][j] for g in group], len(group)), cache)
            for r, (i, *_) in enumerate(group):
                self.cache.copy_stream(i, cache, r)
            idx = [g[0] for g in group]
            self._anchor(idx, z[:, -1], [g[1][-1] for g in group])
            self.stale[idx] = False

    def _anchor_inputs(self, frames, helds, events) -> tuple[list, list, list]:
        """Check one stream's reset inputs; keep the last `context` frames and the transitions between them."""
        if not len(frames):
            raise ValueError("reset needs at least one frame")
        n = len(frames)
        helds = list(helds) if helds is not None else [set()] * (n - 1)
        events = list(events) if events is not None else [None] * (n - 1)
        if len(helds) != n - 1 or len(events) != n - 1:
            raise ValueError(f"{n} frames need {n - 1} helds/events (one per transition)")
        k = min(n, self.context)
        return list(frames[-k:]), helds[n - k:], events[n - k:]

    @torch.inference_mode()
    def observe(self, i: int, frame: np.ndarray) -> None:
        """Replace stream i's current frame with a real one (keeps its history): a soft re-anchor."""
        self._anchor([i], self.encode([frame]), [frame])

    def _anchor(self, streams: list[int], z: torch.Tensor, frames: list[np.ndarray]) -> None:
        self.z[streams] = z
        self.recon[streams] = recon = self.codec.frames(z)
        self.lost[streams] = np.stack(frames).astype(np.float32) / np.float32(255.0) - recon

    @torch.inference_mode()
    def step_many(self, helds: Sequence, events: Sequence | None = None,
                  streams: Sequence[int] | None = None) -> np.ndarray:
        """Advance streams by one step: helds[j] is the held-input set of the j-th stepped stream (events[j]:
        an edit dict, event name or None). `streams`: which streams step (default: all, in order); the others
        sit out and are marked stale: their ring buffer misses this step, so they must be reset before they
        step again (a server steps only the visitors who are dreaming). Returns (n, H, W, 3) uint8 frames."""
        idx = list(range(self.batch_size)) if streams is None else [int(i) for i in streams]
        if len(set(idx)) != len(idx) or not all(0 <= i < self.batch_size for i in idx):
            raise ValueError(f"streams must be distinct indices below {self.batch_size}, got {idx}")
        if len(helds) != len(idx):
            raise ValueError(f"step_many needs {len(idx)} held sets, got {len(helds)}")
        if self.stale[idx].any():
            raise ValueError(f"streams {[i for i in idx if self.stale[i]]} sat out a step: reset them first")
        actions, events = self._actions(helds), self._events(events, len(idx))
        if idx == list(range(self.batch_size)):        # every stream, in order: no gather/scatter
            self.z = self.stepper.step(self.z, actions, events, self.cache).clamp_(-1, 1)   # latents live in [-1, 1]
            return self.frames()
        rows = torch.as_tensor(idx, dtype=torch.long)
        sub = self.cache.take(rows)
        self.z[rows] = self.stepper.step(self.z[rows], actions, events, sub).clamp_(-1, 1)
        self.cache.put(rows, sub)
        self.stale[:] = True
        self.stale[idx] = False
        return self.frames(idx)

    @torch.inference_mode()
    def frames(self, streams: Sequence[int] | None = None) -> np.ndarray:
        """(n, H, W, 3) uint8 frames of the streams' current latents (default: all streams; no step)."""
        if streams is None:
            z, recon, lost = self.z, self.recon, self.lost
        else:
            idx = list(streams)
            z, recon, lost = self.z[idx], self.recon[idx], self.lost[idx]
        out = np.empty((len(z), *self.size, 3), np.uint8)
        return finish_frames(self.codec.raw(z), recon, lost, self.tau, self.detail, out)

    @torch.inference_mode()
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """(B, C, G, G) latents -> (B, 3, H, W) float frames in pixel units (no detail restore)."""
        return torch.from_numpy(self.codec.frames(z)).permute(0, 3, 1, 2)


def frame_psnr(a: np.ndarray, b: np.ndarray) -> float:
    """PSNR in dB between two uint8 frames of the same shape (inf when identical): the live score to show."""
    mse = float(np.mean((a.astype(np.float32) - b.astype(np.float32)) ** 2)) / 255.0 ** 2
    return float("inf") if mse == 0 else 10.0 * float(np.log10(1.0 / mse))


def engine_frame(session, size: tuple[int, int] = (64, 64)) -> np.ndarray:
    """The frame Dream expects (what `Session(seed, width=64, height=64)` would draw) for any Session,
    whatever its own resolution: the same world drawn again at `size`, without advancing it."""
    from oyster.render import render
    out = np.empty((*size, 3), np.uint8)
    with session.world.frame_lock:
        return render(session.world.scene(), out)


class Dream:
    """One stream (the single-visitor API); `batch(n)` makes a DreamBatch that shares these weights."""

    def __init__(self, tok: Tokenizer, model: DreamModel, meta: dict):
        self._one = DreamBatch(tok, model, meta, 1)
        self.size, self.context, self.dt = self._one.size, self._one.context, self._one.dt
        self.meta = meta

    @classmethod
    def load(cls, path: str | None = None) -> "Dream":
        """Load a checkpoint (default: the shipped assets/dream.pt), weights_only, on the CPU."""
        return cls(*load_checkpoint(path))

    def fork(self) -> "Dream":
        """Another independent stream over the same weights (one per visitor; no reload)."""
        d = Dream.__new__(Dream)
        d._one = self.batch(1)
        d.size, d.context, d.dt, d.meta = self.size, self.context, self.dt, self.meta
        d.detail = self.detail
        return d

    def batch(self, n: int) -> DreamBatch:
        one = self._one
        return DreamBatch(one.tok, one.model, self.meta, n, one.detail, one.tau, one.codec, one.stepper)

    @property
    def detail(self) -> bool:
        return self._one.detail

    @detail.setter
    def detail(self, on: bool) -> None:
        self._one.detail = bool(on)

    def reset(self, frames: Sequence[np.ndarray], helds: Sequence | None = None,
              events: Sequence | None = None) -> None:
        self._one.reset(0, frames, helds, events)

    def observe(self, frame: np.ndarray) -> None:
        self._one.observe(0, frame)

    def step(self, held=frozenset(), event=None) -> np.ndarray:
        """The dreamed next frame, HxWx3 uint8, after holding `held` for `dt` seconds."""
        return self._one.step_many([held], [event])[0]
