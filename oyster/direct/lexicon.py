"""Direct-mode lexicon: the words and phrases the grammar knows, grouped by canonical meaning.

Each `Table` maps many surface phrases to one canonical value and finds them with one compiled
regex (longest phrase first, on word boundaries), so a clause is scanned once per table.
"""
import re


class Table:
    """Phrase -> canonical value, matched on word boundaries, longest phrase first."""

    def __init__(self, groups: dict[str, tuple[str, ...]]):
        self.lookup = {p: canon for canon, phrases in groups.items() for p in phrases}
        alts = sorted(self.lookup, key=len, reverse=True)
        self.rx = re.compile(r"\b(?:" + "|".join(re.escape(a) for a in alts) + r")\b")

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """All non-overlapping matches as (start, end, canonical)."""
        return [(m.start(), m.end(), self.lookup[m.group(0)]) for m in self.rx.finditer(text)]

    def first(self, text: str) -> str | None:
        m = self.rx.search(text)
        return self.lookup[m.group(0)] if m else None

    def words(self) -> set[str]:
        return {w for p in self.lookup for w in p.split()}


WEATHER = Table({
    "rain": ("rain", "rains", "raining", "rainy", "rained", "rainfall", "drizzle", "drizzling", "shower",
             "showers", "downpour", "pour", "pouring", "sprinkle", "sprinkling", "monsoon", "raindrops",
             "rainstorm", "rain storm", "precipitation", "wet weather", "bucketing", "bucketing down",
             "chucking it down", "tipping down", "pelting", "pelting down", "lashing", "lashing down", "teeming",
             "spitting", "spotting", "few drops", "a few drops", "raining cats", "bucket down", "buckets down"),
    "snow": ("snow", "snows", "snowing", "snowy", "snowed", "snowfall", "snowflakes", "snowflake", "flurries",
             "blizzard", "blizzards", "snowstorm", "snow storm", "winter", "wintry", "sleet", "hail"),
    "fog": ("fog", "foggy", "fogs", "mist", "misty", "haze", "hazy", "smog", "murky", "fog bank", "mists"),
    "storm": ("storm", "stormy", "storms", "thunder", "thunderstorm", "thunderstorms", "thunder storm",
              "lightning", "thundering", "tempest", "hurricane", "gale", "lightning storm", "electrical storm"),
    "clear": ("clear", "clear sky", "clear skies", "clear up", "clears", "sunny", "sunshine", "sun shine",
              "nice weather", "good weather", "fair weather", "fine weather", "blue sky", "blue skies",
              "cloudless", "dry", "sun", "summer", "clear weather", "weather clear"),
})

# Words that flip a weather mention into "clear" ("stop the rain", "no more snow").
WEATHER_NEG = Table({"neg": (
    "stop", "stops", "stopping", "no", "no more", "end", "ends", "enough", "without", "cease", "halt", "quit",
    "turn off", "switch off", "get rid of", "remove", "clear", "clear away", "clear up", "dry up", "kill",
    "not", "dont", "away", "lift", "lifts", "disperse", "banish", "cancel", "none", "over", "done",
    "finish", "make it stop", "shut off", "hate", "dont like", "tired of", "sick of", "annoying")})

INTENSITY = Table({
    "0.3": ("light", "lightly", "little", "a bit", "bit", "slight", "slightly", "gentle", "gently", "soft",
            "softly", "mild", "drizzle", "drizzling", "sprinkle", "sprinkling", "flurries", "thin", "weak",
            "faint", "less", "lighter", "some", "patchy", "calm", "turn down", "turn it down", "tone down",
            "tone it down", "dial down", "dial it down", "spitting", "spotting", "few drops", "a few drops"),
    "0.5": ("moderate", "medium", "normal", "average", "steady"),
    "0.9": ("heavy", "heavily", "hard", "harder", "heavier", "lots", "lot", "strong", "strongly", "intense",
            "torrential", "massive", "huge", "downpour", "pouring", "blizzard", "blizzards", "thick", "dense",
            "violent", "extreme", "crazy", "insane", "monsoon", "very", "really", "super", "snowstorm",
            "snow storm", "hurricane", "raging", "big", "more", "wild", "severe", "buckets", "cats and dogs",
            "pea soup", "whiteout", "tons", "rainstorm", "turn up", "turn it up", "crank up", "crank it up",
            "dial up", "dial it up", "bucketing", "bucketing down", "chucking it down", "tipping down", "pelting",
            "lashing", "teeming", "raining cats", "bucket down", "buckets down"),
})

