"""Dream checkpoints: the shippable file (weights + configs + metadata) written once, read with weights_only=True.

Format (a plain dict, no pickled classes): {"format": 1, "tokenizer": state_dict, "model": state_dict,
"tokenizer_config": dict, "model_config": dict, "dt": float, "actions": [names], "events": [names], "notes": str}.
Weights stay float32 (a ~2M-parameter model is ~8 MB), so a loaded model computes exactly what was trained.
"""
import os

import torch

from oyster.neural import data as D
from oyster.neural.model import DreamConfig, DreamModel
from oyster.neural.tokenizer import Tokenizer, TokenizerConfig

FORMAT = 1
DEFAULT_PATH = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "assets", "dream.pt"))


def save_atomic(obj: dict, path: str) -> None:
    """torch.save to a temp file then rename, so an interrupted save never leaves a broken checkpoint."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def _cpu(sd: dict) -> dict:
    return {k: v.detach().cpu().clone() for k, v in sd.items()}


def export_checkpoint(path: str, tok: Tokenizer, model: DreamModel, dt: float, notes: str = "") -> None:
    save_atomic({"format": FORMAT, "tokenizer": _cpu(tok.state_dict()), "model": _cpu(model.state_dict()),
                 "tokenizer_config": tok.cfg.to_dict(), "model_config": model.cfg.to_dict(), "dt": float(dt),
                 "actions": list(D.ACTIONS), "events": list(D.EVENTS), "notes": notes}, path)


def load_checkpoint(path: str | None = None, device="cpu") -> tuple[Tokenizer, DreamModel, dict]:
    """-> (tokenizer, model, meta) in eval mode, meta has dt, actions, events, notes."""
    path = path or DEFAULT_PATH
    if not os.path.exists(path):
        raise FileNotFoundError(f"no Dream checkpoint at {path}; train one with `python -m oyster.neural.train`")
    ck = torch.load(path, map_location=device, weights_only=True)
    if ck.get("format") != FORMAT:
        raise ValueError(f"{path}: unknown Dream checkpoint format {ck.get('format')!r}")
    if list(ck["actions"]) != list(D.ACTIONS) or list(D.EVENTS[:len(ck["events"])]) != list(ck["events"]):
        raise ValueError(f"{path}: action/event vocabulary differs from oyster.neural.data")
    tok = Tokenizer(TokenizerConfig.from_dict(ck["tokenizer_config"]))
    model = DreamModel(DreamConfig(**ck["model_config"]))
    tok.load_state_dict(ck["tokenizer"])
    model.load_state_dict(ck["model"])
    meta = {"dt": float(ck["dt"]), "actions": list(ck["actions"]), "events": list(ck["events"]),
            "notes": ck.get("notes", "")}
    return tok.eval().to(device), model.eval().to(device), meta
