"""The learned fallback: checkpoint loading (weights_only), numpy == torch, when it is used, and training."""
import numpy as np
import torch

from oyster.direct import classifier as C
from oyster.direct import train as T
from oyster.direct.evaluate import STATES
from oyster.direct.grammar import parse_clause
from oyster.direct.interpreter import Interpreter
from oyster.direct.refs import DirectContext
from oyster.direct.text import normalise

# Phrases no grammar rule covers (no weather/time/gravity word), written by hand, not in the templates.
FALLBACK = [("i would like to gaze at the stars", "time", {"hour": 22.0}),
            ("let me fly around like an astronaut", "gravity", {"scale": 0.5})]


def test_checkpoint_loads_with_weights_only():
    blob = torch.load(C.CHECKPOINT, map_location="cpu", weights_only=True)
    assert set(blob) == {"state_dict", "config"}
    assert tuple(blob["config"]["intents"]) == C.INTENTS
    assert C.CHECKPOINT.stat().st_size < 2_000_000
    model = C.load()
    assert model.predict("make it snow heavily")[0] == "weather_snow"


def test_numpy_inference_matches_torch():
    blob = torch.load(C.CHECKPOINT, map_location="cpu", weights_only=True)
    cfg = C.load().cfg
    net = C.build_model(cfg)
    net.load_state_dict({k: v.float() for k, v in blob["state_dict"].items()})
    texts = ["take me to the beach", "i would like to gaze at the stars", "hello there"]
    with torch.no_grad():
        ref = torch.softmax(net(*C.batch(texts, cfg)), -1).numpy()
    fast = np.stack([C.load().probs(t) for t in texts])
    assert np.allclose(ref, fast, atol=1e-4)


def test_fallback_catches_what_the_grammar_misses():
    for text, op, fields in FALLBACK:
        clean = normalise(text).text
        assert parse_clause(clean, DirectContext(), None, []) is None, text  # grammar is unsure
        r = Interpreter().interpret(text, STATES["village"])
        assert [e["op"] for e in r.edits] == [op], (text, r)
        for k, v in fields.items():
            assert abs(r.edits[0][k] - v) < 1e-6
        assert r.reply.startswith("I think you meant")
        assert Interpreter(use_classifier=False).interpret(text).edits == []


def test_classifier_stays_quiet_on_chatter():
    for text in ("tell me something interesting", "my name is bob", "i had pizza for lunch yesterday"):
        assert Interpreter().interpret(text, STATES["village"]).edits == [], text


def test_train_tiny_run_loss_goes_down(tmp_path):
    cfg = T.TrainConfig(per_intent=12, epochs=4, batch_size=32, lr=0.03)
    model, model_cfg, losses, acc = T.train(cfg, C.ClassifierConfig(buckets=1024, hidden=16), verbose=False)
    assert losses[-1] < losses[0] * 0.7
    out = tmp_path / "tiny.pt"
    C.save(model, model_cfg, out)
    assert C.load(out).cfg.buckets == 1024


def test_training_is_seeded():
    cfg = T.TrainConfig(per_intent=6, epochs=1, batch_size=32)
    small = C.ClassifierConfig(buckets=512, hidden=8)
    a = T.train(cfg, small, verbose=False)[0].out.weight.detach()
    b = T.train(cfg, small, verbose=False)[0].out.weight.detach()
    assert torch.equal(a, b)