# Times of day in hours (0..24), matched to the renderer's sun (oyster/render/sky.py: sunrise 6:00,
# sunset 18:00): "sunset" keeps a low golden sun just above the horizon, "dusk" is the afterglow.
TIME_OF_DAY = Table({
    "0": ("midnight", "middle of the night", "witching hour"),
    "5.5": ("before dawn", "early dawn", "first light"),
    "6.2": ("dawn", "daybreak", "sunrise", "sun rise", "sunup", "sun up", "sun comes up", "sun rises",
            "rising sun", "crack of dawn"),
    "7": ("early morning",),
    "8": ("morning", "mornings", "breakfast"),
    "10.5": ("late morning", "mid morning", "midmorning"),
    "12": ("noon", "midday", "high noon", "lunchtime", "lunch time", "day", "daytime", "day time",
           "daylight", "broad daylight", "bright", "light out", "the day"),
    "15": ("afternoon", "mid afternoon", "midafternoon"),
    "17": ("late afternoon", "teatime", "tea time"),
    "17.3": ("golden hour",),
    "17.8": ("sunset", "sundown", "sun set", "sun sets", "setting sun", "sun goes down", "sun is setting",
             "sunsets"),
    "18.4": ("dusk", "twilight", "afterglow"),
    "18.5": ("evening", "evenings", "dinner time", "dinnertime"),
    "19.2": ("nightfall",),
    "20.5": ("late evening",),
    "22": ("night", "nighttime", "night time", "tonight", "dark", "darkness", "nights", "nite",
           "starry night", "moonlight", "moonlit"),
    "23.5": ("late night", "late at night"),
})

# Clock qualifiers that decide am/pm for "6:30 in the morning", "9 at night".
DAYPART = Table({
    "am": ("in the morning", "morning", "before noon", "at dawn"),
    "pm": ("in the afternoon", "in the evening", "afternoon", "evening", "tonight"),
    "night": ("at night", "in the night", "night"),
})

TIME_WORDS = Table({"time": ("time", "clock", "oclock", "hour", "hours", "o clock", "set it to", "at")})

TIME_SPEED = Table({
    "fast": ("speed up time", "speed time up", "speed up the clock", "time faster", "faster time",
             "fast forward", "timelapse", "time lapse", "accelerate time", "make time fly", "time go faster",
             "time move faster", "time run faster", "days go faster", "day go faster", "hurry up time",
             "speed up the day", "speed up", "faster", "quicker", "accelerate", "hurry"),
    "slow": ("slow down time", "slow time", "slow time down", "time slower", "slower time", "slow motion",
             "slow down the clock", "slow down the day", "slow down", "slower", "slow"),
    "freeze": ("freeze time", "stop time", "pause time", "stop the clock", "time stands still",
               "freeze the clock", "pause the clock", "time stand still", "stop the time", "freeze the time",
               "pause the day", "freeze the sun", "stop the sun", "halt time", "hold time", "freeze", "pause",
               "frozen", "stand still", "stop"),
    "normal": ("normal speed", "resume time", "unfreeze time", "unpause", "unfreeze", "resume",
               "let time run", "let time flow", "restart time", "real speed", "normal time", "default speed",
               "regular speed", "usual speed", "normal"),
})
TIME_SUBJECT = Table({"time": ("time", "clock", "day", "days", "sun", "daylight", "cycle", "hours",
                               "day night", "day and night", "fast forward", "time lapse", "timelapse",
                               "slow motion")})

