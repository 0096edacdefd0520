"""Everyday phrasings the table-driven rules misread: "make it stop" after rain, "turn off the sun",
"bring back the sun", "take me back", "reset everything". Each returns typed edits, or None to pass.

The grammar tries these before its general rules; they only fire on their exact shapes.
"""
import re

from oyster.direct import lexicon as L

_STOP_WORDS = {"make", "it", "stop", "please", "pls", "now", "just", "that", "this", "can", "you", "could",
               "ok", "okay", "already", "end", "enough", "over", "u", "would", "thats", "is", "its", "really",
               "that is", "it is", "alright", "will", "do", "for", "today"}
_SUN = re.compile(r"\bsun\b")
_SUN_OFF = re.compile(r"\b(?:turn|switch|shut|put|blow|kill)\b(?: [a-z]+){0,2} (?:off|out)\b")
_SUN_BACK = re.compile(r"\b(?:back|come out|comes out|return|returns|turn on|switch on|turn the sun on|"
                       r"where is|wheres|i want|i miss|need)\b")
_TAKE_BACK = re.compile(r"^(?:please |pls |can you |could you )?(?:take|bring|send|get|teleport|tp|port|warp)"
                        r" (?:me|us) back(?: please| pls| now)?$")
_RESET = re.compile(r"\b(?:reset|restore|normal|default|defaults|undo all changes to)\b")
_ALL = re.compile(r"\b(?:everything|it all|all|the world|the whole world|world)\b")
_NIGHT_SUN = (6.5, 17.9)  # outside these hours the renderer's sun is down or on the horizon

CLEAR = {"op": "weather", "kind": "clear", "intensity": 0.0}


def weather_on(ctx, state: dict | None) -> bool:
    """Is the weather the thing 'it' most likely means: set last, or falling now with no character in mind?"""
    if getattr(ctx, "last_op", None) == "weather":
        return True
    kind = ((state or {}).get("weather") or {}).get("kind")
    return ctx.last_op is None and ctx.last_target is None and kind not in (None, "clear")


def it_stop(text: str, ctx, state: dict | None) -> list[dict] | None:
    """'make it stop', 'stop it', 'enough': the rain just asked for, not a villager."""
    words = set(text.split())
    if not words & {"stop", "enough", "end", "over"} or not words <= _STOP_WORDS:
        return None
    return [dict(CLEAR)] if weather_on(ctx, state) else None


def sun(text: str, ctx, state: dict | None) -> list[dict] | None:
    """'turn off the sun' is night; 'bring back the sun' is day if the sun is down, else clear skies."""
    if not _SUN.search(text) or L.TIME_OF_DAY.first(text) or L.TIME_SPEED.first(text):
        return None
    if _SUN_OFF.search(text):
        return [{"op": "time", "hour": 22.0}]
    if not _SUN_BACK.search(text):
        return None
    st = state or {}
    hour = (st.get("clock") or {}).get("hour")
    night = isinstance(hour, (int, float)) and not _NIGHT_SUN[0] <= float(hour) % 24 <= _NIGHT_SUN[1]
    cloudy = (st.get("weather") or {}).get("kind") not in (None, "clear")
    edits = [{"op": "time", "hour": 12.0}] if night else []
    return edits + [dict(CLEAR)] if cloudy or not night else edits


def take_back(text: str) -> list[dict] | None:
    return [{"op": "teleport", "target": "start"}] if _TAKE_BACK.match(text) else None


def reset(text: str) -> list[dict] | None:
    """'reset everything', 'make everything normal again': clear sky, Earth gravity, a normal clock."""
    if not (_RESET.search(text) and _ALL.search(text)) or L.KIND.first(text) or L.GRAVITY_WORDS.first(text):
        return None
    return [dict(CLEAR), {"op": "gravity", "scale": 1.0}, {"op": "time", "speed": 60.0}]
