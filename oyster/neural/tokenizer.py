"""Frame tokenizer: a small conv autoencoder, 64x64x3 uint8 frame <-> (C, 16, 16) latent grid in [-1, 1].

The decoder upsamples with pixel shuffle (sub-pixel convolution) so most of its work happens at low
resolution. It may be narrower than the encoder (`dec_widths`): the shipped one decodes a frame in ~0.4 ms
on one CPU thread, ~0.17 ms per frame in a batch of 8. Latents are bounded by tanh so the dynamics
model's noise augmentation has a known scale.
"""
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn as nn


@dataclass
class TokenizerConfig:
    size: int = 64              # frame side in pixels
    latent_dim: int = 8         # channels of the latent grid
    widths: tuple = (32, 64)    # encoder channels per halving: 32x32, 16x16
    dec_widths: tuple = ()      # decoder channels, same layout; () = mirror the encoder
    dec_act: str = "silu"       # decoder activation: "silu" or "relu" (relu is ~free at run time)
    latent_noise: float = 0.05  # train the decoder on slightly noisy latents: predictions are never exact

    @property
    def decoder_widths(self) -> tuple:
        """The decoder's channels per stage (dec_widths, or the encoder's widths when it mirrors them)."""
        return tuple(self.dec_widths or self.widths)

    @property
    def grid(self) -> int:
        return self.size // 2 ** len(self.widths)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["widths"], d["dec_widths"] = list(self.widths), list(self.dec_widths)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "TokenizerConfig":
        """Inverse of to_dict (checkpoints written before dec_widths/dec_act existed load as before)."""
        d = dict(d)
        d["widths"], d["dec_widths"] = tuple(d["widths"]), tuple(d.get("dec_widths", ()))
        return cls(**d)


ACTIVATIONS = {"silu": nn.SiLU, "relu": nn.ReLU}


class ResBlock(nn.Module):
    def __init__(self, ch: int, act: str = "silu"):
        super().__init__()
        self.c1 = nn.Conv2d(ch, ch, 3, padding=1)
        self.c2 = nn.Conv2d(ch, ch, 3, padding=1)
        self.act = ACTIVATIONS[act]()

    def forward(self, x):
        return x + self.c2(self.act(self.c1(self.act(x))))


class Tokenizer(nn.Module):
    def __init__(self, cfg: TokenizerConfig):
        super().__init__()
        self.cfg = cfg
        w = list(cfg.widths)
        enc, ch = [nn.Conv2d(3, w[0], 3, padding=1)], w[0]
        for width in w:                                   # each stage halves the side
            enc += [nn.SiLU(), nn.Conv2d(ch, width, 4, stride=2, padding=1)]
            ch = width
        enc += [ResBlock(ch), nn.SiLU(), nn.Conv2d(ch, cfg.latent_dim, 1)]
        self.encoder = nn.Sequential(*enc)

        w = list(cfg.decoder_widths)
        if len(w) != len(cfg.widths):
            raise ValueError(f"dec_widths {cfg.dec_widths} must have one width per encoder stage {cfg.widths}")
        act = ACTIVATIONS[cfg.dec_act]
        dec = [nn.Conv2d(cfg.latent_dim, w[-1], 3, padding=1), ResBlock(w[-1], cfg.dec_act)]
        ch = w[-1]
        for width in reversed([3] + w[:-1]):              # 16->32->64, narrowing as it grows
            # a conv to 4*width channels then pixel shuffle: x2 resolution at the cost of a low-res conv
            dec += [act(), nn.Conv2d(ch, 4 * width, 3, padding=1), nn.PixelShuffle(2)]
            ch = width
        self.decoder = nn.Sequential(*dec)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, 3, H, W) float in [0, 1] -> latents (B, C, G, G) in [-1, 1]."""
        return torch.tanh(self.encoder(x * 2 - 1))

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """latents (B, C, G, G) -> frames (B, 3, H, W) float, roughly [0, 1] (clamp when converting)."""
        return self.decoder(z) * 0.5 + 0.5

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.encode(x)
        if self.training and self.cfg.latent_noise > 0:
            z = z + self.cfg.latent_noise * torch.randn_like(z)
        return self.decode(z)


def to_tensor(frames: np.ndarray | torch.Tensor) -> torch.Tensor:
    """(..., H, W, 3) uint8 -> (..., 3, H, W) float in [0, 1]."""
    t = torch.as_tensor(frames)
    return t.movedim(-1, -3).float().div_(255.0)


def to_uint8(x: torch.Tensor) -> np.ndarray:
    """(..., 3, H, W) float in [0, 1] -> (..., H, W, 3) uint8 C-contiguous numpy."""
    x = x.detach().clamp(0, 1).mul(255).round_().to(torch.uint8)
    return np.ascontiguousarray(x.movedim(-3, -1).cpu().numpy())
