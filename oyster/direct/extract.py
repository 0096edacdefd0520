"""Slot extractors shared by the grammar and the learned fallback: hour, intensity, count, kind, place...

Each takes a normalised, typo-repaired clause and returns a value or None; defaults live in `Defaults`.
"""
import re
from dataclasses import dataclass

from oyster.direct import lexicon as L


@dataclass(frozen=True)
class Defaults:
    intensity: float = 0.6        # weather intensity when no word says otherwise
    storm_intensity: float = 0.8  # "thunderstorm" alone is already strong
    strength: float = 0.7         # eruption strength
    count: int = 1
    plural_count: int = 3         # "plant trees" with no number
    max_count: int = 20           # the edit vocabulary's cap
    radius: float = 20.0          # metres, "remove the trees around me"
    speed: float = 60.0           # world seconds per real second
    fast: float = 4.0             # "speed up time" multiplies the current speed
    slow: float = 0.25


DEFAULTS = Defaults()
_TOO_MUCH = re.compile(r"\btoo (?:much|heavy|hard|strong|intense|thick|dense|many|rainy|snowy|foggy|misty|"
                       r"stormy|hazy|wet)\b|\b(?:raining|snowing|pouring|storming) (?:too|so) much\b")
_PLANETS = {"0.165", "0.38", "2.53", "0.91", "0.063"}

_CLOCK = re.compile(r"\b(\d{1,2})(?:[:.](\d{2})|\s(\d{2})(?=\s*(?:am|pm|a m|p m|in the|at night|oclock)))?"
                    r"\s*(am|pm|a m|p m|oclock|o clock|h\b|hrs\b|hundred hours)?")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w:])")
_PERCENT = re.compile(r"\b(\d{1,3})\s*(?:%|percent)")
_TIMES = re.compile(r"\b(\d+(?:\.\d+)?)\s*(?:x|times)\b")
_RADIUS = re.compile(r"\b(\d+(?:\.\d+)?)\s*(?:m|meters|metres|meter|metre|yards|steps)\b")
_RELATIVE = re.compile(r"\b(?:skip|advance|forward|ahead|jump|move|wait|later|pass|go)\D{0,12}?(\d+(?:\.\d+)?)"
                       r"\s*(?:hours|hour|hrs|h)\b|\b(\d+(?:\.\d+)?)\s*(?:hours|hour|hrs) (?:later|from now|ahead)")
_PLURAL_KIND = re.compile(r"\b(?:trees|pines|rocks|stones|boulders|houses|cabins|huts|cacti|cactuses|"
                          r"campfires|fires|villagers|people|animals|dogs|cats|cows|sheep|deer|pigs|horses|"
                          r"firs|buildings|bushes|creatures|men|women|kids|children|folks|guys|rabbits|"
                          r"chickens|goats|homes|cottages|sheds|conifers|evergreens|oaks|palms|birches|"
                          r"saplings|pebbles|bonfires|npcs|humans|friends)\b")
_KIND_AFTER = re.compile(r"\s*(?:[a-z]+\s)?(?:" + "|".join(sorted(L.KIND.lookup, key=len, reverse=True)) + r")\b")


def hour_from_clock(text: str, time_context: bool) -> float | None:
    """'3 pm', '6:30 in the morning', '19:00', '9 at night'; a bare number only with a time word."""
    daypart = L.DAYPART.first(text)
    for m in _CLOCK.finditer(text):
        h = int(m.group(1))
        minutes = m.group(2) or m.group(3)
        suffix = (m.group(4) or "").replace(" ", "")
        if not (suffix or minutes or time_context or daypart):
            continue
        if h > 24 or (minutes and int(minutes) > 59):
            continue
        tail = text[m.end():m.end() + 12]
        if not (suffix or minutes) and _KIND_AFTER.match(tail):
            continue  # "plant 3 trees at night": a count, not a clock time
        hour = h + (int(minutes) / 60 if minutes else 0.0)
        part = suffix if suffix in ("am", "pm") else daypart
        if part == "pm" and h < 12:
            hour += 12
        elif part == "am" and h == 12:
            hour -= 12
        elif part == "night":
            hour = hour + 12 if 6 <= h < 12 else (hour - 12 if h == 12 else hour)
        return hour % 24
    return None


