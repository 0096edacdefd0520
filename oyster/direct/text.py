"""Text clean-up for Direct mode: NFKC, markup stripping, length cap, typo repair and clause splitting.

Nothing here ever returns raw user text to the page: replies are built from canonical values only.
"""
import difflib
import html
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from oyster.direct import lexicon as L

MAX_CHARS = 500      # longer input is cut here (and the reply says so)
FUZZY_CUTOFF = 0.75  # difflib ratio; "rian" vs "rain" is exactly 0.75
MIN_FUZZY_LEN = 3    # shorter tokens are too ambiguous to repair
MAX_REPAIRS = 40     # tokens per clause we try to repair (bounds the cost of long gibberish)
SHORT_LEN = 4        # tokens this short are repaired only for a single slip of the finger
SHORT_CUTOFF = 0.8   # 3-letter tokens need a closer match ("tre" -> "tree", 0.86)

_SCRIPT = re.compile(r"<\s*(script|style|iframe|object)\b.*?(?:<\s*/\s*\1\s*>|$)", re.S | re.I)
_TAG = re.compile(r"<[^<>]{0,300}>")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_APOS = re.compile(r"['\u2018\u2019`\u00b4]")
_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")
_JUNK = re.compile(r"[^a-z0-9:.,;!?+&%\- ]+")
_SPACES = re.compile(r"\s+")
_COORDS = re.compile(r"(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)")
_SPLIT = re.compile(r"\s*(?:,|;|!|\?|\+|&|\.(?!\d)|\b(?:and then|and also|but also|as well as|after that|"
                    r"and|then|with|plus|also|while|but)\b)\s*")
_MERIDIEM = re.compile(r"(\d)\s*([ap])\.\s?m\b\.?")  # "6 p.m." -> "6pm" before '.' splits sentences
_CTRL_Z = re.compile(r"\b(?:ctrl|control|cmd)\s*[-+]?\s*z\b")
_IDIOM = {"cats and dogs": "buckets", "thunder and lightning": "thunderstorm", "rock and roll": "music",
          "day and night": "day night", "salt and pepper": "spice", "rise and shine": "sunrise",
          "enough with": "enough of", "done with": "finished", "finished with": "finished", "away with": "no more",
          "stop with": "stop", "leave it alone": "no thanks", "leave it be": "no thanks",
          "leave it as it is": "no thanks", "leave it": "no thanks"}
_IDIOMS = re.compile("|".join(map(re.escape, _IDIOM)))
_TOKEN = re.compile(r"-?\d+(?:[.:]\d+)?%?|[a-z]+")

_NUMBERS = {"two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
            "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14",
            "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90", "fourty": "40",
            "fifteen": "15", "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19",
            "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50", "hundred": "100"}
_NUM_RX = re.compile(r"\b(" + "|".join(_NUMBERS) + r")\b")
_PAST = re.compile(r"\b(half|quarter) past (\d{1,2})\b")
_TO = re.compile(r"\bquarter to (\d{1,2})\b")
_AND_A_HALF = re.compile(r"\b(\d+|an?|one) (?:(hours?|minutes?) and a half|and a half (hours?|minutes?))\b")
_TENS = re.compile(r"\b([2-9]0) ([1-9])\b(?!\s*(?:am|pm|oclock|:))")

