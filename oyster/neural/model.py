"""Dream dynamics: a block-causal transformer that predicts the next frame's latents from past latents and inputs.

One step of the token stream is a block of `1 + 1 + P` tokens: the held-input (action) token, the event token
and the P patch tokens of the current frame's latent grid. Every token of step t attends to every token of
steps t-context+1 .. t (a band in time, full inside a step), never to the future. The outputs at the patch
positions of step t predict the latent of frame t+1 as a residual over the latent of frame t.

Because the attention band is fixed, stepping with a per-stream KV cache of the last `context-1` blocks (a
preallocated ring buffer, see KVCache) gives the same numbers as recomputing the whole sequence, to float
rounding (tests/test_neural.py checks that), and a step costs one block of tokens whatever the stream's length.
"""
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from oyster.fastpaths import torch_paths


@dataclass
class DreamConfig:
    latent_dim: int = 8       # channels of the tokenizer's latent grid
    grid: int = 16            # latent grid side (64x64 frame -> 16x16 latents)
    patch: int = 4            # latent cells per token side: 16x16 grid, patch 4 -> 16 frame tokens
    n_actions: int = 10       # multi-hot held inputs (data.ACTIONS)
    n_events: int = 16        # event vocabulary size (data.EVENTS, with room to append)
    context: int = 4          # frames each step attends to (the current one included)
    d_model: int = 128
    n_layer: int = 4
    n_head: int = 4
    mlp_ratio: int = 4

    @property
    def n_patches(self) -> int:
        return (self.grid // self.patch) ** 2

    @property
    def block(self) -> int:
        """Tokens per time step: action + event + frame patches."""
        return 2 + self.n_patches

    @property
    def patch_dim(self) -> int:
        return self.latent_dim * self.patch * self.patch

    def to_dict(self) -> dict:
        return asdict(self)


def patchify(z: torch.Tensor, p: int) -> torch.Tensor:
    """(..., C, G, G) latent grid -> (..., (G/p)^2, C*p*p) tokens, row-major over patches."""
    *lead, c, g, _ = z.shape
    n, k = g // p, len(lead)
    z = z.reshape(*lead, c, n, p, n, p)
    z = z.permute(*range(k), k + 1, k + 3, k, k + 2, k + 4)    # (..., n, n, c, p, p)
    return z.reshape(*lead, n * n, c * p * p)


def unpatchify(t: torch.Tensor, c: int, g: int, p: int) -> torch.Tensor:
    """Inverse of patchify: (..., (G/p)^2, C*p*p) -> (..., C, G, G)."""
    *lead, _, _ = t.shape
    n = g // p
    k = len(lead)
    t = t.reshape(*lead, n, n, c, p, p)
    t = t.permute(*range(k), k + 2, k, k + 3, k + 1, k + 4)   # (..., c, n, p, n, p)
    return t.reshape(*lead, c, g, g)


class KVCache:
    """Keys and values of the last `context` steps of B streams: one preallocated ring buffer per layer.

    The buffer holds `context` slots of `block` tokens; a step writes its own keys/values into slot
    `pos % context` in place and attends over the whole buffer, so nothing is shifted or concatenated.
    Attention does not care about key order, only about each key's age, which `DreamModel.step_bias`
    derives from the slot index. `valid[b, j]` is False where stream b has nothing in slot j yet (fresh or
    just reset). All streams share `pos`: they step together.
    """

    def __init__(self, cfg: DreamConfig, batch: int, device=None, dtype=torch.float32):
        n, hd = cfg.context, cfg.d_model // cfg.n_head
        shape = (batch, cfg.n_head, n * cfg.block, hd)
        self.block = cfg.block
        self.k = [torch.zeros(shape, device=device, dtype=dtype) for _ in range(cfg.n_layer)]
        self.v = [torch.zeros(shape, device=device, dtype=dtype) for _ in range(cfg.n_layer)]
        self.valid = torch.zeros(batch, n, dtype=torch.bool, device=device)
        self.pos = 0                               # steps taken; the next one writes slot pos % context

    def take(self, idx: torch.Tensor) -> "KVCache":
        """A cache of streams `idx` only (copies, at the same ring position): step some streams, then `put`."""
        sub = KVCache.__new__(KVCache)
        sub.block, sub.pos, sub.valid = self.block, self.pos, self.valid[idx]
        sub.k, sub.v = [k[idx] for k in self.k], [v[idx] for v in self.v]
        return sub

    def put(self, idx: torch.Tensor, sub: "KVCache") -> None:
        """Write back streams `idx` after `sub` (from take) stepped; the ring moves on for every stream."""
        for mine, theirs in zip(self.k + self.v, sub.k + sub.v, strict=True):
            mine[idx] = theirs
        self.valid[idx] = sub.valid
        self.pos = sub.pos

    def copy_stream(self, dst: int, src: "KVCache", src_index: int = 0) -> None:
        """Overwrite stream `dst` with stream `src_index` of another cache (used to reset one stream).
        The two buffers may be at different ring positions: each past step keeps its age."""
        n, s = self.valid.shape[1], self.block
        self.valid[dst] = False
        for age in range(1, n):
            d, r = (self.pos - age) % n, (src.pos - age) % n
            for mine, theirs in ((self.k, src.k), (self.v, src.v)):
                for layer in range(len(mine)):
                    mine[layer][dst, :, d * s:(d + 1) * s] = theirs[layer][src_index, :, r * s:(r + 1) * s]
            self.valid[dst, d] = src.valid[src_index, r]


class Attention(nn.Module):
    def __init__(self, cfg: DreamConfig):
        super().__init__()
        self.n_head, self.hd = cfg.n_head, cfg.d_model // cfg.n_head
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model)

    def split(self, x: torch.Tensor):
        b, n, _ = x.shape
        q, k, v = self.qkv(x).split(self.n_head * self.hd, dim=-1)
        return [t.view(b, n, self.n_head, self.hd).transpose(1, 2) for t in (q, k, v)]  # (B, H, N, hd)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        """Full sequence. x (B, N, D); bias (H, N, N) additive, -inf where masked."""
        q, k, v = self.split(x)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
        return self.proj(y.transpose(1, 2).reshape(x.shape))

    def step(self, x: torch.Tensor, bias: torch.Tensor, ck: torch.Tensor, cv: torch.Tensor, slot: slice):
        """One block. x (B, S, D); ck/cv (B, H, context*S, hd) ring buffers, this step's keys/values are
        written into ck/cv[:, :, slot] in place; bias (B, H, S, context*S). Attention runs in the cache's
        dtype, which may differ from the weights' (bf16 weights, float32 attention at run time)."""
        b, s, _ = x.shape
        q, k, v = self.split(x)                                        # (B, H, S, hd)
        ck[:, :, slot] = k
        cv[:, :, slot] = v
        y = F.scaled_dot_product_attention(q.to(ck.dtype), ck, cv, attn_mask=bias)
        return self.proj(y.transpose(1, 2).reshape(b, s, -1).to(x.dtype))