def hour_of_day(text: str, state: dict | None = None) -> float | None:
    """Named time of day, clock time or a relative jump ("skip 3 hours"), in hours 0..24."""
    rel = _RELATIVE.search(text)
    if rel:
        now = float(((state or {}).get("clock") or {}).get("hour", 12.0))
        return (now + float(rel.group(1) or rel.group(2))) % 24
    clock = hour_from_clock(text, L.TIME_WORDS.first(text) is not None)
    if clock is not None:
        return clock
    named = L.TIME_OF_DAY.first(text)
    return float(named) if named is not None else None


def intensity(text: str, default: float = DEFAULTS.intensity) -> float:
    pct = _PERCENT.search(text)
    if pct:
        return min(1.0, int(pct.group(1)) / 100)
    if _TOO_MUCH.search(text):
        return 0.3  # "the rain is too heavy", "it's too foggy": a complaint asks for less
    found = [float(c) for _, _, c in L.INTENSITY.find(text)]
    if not found:
        return default
    # "not too heavy" / "less": a negated strong word reads as light
    if re.search(r"\bnot (?:too |so |very )?(?:heavy|hard|strong|much|intense)", text):
        return 0.3
    return max(found) if max(found) >= 0.9 else min(found)


def count(text: str, kind_pos: int | None = None) -> int | None:
    """Number of things asked for, from digits or words ("three", "a dozen", "some"); None if unsaid."""
    head = text if kind_pos is None else text[:kind_pos]
    nums = [int(float(n)) for n in _NUMBER.findall(head)]
    if nums:
        return nums[-1]
    words = [L.COUNT_WORDS[w] for w in head.split() if w in L.COUNT_WORDS]
    return words[-1] if words else None


def kinds(text: str) -> list[tuple[int, str]]:
    """Entity kinds mentioned, as (position, kind)."""
    return [(s, k) for s, _, k in L.KIND.find(text)]


def is_plural(text: str) -> bool:
    return bool(_PLURAL_KIND.search(text)) or bool(re.search(r"\ball\b|\bevery\b", text))


def where(text: str) -> str | None:
    return L.WHERE.first(text)


def radius(text: str) -> float | None:
    m = _RADIUS.search(text)
    return float(m.group(1)) if m else None


def gravity_scale(text: str) -> float | None:
    m = _TIMES.search(text) or re.search(r"\bgravity (?:to |of |at |=\s*)?(\d+(?:\.\d+)?)", text) \
        or re.search(r"\b(\d+(?:\.\d+)?)\s*g\b", text)
    if m:
        return float(m.group(1))
    found = L.GRAVITY_SCALE.find(_without_weather(text))
    named = [c for _, _, c in found if c in _PLANETS]  # "heavy rain under moon gravity": the moon decides
    pick = named[0] if named else (found[0][2] if found else None)
    return float(pick) if pick is not None else None


def _without_weather(text: str) -> str:
    """Blank weather words and the intensity word just before them ("heavy rain" is not heavy gravity)."""
    out = text
    for s, e, _ in L.WEATHER.find(text):
        lead = L.INTENSITY.rx.search(text[max(0, s - 14):s])
        s = max(0, s - 14) + lead.start() if lead else s
        out = out[:s] + " " * (e - s) + out[e:]
    return out


def time_speed(text: str, state: dict | None = None) -> float | None:
    mode = L.TIME_SPEED.first(text)
    if mode is None:
        return None
    now = float(((state or {}).get("clock") or {}).get("speed", DEFAULTS.speed) or DEFAULTS.speed)
    times = _TIMES.search(text)
    factor = float(times.group(1)) if times else None
    if mode == "freeze":
        return 0.0
    if mode == "normal":
        return DEFAULTS.speed
    base = now if now > 0 else DEFAULTS.speed
    if mode == "fast":
        return min(3600.0, base * (factor or DEFAULTS.fast))
    return base / factor if factor else base * DEFAULTS.slow


def strength(text: str) -> float:
    found = L.STRENGTH.first(text)
    return float(found) if found is not None else DEFAULTS.strength


def place(text: str) -> str | None:
    return L.PLACE.first(text)


def coords(text: str) -> tuple[float, float] | None:
    nums = _NUMBER.findall(text)
    return (float(nums[0]), float(nums[1])) if len(nums) >= 2 else None


def action(text: str) -> str | None:
    """The last action named ("make the villager who is dancing stop" -> stop)."""
    found = L.ACTION.find(text)
    return found[-1][2] if found else None


