"""What the Runner needs from a visitor's world session: oyster.Session is the one that ships; tests host fakes."""
from typing import Protocol, runtime_checkable

import numpy as np


class CommandReply(Protocol):
    edits: list[dict]     # typed edits that were applied, in order
    reply: str            # one sentence for the chat log


@runtime_checkable
class HostedSession(Protocol):
    width: int
    height: int
    prompt_reply: str     # what the world's prompt made and did not understand ("" without a prompt)

    def step(self, held=frozenset(), dt: float = 1 / 30, look=None) -> np.ndarray: ...   # HxWx3 uint8 RGB
    def resize(self, width: int, height: int) -> None: ...
    def command(self, text: str) -> CommandReply: ...
    def state(self) -> dict: ...
    def share_code(self) -> str: ...
    def close(self) -> None: ...


class SessionFactory(Protocol):
    """A Session class: builds a new world, or reopens one from a share code (ValueError when it is bad)."""

    def __call__(self, *, seed: int, prompt: str, width: int, height: int) -> HostedSession: ...
    def from_share_code(self, code: str, width: int, height: int) -> HostedSession: ...
