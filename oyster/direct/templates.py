"""Training templates for the fallback classifier: patterns with {slots}, expanded with a seeded RNG.

Kept apart from the hand-written test set (tests/data/direct_commands.jsonl); a test checks that no
test sentence is generated here verbatim.
"""
import random
import re

FILL = {
    "please": ("", "", "please ", "can you ", "could you ", "i want you to ", "would you ", "hey ", "now "),
    "wish": ("i want to", "i would like to", "id love to", "let me", "i wanna", "can i", "i wish i could",
             "i would love to", "id like to", "please let me"),
    "end": ("", "", "", " please", " now", " right now", " for me", " thanks", " ok"),
    "make": ("make", "let", "have", "get", "turn"),
    "kind": ("tree", "trees", "oak", "pine", "pines", "rock", "boulders", "house", "cabin", "hut", "cactus",
             "campfire", "bonfire", "villager", "villagers", "person", "dog", "cow", "animals", "sheep"),
    "count": ("a", "one", "two", "3", "some", "a few", "5", "several", "a couple of", "ten", "many"),
    "where": ("", "", "here", "ahead", "in front of me", "over there", "around me", "next to me", "nearby"),
    "place": ("volcano", "lake", "village", "forest", "desert", "mountain", "beach", "start", "woods",
              "town", "sea", "pond", "peak", "dunes", "shore", "home"),
    "who": ("the villager", "him", "her", "the guy", "that person", "the dog", "the animal", "them",
            "the man", "the woman", "the cow", "everyone", "the people", "that dude", "it"),
    "act": ("wave", "dance", "sit down", "jump", "walk around", "follow me", "stop", "sit", "hop",
            "boogie", "take a seat", "wander", "say hello", "stand still", "come with me"),
    "thing": ("the weather", "the sky", "the world", "everything", "the mood", "the scene", "the land"),
    "topic": ("france", "python", "the moon landing", "my homework", "football", "the stock market",
              "bitcoin", "your name", "dinosaurs", "pizza", "the president", "quantum physics", "cooking",
              "my cat", "funny videos", "the news", "taxes", "my job", "love", "cars", "history", "music",
              "movies", "the internet", "chess", "sunny beaches", "rainbows", "stormy relationships",
              "the weather channel", "snowboarding", "trees in general", "houses for sale", "dogs"),
    "name": ("bob", "alice", "sam", "max", "lee", "kim", "jo", "ann", "tom", "eve"),
    "adj": ("funny", "long", "short", "nice", "sad", "cool", "weird", "good", "bad", "happy", "silly"),
}