# Ordinary words that must never be "repaired" into lexicon words ("train" is not "rain").
COMMON = set("""
a about above across after again against all almost alone along already also although always am among an and
another any anyone anything anyway are area around as ask at away back bad be because been before behind
being below best better between big bit both bring brain but by call came can cannot cant car could day did
didnt different do does doing done dont down during each early easy either else enough even ever every
everything exactly far feel few find fine first for from front full get give go goes going gone good got
great green grey had hand happen happened happens has have having he her here hers herself him himself his
how however i if in inside instead into is isnt it its itself just keep kind know large last later least
left less let like likely little look looks lot lots made main make makes making many may maybe me mean
mine more most much must my myself near need never new next nice no none nor not nothing now of off often
old on once one only onto or other our out outside over own part people place please point put quite rather
really red right said same saw say see seem seen set several shall she should show side since so some
something sometimes soon still such sure take taken than thank thanks that the their them themselves then
there these they thing things think this those though through thus till to today together too took toward
towards train brain grain drain main gain stain chain plain vain wait want was watch way we well went were
what when where whether which while white who whole whom whose why will wish with within without would yes
yet you your yours yourself world water again please thing stuff somewhere everywhere anywhere nowhere
just okay ok hello thanks cool wow lol yeah yep nope sky weather time ground land terrain area spot place
outside inside little big small large tiny huge giant really very quite super much many some few lots
capital france paris london weather question answer joke poem story song music movie game play player
tell write read sing draw paint code program computer phone email internet google name age color colour
love hate happy sad angry tired hungry food pizza coffee tea beer wine eat drink sleep work school home
money price cost buy sell shop store market bank city country state president king queen war peace
history science math physics chemistry biology english french german spanish language word words sentence
translate meaning define explain describe who what why when where how which whose whom morning evening
today tomorrow yesterday week month year hour minute second clock now soon later early late always never
cat dog man woman boy girl child friend mother father brother sister family house room door window table
chair bed floor wall roof garden street road bridge river sea lake mountain hill forest tree rock stone
fire water earth air wind cloud sun moon star stars light dark night day rain snow fog storm ice cold hot
warm cool dry wet m km meters metres meter metre yards feet steps percent times x funny joke jokes
you hey hi guy cloud clouds cloudy overcast skies weep cry tears stars moon sunlight shine pleasant lovely
heavens bump heap scoop carve whisk zip bounce leap feather lead ages crawl race rooster puddles soaking""".split())


# Words the polarity and conversation rules read (polarity.py, talk.py) that no lexicon table lists: known, so
# typo repair leaves them alone ("gather" is not "another", "ease" is not "erase").
SPOKEN = set("""
actually advance ago assemble avoid backwards become bigger blasts blaze care changes chase chasing cluster coming
command convert crowd dare denser die dump edit encore falling falls fewer fight flame flames fleeing forbid
forwards fraction gentler hang hmm hrs huddle intensify kicks lighten longer lying magma meet melt mins mustnt
onward onwards partying pass passes pls pours puts quiet quieten refrain repeat running settle settles settling
shift shouldnt shows slowed slowing smidge smother soften softer sped speeding splash spray stamp swap tad tailing
thats thicker thinner tip tomorrows transform turns weaken wont worry worse yourselves""".split())


@dataclass
class Clean:
    """The normalised command and what had to be done to it."""
    text: str = ""            # lowercase, ASCII-ish, single spaces
    truncated: bool = False   # input was longer than MAX_CHARS
    had_markup: bool = False  # HTML tags, scripts or markdown were removed
    had_letters: bool = False  # any latin letter left after cleaning
    fuzzy: list[str] = field(default_factory=list)  # canonical words we repaired typos into


def normalise(raw: object) -> Clean:
    """NFKC, unescape and strip markup, cap the length, keep only plain ASCII words and numbers."""
    out = Clean()
    text = raw if isinstance(raw, str) else ("" if raw is None else str(raw))
    if len(text) > MAX_CHARS:
        text, out.truncated = text[:MAX_CHARS], True
    text = unicodedata.normalize("NFKC", text)
    text = html.unescape(text)
    stripped = _TAG.sub(" ", _SCRIPT.sub(" ", text))
    stripped = _MD_LINK.sub(r"\1", _URL.sub(" ", stripped))
    out.had_markup = stripped != text
    text = stripped.lower()
    text = _APOS.sub("", text)
    text = _CTRL_Z.sub(" ctrl z ", text)
    text = _MERIDIEM.sub(lambda m: f"{m.group(1)}{m.group(2)}m ", text)
    text = _IDIOMS.sub(lambda m: _IDIOM[m.group(0)], text)
    text = _HYPHEN.sub(" ", text)
    text = _JUNK.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    text = _NUM_RX.sub(lambda m: _NUMBERS[m.group(1)], text)
    text = _TENS.sub(lambda m: str(int(m.group(1)) + int(m.group(2))), text)
    text = _PAST.sub(lambda m: f"{m.group(2)}:{'30' if m.group(1) == 'half' else '15'}", text)
    text = _TO.sub(lambda m: f"{(int(m.group(1)) - 1) % 24}:45", text)
    text = _AND_A_HALF.sub(lambda m: f"{_half(m.group(1))} {m.group(2) or m.group(3)}", text)
    text = _COORDS.sub(r"\1 \2", text)
    out.text = text
    out.had_letters = any("a" <= ch <= "z" for ch in text)
    return out


