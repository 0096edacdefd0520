"""Learned fallback intent classifier: hashed character 2-4-grams (+ words) -> 1-hidden-layer MLP.

Trained in torch by `python -m oyster.direct.train`; shipped as `assets/direct_intent.pt` (a state_dict
plus a plain config dict, loaded with `torch.load(..., weights_only=True)`). Inference runs the same maths
in numpy so a command never touches torch's global thread pool (and costs ~0.1 ms).
"""
import json
import threading
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

CHECKPOINT = Path(__file__).resolve().parents[2] / "assets" / "direct_intent.pt"
WEIGHTS = CHECKPOINT.with_suffix(".npz")   # the same weights as plain arrays: loads in milliseconds, no torch

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
        arr = {k: np.asarray(v.float().numpy() if hasattr(v, "float") else v, np.float32) for k, v in state.items()}
        self.emb = arr["emb.weight"]          # (buckets, hidden)
        self.bias = arr["bias"]               # (hidden,)
        self.w_out = arr["out.weight"].T      # (hidden, C)
        self.b_out = arr["out.bias"]          # (C,)

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
    save_arrays(state, conf, path.with_suffix(".npz"))


def save_arrays(state: dict, conf: dict, path: Path) -> None:
    """The weights as a numpy archive (no pickle: the config travels as a JSON string)."""
    arrays = {k: v.numpy() if hasattr(v, "numpy") else np.asarray(v) for k, v in state.items()}
    np.savez(path, config=np.array(json.dumps(conf)), **arrays)


def load_arrays(path: Path = WEIGHTS) -> Classifier:
    with np.load(path, allow_pickle=False) as blob:
        conf = json.loads(str(blob["config"]))
        state = {k: blob[k] for k in blob.files if k != "config"}
    conf["intents"] = tuple(conf["intents"])
    return Classifier(state, ClassifierConfig(**conf))


def load(path: Path = CHECKPOINT) -> Classifier:
    import torch
    blob = torch.load(path, map_location="cpu", weights_only=True)
    conf = dict(blob["config"])
    conf["intents"] = tuple(conf["intents"])
    return Classifier(blob["state_dict"], ClassifierConfig(**conf))


_LOCK = threading.Lock()
_SHARED: list = []


def shared(path: Path = CHECKPOINT) -> Classifier | None:
    """The process-wide classifier, loaded once (from the numpy copy when it is there); None if missing."""
    if not _SHARED:
        with _LOCK:
            if not _SHARED:
                arrays = path.with_suffix(".npz")
                _SHARED.append(load_arrays(arrays) if arrays.exists() else load(path) if path.exists() else None)
    return _SHARED[0]