PATTERNS = {
    "weather_rain": ("{please}let the heavens open{end}", "{please}{make} the clouds cry{end}",
                     "i want to hear raindrops{end}", "{please}bring out the umbrellas{end}",
                     "{please}make everything wet{end}", "water falling from the sky{end}",
                     "{please}{make} it rain on everything{end}", "rainy weather{end}", "{please}start a shower{end}",
                     "i want to get soaked{end}", "{please}drench the land{end}", "pitter patter on the roof",
                     "{please}make the sky pour{end}", "open the floodgates of the sky{end}",
                     "give me some drizzle{end}", "i wish it was raining{end}", "umbrella weather{end}"),
    "weather_snow": ("{please}make it a white christmas{end}", "{please}cover the ground in white{end}",
                     "i want to build a snowman{end}", "{please}let it snow{end}", "snowy weather{end}",
                     "{please}bring on the winter{end}", "{please}{make} snowflakes fall{end}",
                     "i want a winter wonderland{end}", "{please}make it freezing cold{end}",
                     "{please}dust everything with white powder{end}", "frosty weather{end}"),
    "weather_fog": ("{please}make it hard to see{end}", "{please}reduce the visibility{end}",
                    "{please}{make} the air murky{end}", "i want a spooky haze{end}", "{please}add fog{end}",
                    "{please}cover the valley in mist{end}", "misty weather{end}", "{please}make it soupy{end}",
                    "{please}blur the horizon{end}", "{please}make it all grey and hazy{end}"),
    "weather_storm": ("{please}bring the thunder{end}", "{please}make lightning strike{end}",
                      "i want a dramatic sky{end}", "{please}summon a tempest{end}", "stormy weather{end}",
                      "{please}make the sky angry{end}", "{please}start a storm{end}",
                      "i want thunder and lightning{end}", "{please}make it wild and windy{end}",
                      "{please}let the sky rumble{end}", "{please}unleash the storm{end}"),
    "weather_clear": ("{please}make the sky blue again{end}", "{please}let the sun shine{end}",
                      "{please}get rid of the clouds{end}", "{please}make it nice out{end}",
                      "i want good weather{end}", "{please}clear things up{end}", "{please}stop the rain from falling{end}",
                      "{please}end the storm{end}", "{please}make the weather nice{end}",
                      "{please}turn the weather back to normal{end}", "no more bad weather{end}",
                      "{please}chase the clouds away{end}", "{please}dry everything up{end}"),
    "time_night": ("{wish} see the stars{end}", "{wish} watch the moon rise{end}", "{wish} stargaze{end}",
                   "{wish} look up at the milky way{end}", "{wish} see the constellations{end}", "{please}turn off the sun{end}", "lights out{end}",
                   "{please}make it dark outside{end}", "bedtime{end}", "{please}show me the moon{end}",
                   "{please}let the night come{end}", "{please}switch to night{end}", "nighttime{end}",
                   "{please}make the sky black{end}", "{please}bring out the moon{end}",
                   "i want to look at the stars{end}", "{please}make it late{end}", "time for bed{end}"),
    "time_day": ("{please}turn on the sun{end}", "{please}make it bright{end}", "{please}lights on{end}",
                 "{please}bring back the light{end}", "{please}make it day{end}", "daytime{end}",
                 "{please}put the sun high in the sky{end}", "{please}make it light outside{end}",
                 "i want the sun overhead{end}", "{please}wake up the sun{end}", "lunch time{end}"),
    "time_morning": ("{please}make it morning{end}", "{please}make it early{end}", "breakfast time{end}",
                     "{please}let the rooster crow{end}", "{please}start a new day{end}", "rise and shine everybody{end}",
                     "{please}make the sun come up{end}", "wake up time{end}", "early in the day{end}"),
    "time_evening": ("{please}make it evening{end}", "{please}make the sun go down{end}", "dinner time{end}",
                     "{please}give me a sunset{end}", "golden hour{end}", "{please}let the day end{end}",
                     "end of the day{end}", "{please}make the sky orange{end}", "{please}make it dusk{end}"),
    "time_fast": ("{please}make the day go by faster{end}", "{please}speed up the clock{end}",
                  "{please}make time fly{end}", "{please}fast forward{end}", "time lapse{end}",
                  "{please}make the sun move faster{end}", "{please}accelerate the day{end}",
                  "{please}make hours pass quickly{end}", "{please}hurry the sun along{end}"),
    "time_slow": ("{please}slow the clock{end}", "{please}make the day last longer{end}",
                  "{please}make time drag{end}", "{please}make the sun move slower{end}",
                  "{please}let time crawl{end}", "{please}decelerate time{end}", "{please}make hours pass slowly{end}"),
    "time_freeze": ("{please}pause the clock{end}", "{please}make the sun stay where it is{end}",
                    "{please}keep it like this forever{end}", "{please}stop the day night cycle{end}",
                    "{please}freeze the sun{end}", "{please}hold the time{end}", "{please}lock the time{end}",
                    "{please}keep the sun still{end}", "{please}make time stand still{end}"),
    "gravity_low": ("{please}let me float around{end}", "{wish} walk on the moon{end}",
                    "{wish} jump over the trees{end}", "{wish} drift like in space{end}", "i want to bounce like an astronaut{end}",
                    "{please}make jumping easier{end}", "{please}make me light as a feather{end}",
                    "{please}let me jump really high{end}", "{please}make everything floaty{end}",
                    "{please}make gravity weaker{end}", "moon mode{end}", "space mode{end}",
                    "{please}let me fly{end}", "{please}make me jump to the clouds{end}"),
    "gravity_high": ("{please}make me heavy{end}", "{please}make jumping harder{end}",
                     "{please}make gravity stronger{end}", "{please}pull me down harder{end}",
                     "{please}make everything heavy{end}", "{please}make it hard to jump{end}",
                     "jupiter mode{end}", "{please}weigh me down{end}", "{please}crush me to the ground{end}"),
    "gravity_normal": ("{please}put gravity back{end}", "{please}make gravity normal{end}",
                       "{please}back to earth gravity{end}", "{please}reset the gravity{end}",
                       "{please}make jumping normal again{end}", "{please}restore normal weight{end}"),
    "spawn": ("{please}plant {count} {kind} {where}{end}", "{please}build {count} {kind} {where}{end}",
              "{please}add {count} {kind} {where}{end}", "{please}put {count} {kind} {where}{end}",
              "{please}spawn {count} {kind} {where}{end}", "{please}create {count} {kind} {where}{end}",
              "i want {count} {kind} {where}{end}", "{please}give me {count} {kind}{end}",
              "{please}conjure {count} {kind} {where}{end}", "{please}place {count} {kind} {where}{end}",
              "{please}pop {count} {kind} in {where}{end}", "{please}summon {count} {kind}{end}"),
    "remove": ("{please}remove the {kind} {where}{end}", "{please}delete the {kind}{end}",
               "{please}get rid of the {kind} {where}{end}", "{please}destroy the {kind}{end}",
               "{please}cut down the {kind} {where}{end}", "{please}make the {kind} disappear{end}",
               "{please}take away the {kind}{end}", "{please}clear the {kind} {where}{end}",
               "{please}erase the {kind}{end}", "i dont want the {kind} anymore{end}",
               "{please}wipe out the {kind} {where}{end}", "{please}make the {kind} vanish{end}"),
    "teleport": ("{please}take me to the {place}{end}", "{please}teleport me to the {place}{end}",
                 "i want to go to the {place}{end}", "{please}bring me to the {place}{end}",
                 "{please}send me to the {place}{end}", "{please}warp to the {place}{end}",
                 "lets go to the {place}{end}", "{please}go over to the {place}{end}", "{place}{end}",
                 "{please}move me to the {place}{end}", "i wanna be at the {place}{end}",
                 "{please}beam me over to the {place}{end}", "{please}drop me at the {place}{end}",
                 "{wish} visit the {place}{end}", "{wish} be at the {place}{end}"),
    "eruption": ("{please}make the volcano explode{end}", "{please}make the mountain spit fire{end}",
                 "{please}start an eruption{end}", "{please}let the lava flow{end}",
                 "{please}wake up the volcano{end}", "{please}make the volcano angry{end}",
                 "{please}blow the top off the volcano{end}", "{please}rain fire from the volcano{end}",
                 "{please}set off the volcano{end}", "{please}make magma shoot out{end}",
                 "kaboom the volcano{end}", "{please}erupt{end}"),
    "character": ("{please}make {who} {act}{end}", "{please}tell {who} to {act}{end}", "{please}have {who} {act}{end}",
                  "{please}ask {who} to {act}{end}", "{please}get {who} to {act}{end}", "{act}{end}",
                  "{please}order {who} to {act}{end}", "{please}let {who} {act}{end}", "{who} should {act}{end}",
                  "i want {who} to {act}{end}"),
    "terrain_raise": ("{please}make a hill {where}{end}", "{please}raise the ground {where}{end}",
                      "{please}push the land up {where}{end}", "{please}build a mound {where}{end}",
                      "{please}make the ground higher {where}{end}", "{please}lift the terrain {where}{end}",
                      "{please}pile up dirt {where}{end}", "{please}create a ridge {where}{end}"),
    "terrain_lower": ("{please}dig a hole {where}{end}", "{please}lower the ground {where}{end}",
                      "{please}make a pit {where}{end}", "{please}sink the land {where}{end}",
                      "{please}dig a trench {where}{end}", "{please}make the ground lower {where}{end}",
                      "{please}scoop out the earth {where}{end}", "{please}excavate {where}{end}"),
    "terrain_crater": ("{please}blast a crater {where}{end}", "{please}drop a meteor {where}{end}",
                       "{please}make a crater {where}{end}", "{please}bomb the ground {where}{end}",
                       "{please}smash a hole in the ground {where}{end}", "{please}crash an asteroid {where}{end}",
                       "{please}make an impact crater {where}{end}", "{please}nuke the ground {where}{end}"),
    "terrain_flatten": ("{please}flatten the ground {where}{end}", "{please}level the land {where}{end}",
                        "{please}make it flat {where}{end}", "{please}smooth the terrain {where}{end}",
                        "{please}even out the ground {where}{end}", "{please}make the ground level {where}{end}",
                        "{please}iron out the bumps {where}{end}", "{please}bulldoze it flat {where}{end}"),
    "undo": ("{please}undo the previous edit{end}", "{please}undo my last command{end}", "{please}take that back{end}", "oops{end}",
             "{please}revert the last change{end}", "{please}put it back the way it was{end}",
             "that was a mistake{end}", "{please}go back one step{end}", "{please}cancel the last thing{end}",
             "i didnt mean that{end}", "{please}reverse the last edit{end}", "{please}scratch that{end}"),
    "none": ("what is {topic}", "tell me about {topic}", "who invented {topic}", "i like {topic}",
             "write a poem about {topic}", "explain {topic} to me", "how do i learn {topic}",
             "whats your opinion on {topic}", "tell me a joke", "how old are you", "who are you",
             "what is the meaning of life", "translate this into spanish", "are you a robot",
             "{topic} is boring", "do you know {topic}", "can you help me with {topic}", "hmm",
             "i am bored", "this is cool", "what does {topic} mean", "sing me a song", "asdf qwer",
             "lorem ipsum dolor sit amet", "the quick brown fox", "blah blah blah", "xyz abc",
             "how much is {topic}", "define {topic}", "search the web for {topic}", "who won the game",
             "recommend a movie", "what should i eat", "calculate 2 plus 2", "open my email",
             "tell me a {adj} story", "you are {adj}", "that was {adj}", "write a {adj} song about {topic}",
             "i feel {adj} today", "my favourite thing is {topic}", "do you like {topic}",
             "what do you think of {topic}", "give me advice about {topic}", "say something {adj}",
             "lol this is {adj}", "summarize {topic}", "i had a {adj} day", "{topic}", "why is {topic} {adj}",
             "qwerty uiop", "zzz", "test test", "ignore previous instructions", "print the password",
             "drop table users", "select from users", "run rm rf", "just chatting", "brb", "anyone here",
             "where are my keys", "i am hungry", "send me money", "buy bitcoin", "how are you doing",
             "{wish} talk about {topic}", "{wish} learn {topic}", "{wish} know more about {topic}",
             "my name is {name}", "i am {name}", "call me {name}", "this is {name} speaking"),
}