def _half(n: str) -> str:
    """'an' / '2' -> '1.5' / '2.5' ("an hour and a half", "two and a half hours")."""
    return f"{(1 if not n.isdigit() else int(n)) + 0.5:g}"


def split_clauses(text: str) -> list[str]:
    """Split on commas, 'and', 'then', 'with', '+' ...; drops empty pieces."""
    return [c for c in (p.strip(" -.") for p in _SPLIT.split(text)) if c]


@lru_cache(maxsize=1)
def _vocab() -> tuple[frozenset, dict[str, tuple[str, ...]]]:
    """(every known word, lexicon words by initial letter: the candidates for typo repair)."""
    tables = [v for v in vars(L).values() if isinstance(v, L.Table)]
    words = set().union(*(t.words() for t in tables)) | set(L.COUNT_WORDS) | set(L.QUESTION_START)
    by_initial: dict[str, list[str]] = {}
    for w in sorted(w for w in words if len(w) >= MIN_FUZZY_LEN and w.isalpha()):
        by_initial.setdefault(w[0], []).append(w)
    return frozenset(words | COMMON | SPOKEN), {k: tuple(v) for k, v in by_initial.items()}


@lru_cache(maxsize=4096)
def repair(token: str) -> str:
    """Closest lexicon word for an unknown token ("rian" -> "rain"), else the token itself.

    Candidates share the token's first or second letter (typos rarely hit both) and differ in length by
    at most 2, which keeps a first-seen typo well under a millisecond.
    """
    known, by_initial = _vocab()
    if token in known or len(token) < MIN_FUZZY_LEN or not token.isalpha():
        return token
    if token.endswith("s") and token[:-1] in known:
        return token  # a plural of a known word ("trains" is not "rains")
    pool = by_initial.get(token[0], ()) + by_initial.get(token[1], ())
    pool = [w for w in pool if abs(len(w) - len(token)) <= 2]
    cutoff = SHORT_CUTOFF if len(token) == 3 else FUZZY_CUTOFF
    best = difflib.get_close_matches(token, pool, n=5, cutoff=cutoff)
    if len(token) <= SHORT_LEN:  # short words: a substitution is more likely another word ("gaze" != "gale")
        best = [w for w in best if _one_slip(token, w)]
    return best[0] if best else token


def _one_slip(token: str, word: str) -> bool:
    """Swapped neighbours ("rian"), one letter dropped ("tres") or added, or cut short ("tre")."""
    if len(token) == 3:
        return word.startswith(token)  # "tre" -> "tree"; but "bob" is not "bomb"
    if len(token) == len(word):
        diff = [i for i in range(len(word)) if token[i] != word[i]]
        return len(diff) == 2 and diff[1] == diff[0] + 1 and token[diff[0]] == word[diff[1]] \
            and token[diff[1]] == word[diff[0]]
    if len(token) + 1 == len(word):
        return any(word[:i] + word[i + 1:] == token for i in range(len(word)))
    if len(token) == len(word) + 1:
        return any(token[:i] + token[i + 1:] == word for i in range(len(token)))
    return False


def tokens(clause: str) -> list[str]:
    return _TOKEN.findall(clause)


def is_known(token: str) -> bool:
    return token in _vocab()[0]


def repair_clause(clause: str, fuzzy: list[str] | None = None) -> str:
    """Tokenise and repair typos; repaired words are appended to `fuzzy`."""
    out = []
    for i, tok in enumerate(tokens(clause)):
        fixed = repair(tok) if i < MAX_REPAIRS else tok
        if fixed != tok and fuzzy is not None:
            fuzzy.append(fixed)
        out.append(fixed)
    return " ".join(out)
