"""Detail restore: give a dreamed frame back the fine detail the autoencoder loses, taken from the anchor frame.

At reset a stream keeps its anchor frame's lost detail, `lost = anchor - recon` with recon =
decode(encode(anchor)). A dreamed frame y gets that detail added back wherever it still looks like recon:
a per-pixel gate exp(-|y - recon| / tau). Where the view has changed the gate closes and the plain
prediction shows. It only uses the reset frames, so rollouts stay free-running; evaluation reports frames
with and without it. (Searching for a global shift to move the detail along with a turn was tried and
gained nothing at 64x64: the dreamed frames are too blurry to align reliably.)

`finish_frames` is the runtime's fused version: the decoder's last pixel shuffle, its *0.5+0.5, the restore
and the uint8 conversion in one pass over the batch (torch needs ~10 passes and temporaries for the same).
"""
import numpy as np
import torch
from numba import njit


def restore(y: torch.Tensor, recon: torch.Tensor, lost: torch.Tensor, tau: float) -> torch.Tensor:
    """y, recon, lost (B, 3, H, W) floats in pixel units 0..1 -> y with the anchor's detail added back."""
    gate = torch.exp(-(y - recon).abs().mean(1, keepdim=True) / tau)   # (B, 1, H, W), 1 = unchanged
    return y + gate * lost


@njit(cache=True, nogil=True, fastmath=True)
def unshuffle_frames(raw: np.ndarray, out: np.ndarray) -> np.ndarray:
    """raw (B, h, w, 3*4) float: the decoder before its last PixelShuffle(2), channels last, in -1..1
    -> out (B, 2h, 2w, 3) float32 frames in pixel units (unclamped, as Tokenizer.decode gives them)."""
    b, h, w, _ = raw.shape
    for n in range(b):
        for i in range(h):
            for j in range(w):
                for c in range(3):
                    for a in range(2):
                        for e in range(2):
                            out[n, 2 * i + a, 2 * j + e, c] = raw[n, i, j, 4 * c + 2 * a + e] * 0.5 + 0.5
    return out


@njit(cache=True, nogil=True, fastmath=True)
def finish_frames(raw: np.ndarray, recon: np.ndarray, lost: np.ndarray, tau: float, detail: bool,
                  out: np.ndarray) -> np.ndarray:
    """raw as in unshuffle_frames; recon, lost (B, H, W, 3) float32 pixel units -> out (B, H, W, 3) uint8,
    with `restore` applied when `detail` (same numbers as restore + to_uint8, up to float rounding)."""
    b, h, w, _ = raw.shape
    k = np.float32(-1.0 / (3.0 * tau))
    on = np.float32(1.0 if detail else 0.0)            # no branch in the loop: it vectorises
    for n in range(b):
        for yy in range(2 * h):
            i, a = yy >> 1, yy & 1
            for xx in range(2 * w):
                j, o = xx >> 1, 2 * a + (xx & 1)           # source cell and sub-pixel of the shuffle
                y0 = raw[n, i, j, o] * np.float32(0.5) + np.float32(0.5)
                y1 = raw[n, i, j, 4 + o] * np.float32(0.5) + np.float32(0.5)
                y2 = raw[n, i, j, 8 + o] * np.float32(0.5) + np.float32(0.5)
                d = abs(y0 - recon[n, yy, xx, 0]) + abs(y1 - recon[n, yy, xx, 1]) + abs(y2 - recon[n, yy, xx, 2])
                g = on * np.exp(d * k)
                out[n, yy, xx, 0] = _u8(y0 + g * lost[n, yy, xx, 0])
                out[n, yy, xx, 1] = _u8(y1 + g * lost[n, yy, xx, 1])
                out[n, yy, xx, 2] = _u8(y2 + g * lost[n, yy, xx, 2])
    return out


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _u8(v: float) -> np.uint8:
    return np.uint8(np.rint(min(max(v, np.float32(0.0)), np.float32(1.0)) * np.float32(255.0)))