class Block(nn.Module):
    def __init__(self, cfg: DreamConfig):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(cfg.d_model), nn.LayerNorm(cfg.d_model)
        self.attn = Attention(cfg)
        hidden = cfg.mlp_ratio * cfg.d_model
        self.mlp = nn.Sequential(nn.Linear(cfg.d_model, hidden), nn.GELU(approximate="tanh"),
                                 nn.Linear(hidden, cfg.d_model))

    def forward(self, x, bias):
        x = x + self.attn(self.ln1(x), bias)
        return x + self.mlp(self.ln2(x))

    def step(self, x, bias, ck, cv, slot):
        x = x + self.attn.step(self.ln1(x), bias, ck, cv, slot)
        return x + self.mlp_out(self.ln2(x))

    def mlp_out(self, x: torch.Tensor) -> torch.Tensor:
        """self.mlp(x), with the first linear and its GELU fused into one oneDNN call where the probe found it
        working at x's dtype (saves a pass over the widest activation; same numbers to float rounding)."""
        fc, _, out = self.mlp
        if x.dtype in torch_paths().fused_gelu and fc.weight.dtype == x.dtype:
            return out(torch.ops.mkldnn._linear_pointwise(x, fc.weight, fc.bias, "gelu", [], "tanh"))
        return self.mlp(x)