GRAVITY_WORDS = Table({"gravity": (
    "gravity", "weightless", "weightlessness", "zero g", "float away", "no weight", "hover", "hovering", "low g",
    "floaty", "float", "floating", "gravitation",
    "like on the moon", "like the moon", "on the moon", "like on mars", "like mars",
    "on mars", "like on jupiter", "on jupiter", "jump higher", "moon jump", "antigravity", "anti gravity",
    "g force", "gravitational pull", "fall slower", "fall faster")})

GRAVITY_SCALE = Table({
    "0.165": ("moon", "lunar", "moons", "the moon"),
    "0.38": ("mars", "martian"),
    "2.53": ("jupiter",),
    "0.91": ("venus",),
    "0.063": ("pluto",),
    "0.05": ("zero", "no", "none", "off", "without", "weightless", "weightlessness", "disable", "zero g",
             "float", "floating", "float away", "no weight", "hover", "drift", "zero gravity", "minimum",
             "turn off", "remove", "switch off", "space", "antigravity", "anti gravity", "kill"),
    "2": ("double", "twice", "doubled", "2x", "two times", "high", "higher", "more", "stronger", "increase",
          "heavy", "heavier", "strong", "fall faster", "increased"),
    "3": ("triple", "tripled", "3x", "three times"),
    "0.5": ("half", "halve", "halved", "low", "lower", "less", "weaker", "reduce", "reduced", "decrease",
            "lighter", "light", "weak", "jump higher", "fall slower", "low g"),
    "0.2": ("floaty", "bouncy", "very low", "really low", "super low"),
    "0.25": ("quarter",),
    "1": ("normal", "earth", "reset", "default", "regular", "standard", "back", "restore", "usual", "real",
          "earthly", "original", "1g", "one g", "ordinary"),
})

ERUPT = Table({"erupt": (
    "erupt", "erupts", "erupting", "eruption", "eruptions", "erupted", "volcanic eruption", "spew lava",
    "lava everywhere", "make lava", "lava flow", "spit lava", "spew", "spews", "blow its top")})
VOLCANO = Table({"volcano": ("volcano", "volcanoes", "volcanic", "the mountain of fire", "lava")})
VOLCANO_GO = Table({"go": ("explode", "explodes", "blow", "blow up", "go off", "wake", "wake up", "awaken",
                           "activate", "trigger", "rumble", "boom", "active", "blast", "angry", "kaboom",
                           "fire", "start", "set off", "go boom", "burst")})
STRENGTH = Table({
    "0.3": ("small", "little", "tiny", "mini", "minor", "gentle", "weak", "light", "baby", "mild", "slight"),
    "1.0": ("big", "huge", "massive", "enormous", "giant", "major", "mega", "strong", "violent", "powerful",
            "biggest", "epic", "catastrophic", "heavy", "gigantic", "monster", "great", "colossal", "insane",
            "crazy", "full"),
})

TELEPORT_VERB = Table({"go": (
    "teleport", "teleports", "tp", "warp", "take me", "bring me", "send me", "go to", "go back to", "goto",
    "travel", "travel to", "move me", "transport me", "transport", "fly me", "get me to", "beam me",
    "i want to go", "i wanna go", "head to", "head over to", "visit", "show me the", "lets go", "let us go",
    "respawn", "return to", "return me", "go back", "take us", "bring us", "jump to", "zip to", "go",
    "head", "portal", "port me", "put me", "drop me", "relocate", "move to", "walk me to", "back to",
    "get me back to")})
PLACE = Table({
    "volcano": ("volcano", "volcanoes", "the volcano", "lava", "volcanic", "crater of the volcano"),
    "lake": ("lake", "pond", "lakes", "lakeside", "lagoon", "the water", "water", "lake shore", "lakeshore"),
    "village": ("village", "town", "settlement", "hamlet", "city", "the houses", "villages", "villagers"),
    "forest": ("forest", "woods", "woodland", "jungle", "the trees", "forests", "wood", "grove"),
    "desert": ("desert", "dunes", "sand dunes", "sahara", "deserts", "wasteland"),
    "mountain": ("mountain", "mountains", "peak", "peaks", "summit", "hills", "mountaintop", "snowy peaks",
                 "top of the mountain", "cliffs", "highlands", "alps", "mount"),
    "beach": ("beach", "shore", "coast", "sea", "ocean", "seaside", "coastline", "seashore", "sea shore",
              "the sea", "beaches"),
    "start": ("start", "starting point", "spawn", "spawn point", "beginning", "home", "origin",
              "where i started", "start point", "the start", "starting position", "first place"),
})

