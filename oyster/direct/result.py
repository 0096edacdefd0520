"""What a Direct-mode command did: the typed edits applied, in order, and one reply for the chat log."""
from dataclasses import dataclass, field


@dataclass
class CommandResult:
    edits: list[dict] = field(default_factory=list)   # typed edits that were applied, in order
    reply: str = ""                                   # one short sentence for the chat log (plain text)
    options: list[str] = field(default_factory=list)  # commands to click or type when the reply asks back