class DreamModel(nn.Module):
    """Next-latent predictor. Latents are (C, G, G) grids from the tokenizer; actions multi-hot; events ids."""

    def __init__(self, cfg: DreamConfig):
        super().__init__()
        self.cfg = cfg
        d = cfg.d_model
        self.action_in = nn.Linear(cfg.n_actions, d)      # multi-hot held keys -> one token
        self.event_in = nn.Embedding(cfg.n_events, d)     # 0 = no event
        self.patch_in = nn.Linear(cfg.patch_dim, d)
        self.pos = nn.Parameter(torch.zeros(cfg.block, d))           # slot in the block (spatial position)
        self.time_bias = nn.Parameter(torch.zeros(cfg.n_head, cfg.context))  # per head, per step offset
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(d)
        self.head = nn.Linear(d, cfg.patch_dim)
        nn.init.normal_(self.pos, std=0.02)
        nn.init.zeros_(self.head.weight)   # start as "copy the last latent": a residual of zero
        nn.init.zeros_(self.head.bias)

    # ---- tokens -------------------------------------------------------------------------------
    def embed(self, z: torch.Tensor, actions: torch.Tensor, events: torch.Tensor) -> torch.Tensor:
        """z (..., C, G, G), actions (..., A), events (...) -> tokens (..., block, D)."""
        p = self.patch_in(patchify(z, self.cfg.patch))                 # (..., P, D)
        a = self.action_in(actions.to(p.dtype)).unsqueeze(-2)          # (..., 1, D)
        e = self.event_in(events).unsqueeze(-2)                        # (..., 1, D)
        return torch.cat([a, e, p], dim=-2) + self.pos

    def readout(self, h: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """Hidden states (..., block, D) of step t -> predicted latent of step t+1 (..., C, G, G)."""
        delta = self.head(self.ln_f(h[..., 2:, :]))                    # frame patch positions only
        c = self.cfg
        return z + unpatchify(delta, c.latent_dim, c.grid, c.patch).to(z.dtype)

    # ---- full sequence (training, tests) ------------------------------------------------------
    def band_bias(self, steps: int) -> torch.Tensor:
        """(H, T*S, T*S) additive attention bias: time bias inside the band, -inf outside or in the future."""
        t = torch.arange(steps, device=self.pos.device).repeat_interleave(self.cfg.block)
        off = t[:, None] - t[None, :]                                  # query step - key step
        ok = (off >= 0) & (off < self.cfg.context)
        bias = self.time_bias[:, off.clamp(0, self.cfg.context - 1)]   # (H, N, N)
        return bias.masked_fill(~ok, float("-inf"))

    def forward(self, z: torch.Tensor, actions: torch.Tensor, events: torch.Tensor) -> torch.Tensor:
        """z (B, T, C, G, G), actions (B, T, A), events (B, T) -> predicted z[:, 1:T+1] as (B, T, C, G, G)."""
        b, t = z.shape[:2]
        x = self.embed(z, actions, events).flatten(1, 2)               # (B, T*S, D)
        bias = self.band_bias(t)
        for blk in self.blocks:
            x = blk(x, bias)
        return self.readout(x.view(b, t, self.cfg.block, -1), z)

    # ---- streaming (runtime) ------------------------------------------------------------------
    def step_bias(self, valid: torch.Tensor, slot: int) -> torch.Tensor:
        """(B, H, S, context*S) bias for one step writing ring slot `slot`, given valid slots (B, context)."""
        n, s = valid.shape[1], self.cfg.block
        age = (slot - torch.arange(n, device=valid.device)) % n        # steps back; 0 = this step
        per_slot = self.time_bias[:, age][None].masked_fill(~valid[:, None, :], float("-inf"))   # (B, H, n)
        return per_slot.repeat_interleave(s, dim=-1)[:, :, None, :].expand(-1, -1, s, -1)

    @torch.no_grad()
    def step(self, z: torch.Tensor, actions: torch.Tensor, events: torch.Tensor, cache: KVCache) -> torch.Tensor:
        """One step for B streams: z (B, C, G, G), actions (B, A), events (B,) -> next latents (B, C, G, G).

        Updates `cache` in place (writes this step's keys/values), so the next call continues the streams.
        The model's weights may be bfloat16 (see runtime.stream_model): z and the result stay in z's dtype.
        """
        x = self.embed(z.to(self.pos.dtype), actions, events)          # (B, S, D)
        n, s = cache.valid.shape[1], self.cfg.block
        j = cache.pos % n
        cache.valid[:, j] = True
        bias = self.step_bias(cache.valid, j).to(cache.k[0].dtype)
        for i, blk in enumerate(self.blocks):
            x = blk.step(x, bias, cache.k[i], cache.v[i], slice(j * s, (j + 1) * s))
        cache.pos += 1
        return self.readout(x, z)
