"""Example world prompts: the contact sheet renders them (assets/contact_sheet.png) and the page offers them."""

# (prompt, what the tile should show at a glance); the first few are the page's suggestions.
WORLD_PROMPTS = (
    ("golden dunes as far as the eye can see", "sand, no grass"),
    ("snowy mountains at sunset with a frozen lake", "white peaks, low sun"),
    ("a tropical island at noon", "open water round a beach"),
    ("the surface of the moon", "grey ground, black starry sky"),
    ("an alien planet with a purple sky", "purple sky, odd colours"),
    ("a neon cyberpunk city at night", "lit buildings"),
    ("a volcanic wasteland with rivers of lava", "dark ash, glowing lava"),
    ("an autumn forest in the afternoon", "orange and red canopies"),
    ("the badlands of Utah", "red rock mesas"),
    ("a frozen tundra under a pale sky", "flat white land"),
    ("a steaming jungle", "dense green"),
    ("a misty swamp at dawn", "dark water, dead trees"),
    ("an african savanna at golden hour", "dry grass, few trees"),
    ("open plains under a big sky", "flat grassland"),
    ("rolling green hills", "today's meadow"),
    ("a snowy volcanic island at sunset", "snow on an island, a volcano"),
    ("an underwater coral reef", "turquoise sea"),
    ("a frostbitten wasteland", "cold and bare"),
    ("jungle mountains", "green peaks"),
    ("an oasis in the desert at dusk", "palms by sand"),
    ("a pink sea under a green sky", "recoloured sea and sky"),
    ("red rock canyons at dawn", "canyon walls"),
    ("a moonlit glacier", "ice at night"),
    ("a ghost town in the wild west", "ruins, dead trees"),
    ("cherry blossom hills in spring", "spring meadow"),
    ("craters on an alien world with two moons", "alien craters"),
)
PAGE_EXAMPLES = tuple(p for p, _ in WORLD_PROMPTS[:8])
