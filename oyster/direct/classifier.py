"""Learned fallback intent classifier: hashed character 2-4-grams (+ words) -> 1-hidden-layer MLP.

Trained in torch by `python -m oyster.direct.train`; shipped as `assets/direct_intent.pt` (a state_dict
plus a plain config dict, loaded with `torch.load(..., weights_only=True)`). Inference runs the same maths
in numpy so a command never touches torch's global thread pool (and costs ~0.1 ms).
"""
import threading
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

CHECKPOINT = Path(__file__).resolve().parents[2] / "assets" / "direct_intent.pt"

INTENTS = ("none", "weather_rain", "weather_snow", "weather_fog", "weather_storm", "weather_clear",
           "time_night", "time_day", "time_morning", "time_evening", "time_fast", "time_slow", "time_freeze",
           "gravity_low", "gravity_high", "gravity_normal", "spawn", "remove", "teleport", "eruption",
           "character", "terrain_raise", "terrain_lower", "terrain_crater", "terrain_flatten", "undo")


@dataclass
class ClassifierConfig:
    buckets: int = 8192        # hashed feature space (char n-grams and words share it)
    ngram_min: int = 2
    ngram_max: int = 4
    hidden: int = 64           # MLP width
    intents: tuple = INTENTS   # output classes, index = logit position
    threshold: float = 0.7     # below this top probability the fallback stays silent


def features(text: str, cfg: ClassifierConfig) -> np.ndarray:
    """Sorted unique hashed ids of the char n-grams of ' text ' and of its words (crc32: seed-free)."""
    padded = f" {text} "
    grams = [padded[i:i + n] for n in range(cfg.ngram_min, cfg.ngram_max + 1) for i in range(len(padded) - n + 1)]
    grams += ["w:" + w for w in text.split()]
    return np.unique(np.fromiter((zlib.crc32(g.encode()) % cfg.buckets for g in grams), np.int64, len(grams)))


def build_model(cfg: ClassifierConfig):
    """The torch module used for training: EmbeddingBag(sum) / sqrt(n) -> ReLU -> Linear."""
    import torch
    from torch import nn

    class IntentMLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.EmbeddingBag(cfg.buckets, cfg.hidden, mode="sum")
            self.bias = nn.Parameter(torch.zeros(cfg.hidden))
            self.out = nn.Linear(cfg.hidden, len(cfg.intents))

        def forward(self, ids, offsets, weights):  # ids (N,), offsets (B,), weights (N,) -> (B, C)
            h = torch.relu(self.emb(ids, offsets, per_sample_weights=weights) + self.bias)
            return self.out(h)

    return IntentMLP()


def batch(texts: list[str], cfg: ClassifierConfig):
    """Flatten feature ids for EmbeddingBag, each bag weighted 1/sqrt(len) (length-invariant)."""
    return batch_features([features(t, cfg) for t in texts])


def batch_features(feats: list[np.ndarray]):
    import torch
    ids = torch.from_numpy(np.concatenate(feats))
    offsets = torch.tensor([0] + [len(f) for f in feats[:-1]]).cumsum(0)
    weights = torch.cat([torch.full((len(f),), 1.0 / max(1, len(f)) ** 0.5) for f in feats])
    return ids, offsets, weights


class Classifier:
    """Numpy inference over a checkpoint's weights."""

    def __init__(self, state: dict, cfg: ClassifierConfig):
        self.cfg = cfg
        self.emb = state["emb.weight"].float().numpy()      # (buckets, hidden)
        self.bias = state["bias"].float().numpy()            # (hidden,)
        self.w_out = state["out.weight"].float().numpy().T   # (hidden, C)
        self.b_out = state["out.bias"].float().numpy()       # (C,)

    def probs(self, text: str) -> np.ndarray:
        ids = features(text, self.cfg)
        h = self.emb[ids].sum(0) / max(1, len(ids)) ** 0.5 + self.bias
        logits = np.maximum(h, 0.0) @ self.w_out + self.b_out
        e = np.exp(logits - logits.max())
        return e / e.sum()

    def predict(self, text: str) -> tuple[str, float]:
        p = self.probs(text)
        i = int(p.argmax())
        return self.cfg.intents[i], float(p[i])


def save(model, cfg: ClassifierConfig, path: Path) -> None:
    import torch
    state = {k: v.detach().to(torch.float16) if k == "emb.weight" else v.detach().clone()
             for k, v in model.state_dict().items()}
    conf = asdict(cfg)
    conf["intents"] = list(cfg.intents)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"state_dict": state, "config": conf}, path)


def load(path: Path = CHECKPOINT) -> Classifier:
    import torch
    blob = torch.load(path, map_location="cpu", weights_only=True)
    conf = dict(blob["config"])
    conf["intents"] = tuple(conf["intents"])
    return Classifier(blob["state_dict"], ClassifierConfig(**conf))


_LOCK = threading.Lock()
_SHARED: list = []


def shared(path: Path = CHECKPOINT) -> Classifier | None:
    """The process-wide classifier, loaded once; None if the checkpoint is missing."""
    if not _SHARED:
        with _LOCK:
            if not _SHARED:
                _SHARED.append(load(path) if path.exists() else None)
    return _SHARED[0]
