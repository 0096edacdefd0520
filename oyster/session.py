"""Session: one player's world, inputs and Direct-mode commands; the public headless API.

PLACEHOLDER: the world-engine work replaces the body; the signatures are the contract.
"""
from dataclasses import dataclass, field

import numpy as np

HELD_INPUTS = frozenset({"forward", "back", "left", "right", "turn_left", "turn_right",
                         "look_up", "look_down", "jump", "sprint"})


@dataclass
class CommandResult:
    edits: list[dict] = field(default_factory=list)   # typed edits that were applied, in order
    reply: str = ""                                   # one short sentence for the chat log (plain text)


class Session:
    def __init__(self, seed: int = 0, prompt: str = "", width: int = 640, height: int = 360):
        self.seed, self.width, self.height = seed, width, height

    def step(self, held=frozenset(), dt: float = 1 / 30) -> np.ndarray:
        return np.zeros((self.height, self.width, 3), np.uint8)

    def apply(self, edit: dict) -> dict:
        raise ValueError("not built yet")

    def command(self, text: str) -> CommandResult:
        return CommandResult([], "Direct mode is not built yet.")

    def state(self) -> dict:
        return {}

    def share_code(self) -> str:
        return ""

    @classmethod
    def from_share_code(cls, code: str, width: int = 640, height: int = 360) -> "Session":
        raise ValueError("not built yet")