TERRAIN = Table({
    "raise": ("hill", "hills", "hilly", "mound", "bump", "ridge", "raise", "raise the ground", "lift",
              "elevate", "pile up", "higher ground", "heighten", "mountain", "mountains", "bulge", "hillock",
              "plateau", "mesa", "push up", "grow the ground", "raise the terrain", "raise the land",
              "fill the hole", "fill in the hole", "fill the crater", "fill the pit", "fill it in", "fill in"),
    "lower": ("lower", "sink", "dig", "hole", "pit", "ditch", "trench", "valley", "depression",
              "dig down", "lower the ground", "canyon", "gorge", "dent", "sink the ground", "excavate",
              "dip", "ravine", "basin", "a lake", "a pond", "new lake", "new pond"),
    "crater": ("crater", "craters", "meteor", "meteorite", "asteroid", "impact", "bomb", "nuke",
               "blast a hole", "explosion", "blow a hole", "blast crater", "impact crater"),
    "flatten": ("flatten", "flat", "level", "smooth", "even out", "flatten out", "level out", "plane",
                "make it flat", "level the ground", "smooth out", "flattened", "leveled", "levelled"),
})
SIZE = Table({"small": ("small", "little", "tiny", "mini", "baby", "slight", "low", "shallow"),
              "big": ("big", "huge", "large", "giant", "massive", "tall", "deep", "enormous", "high",
                      "gigantic", "great", "wide")})

SPAWN_VERB = Table({"spawn": (
    "spawn", "plant", "grow", "build", "construct", "make", "create", "add", "put", "place", "set up", "erect",
    "summon", "bring", "drop", "generate", "need", "want", "give me", "light", "start", "there should be",
    "lets have", "let us have", "get me", "throw", "invite", "produce", "raise", "pop", "conjure", "materialize",
    "new", "another", "more", "i want", "i need", "we need", "id like", "i would like", "would like",
    "wed like", "have", "populate", "fill", "craft", "sow",
    "bring in", "bring out", "release", "install", "insert", "dig")})
REMOVE_VERB = Table({"remove": (
    "remove", "delete", "destroy", "cut", "cut down", "chop", "chop down", "fell", "clear", "clear out",
    "clear away", "get rid of", "erase", "demolish", "knock down", "tear down", "take away", "despawn",
    "eliminate", "wipe", "wipe out", "uproot", "pull down", "smash", "break", "blow up", "burn down",
    "vanish", "disappear", "go away", "no more", "without", "put out", "extinguish", "kill", "removes",
    "removed", "deleted", "get rid", "rid", "lose", "bulldoze", "raze", "level the", "take out", "kick out",
    "send away", "banish", "dismiss", "leave", "be gone", "begone", "poof", "zap", "obliterate", "nuke",
    "douse", "snuff", "pick up", "haul away", "move away", "clean up", "unspawn", "drive away", "shoo")})

