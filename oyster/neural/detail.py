"""Detail restore: give a dreamed frame back the fine detail the autoencoder loses, taken from the anchor frame.

At reset a stream keeps its anchor frame's lost detail, `lost = anchor - recon` with recon =
decode(encode(anchor)). A dreamed frame y gets that detail added back wherever it still looks like recon:
a per-pixel gate exp(-|y - recon| / tau). Where the view has changed the gate closes and the plain
prediction shows. It only uses the reset frames, so rollouts stay free-running; evaluation reports frames
with and without it. (Searching for a global shift to move the detail along with a turn was tried and
gained nothing at 64x64: the dreamed frames are too blurry to align reliably.)
"""
import torch


def restore(y: torch.Tensor, recon: torch.Tensor, lost: torch.Tensor, tau: float) -> torch.Tensor:
    """y, recon, lost (B, 3, H, W) floats in pixel units 0..1 -> y with the anchor's detail added back."""
    gate = torch.exp(-(y - recon).abs().mean(1, keepdim=True) / tau)   # (B, 1, H, W), 1 = unchanged
    return y + gate * lost