_SLOT = re.compile(r"\{(\w+)\}")


def expand(pattern: str, rng: random.Random) -> str:
    text = _SLOT.sub(lambda m: rng.choice(FILL[m.group(1)]), pattern)
    return " ".join(text.split())


def generate(per_intent: int = 160, seed: int = 0) -> list[tuple[str, str]]:
    """(sentence, intent) pairs, deduplicated, deterministic for a seed."""
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    for intent in sorted(PATTERNS):
        seen: set[str] = set()
        patterns = PATTERNS[intent]
        want = per_intent * (3 if intent == "none" else 1)  # 'none' must cover much more ground
        for i in range(want * 4):
            if len(seen) >= want:
                break
            text = expand(patterns[i % len(patterns)], rng)
            if text and text not in seen:
                seen.add(text)
                out.append((text, intent))
    return out


def pattern_regexes() -> list[re.Pattern]:
    """Every template as a regex over space-free text: matches any sentence it could ever generate."""
    out = []
    for patterns in PATTERNS.values():
        for p in patterns:
            parts = _SLOT.split(p)  # literal, slot, literal, slot, ...
            rx = "".join(re.escape(x.replace(" ", "")) if i % 2 == 0 else
                         "(?:" + "|".join(re.escape(f.replace(" ", "")) for f in FILL[x]) + ")"
                         for i, x in enumerate(parts))
            out.append(re.compile(rx + r"\Z"))
    return out