KIND = Table({
    "tree": ("tree", "trees", "oak", "oaks", "sapling", "saplings", "birch", "birches", "maple", "maples",
             "palm", "palms", "palm tree", "palm trees", "oak tree", "oak trees", "bush", "bushes", "willow",
             "shrub", "shrubs", "orchard", "apple tree", "apple trees", "forest", "grove", "woods", "treee"),
    "pine": ("pine", "pines", "pine tree", "pine trees", "fir", "firs", "fir tree", "fir trees", "spruce",
             "spruces", "conifer", "conifers", "christmas tree", "christmas trees", "evergreen", "evergreens",
             "pinetree", "pinetrees"),
    "rock": ("rock", "rocks", "boulder", "boulders", "stone", "stones", "pebble", "pebbles", "rubble",
             "big rock", "pile of rocks", "rockpile", "menhir", "monolith"),
    "house": ("house", "houses", "cabin", "cabins", "cottage", "cottages", "hut", "huts", "home", "homes",
              "building", "buildings", "shack", "shacks", "shed", "sheds", "barn", "barns", "villa", "lodge",
              "log cabin", "dwelling", "shelter", "bungalow", "farmhouse", "little house"),
    "cactus": ("cactus", "cacti", "cactuses", "cactii", "saguaro", "succulent", "succulents"),
    "campfire": ("campfire", "campfires", "camp fire", "bonfire", "bonfires", "fire", "fires", "fireplace",
                 "fire pit", "firepit", "fire place", "camp"),
    "villager": ("villager", "villagers", "person", "people", "man", "men", "woman", "women", "npc", "npcs",
                 "human", "humans", "friend", "friends", "farmer", "farmers", "folk", "folks", "citizen",
                 "citizens", "neighbor", "neighbour", "neighbors", "kid", "kids", "child", "children",
                 "resident", "residents", "local", "locals", "peasant", "peasants", "guy", "guys", "dude",
                 "lady", "stranger", "villager guy", "someone", "somebody", "traveler", "traveller"),
    "animal": ("animal", "animals", "dog", "dogs", "cat", "cats", "deer", "cow", "cows", "sheep", "pig", "pigs",
               "horse", "horses", "rabbit", "rabbits", "bunny", "bunnies", "fox", "foxes", "goat", "goats",
               "chicken", "chickens", "creature", "creatures", "puppy", "puppies", "doggo", "wolf", "wolves",
               "pet", "pets", "critter", "critters", "beast", "beasts", "kitten", "kitty", "hen", "duck",
               "ducks", "pony", "moose", "elk", "bear", "bears", "lamb", "doggy", "dogo", "wildlife"),
})
CHARACTER_KIND = {"villager", "animal"}

# Pronouns that refer to a character already mentioned (or the nearest one).
PRONOUN = Table({"ref": ("him", "he", "her", "she", "them", "they", "it", "his", "hers", "this guy", "that guy",
                         "this one", "that one", "the other one", "the other", "other one", "the same one")})
EVERYONE = Table({"all": ("everyone", "everybody", "all of them", "all the villagers", "all villagers",
                          "the villagers", "all the people", "the people", "all the animals", "every villager",
                          "all characters", "the whole village", "every one", "them all", "all of you", "y all")})

ACTION = Table({
    "wave": ("wave", "waves", "waving", "wave at me", "greet", "greets", "greet me", "say hi", "say hello",
             "wave hello", "salute", "wave hi", "waved", "hail me", "wave back"),
    "dance": ("dance", "dances", "dancing", "boogie", "groove", "party", "bust a move", "twerk", "celebrate",
              "shake it", "disco", "dance party", "breakdance", "cut a rug", "danse"),
    "sit": ("sit", "sit down", "sitting", "sits", "take a seat", "have a seat", "rest", "sat", "sit still",
            "squat", "kneel", "lie down", "lay down", "be seated"),
    "jump": ("jump", "jumps", "jumping", "hop", "hops", "hopping", "leap", "leaps", "bounce", "jump around",
             "jump up and down", "skip"),
    "walk": ("walk", "walks", "walking", "wander", "wanders", "wandering", "stroll", "roam", "walk around",
             "move around", "go for a walk", "patrol", "pace", "move", "walk about", "run around", "go around",
             "take a walk", "explore", "moving", "get moving", "keep walking"),
    "sleep": ("sleep", "sleeps", "sleeping", "go to sleep", "take a nap", "nap", "have a nap", "go to bed",
              "doze", "doze off", "fall asleep", "get some sleep", "snooze", "go to sleep now", "lie down and sleep",
              "catch some sleep", "get some rest", "bed"),
    "flee": ("flee", "flees", "run", "run away", "runs away", "run off", "run for your lives", "run for it", "scram",
             "escape", "get away", "get away from me", "scatter", "bolt", "make a run for it", "leg it",
             "run away from me", "run for their lives", "run for his life", "run for her life", "run for its life",
             "back off", "keep away", "stay away", "clear off", "take off", "retreat",
             "hide", "run and hide", "skedaddle"),
    "follow": ("follow", "follows", "following", "follow me", "come with me", "come here", "come over",
               "come to me", "tag along", "accompany", "accompany me", "come along", "after me",
               "with me", "come", "stick with me", "go with me", "join me", "heel"),
    "idle": ("stop", "halt", "stay", "stand still", "freeze", "wait", "be still", "idle", "stand", "calm down",
             "stop moving", "chill", "stay put", "stop dancing", "stop walking", "stop following", "quit it",
             "knock it off", "cut it out", "hold still", "stay there", "stop it", "relax", "sit tight"),
})

