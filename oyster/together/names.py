"""Player names in a shared world: checked, tidied and made unique; shown as plain text everywhere."""
import unicodedata

MAX_NAME = 24          # characters; longer names are refused, not cut (the player sees why)


def clean_name(name, taken: set[str], fallback: str) -> str:
    """A display name from what the player typed: whitespace collapsed, control characters dropped, at most
    MAX_NAME characters, unique among `taken` (a number is added). Empty -> `fallback`. ValueError if not text or
    too long. HTML stays as typed: every view escapes it or draws it as pixels."""
    if name is None:
        name = ""
    if not isinstance(name, str):
        raise ValueError("a player name must be text")
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split())
    if len(name) > MAX_NAME:
        raise ValueError(f"a player name may have at most {MAX_NAME} characters, this one has {len(name)}")
    name = name or fallback
    base, k = name, 2
    while name in taken:
        suffix = f" {k}"
        name = base[: MAX_NAME - len(suffix)] + suffix
        k += 1
    return name