UNDO = Table({"undo": ("undo", "undo that", "revert", "ctrl z", "control z", "take that back", "reverse that",
                       "cancel that", "never mind", "nevermind", "put it back", "change it back", "go back",
                       "roll back", "rollback", "undo it", "unmake", "unwind", "oops", "revert that", "undid",
                       "put that back", "undo last", "reverse", "whoops", "take it back",
                       "undo the last")})

WHERE = Table({
    "ahead": ("ahead", "in front", "in front of me", "forward", "there", "over there", "before me", "yonder",
              "straight ahead", "ahead of me", "out there", "in the distance", "further", "front"),
    "here": ("here", "right here", "under me", "beneath me", "where i stand", "where i am", "at my feet",
             "this", "this spot", "this area", "next to me", "beside me", "near me", "by me", "close",
             "nearby", "close by", "my position", "under my feet", "on me", "this place"),
    "around": ("around me", "all around", "around", "surround me", "surrounding me", "everywhere",
               "all over", "in a circle", "circle", "round me", "all around me", "on all sides"),
})

COUNT_WORDS = {"a": 1, "an": 1, "one": 1, "single": 1, "another": 1, "two": 2, "three": 3, "four": 4,
               "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
               "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
               "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
               "dozen": 12, "couple": 2, "pair": 2, "few": 3, "several": 4, "some": 3, "many": 8,
               "lots": 8, "lot": 8, "bunch": 6, "loads": 8, "plenty": 8, "tons": 10, "forest": 10, "grove": 6,
               "handful": 4, "multiple": 3, "various": 4, "numerous": 8, "thousand": 1000, "million": 1000}

GREETING = Table({"hi": ("hi", "hello", "hey", "hiya", "howdy", "yo", "greetings", "good day", "sup",
                         "hey there", "hello there", "hi there", "thanks", "thank you", "thx", "cool", "nice",
                         "awesome", "great", "ok", "okay", "wow", "lol", "bye", "goodbye", "ty", "yes", "no", "come on",
                         "alright", "oi")})
HELP = Table({"help": ("help", "what can you do", "what can i do", "what can i say", "commands",
                       "what do you understand", "how does this work", "instructions", "options",
                       "what can i ask", "what can i type", "menu")})
REQUEST = Table({"req": ("can you", "could you", "would you", "will you", "can we", "could we", "can i",
                         "may i", "please", "how about", "what about", "why dont you", "why not", "i want",
                         "i would like", "id like", "lets", "let us", "can it", "could it", "would it",
                         "what if", "is it possible to", "i wish")})
QUESTION_START = ("what", "whats", "why", "who", "whos", "where", "wheres", "when", "how", "hows", "which",
                  "is", "are", "does", "do", "did", "can", "could", "will", "would", "should", "shall", "am",
                  "was", "were", "has", "have", "whom", "whose")

# Words the polarity and conversation rules read (oyster/direct/polarity.py, talk.py): listed here so that typo
# repair can reach them ("latr" -> "later").
RELATIVE_WORDS = Table({"rel": ("later", "earlier", "minutes", "minute", "hours", "hour", "rewind", "tomorrow",
                                "next", "extinguish", "redo", "again", "anymore", "forward", "backward", "ease",
                                "notch", "touch", "bucketing", "spitting", "gather", "around", "round", "instead",
                                "following", "dancing", "campfire", "weightless", "floating", "sleep", "flee")})
