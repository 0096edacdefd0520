"""Example world prompts: the contact sheet renders them (assets/contact_sheet.png) and the page offers them."""

# (prompt, what the tile should show at a glance); the first few are the page's suggestions.
WORLD_PROMPTS = (
    ("golden dunes as far as the eye can see", "sand, no grass"),
    ("snowy mountains with a frozen lake", "white peaks, ice"),
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
    ("a snowy volcanic island", "snow on an island, a volcano"),
    ("an underwater coral reef", "turquoise sea"),
    ("jungle mountains", "green peaks"),
    ("an oasis in the desert", "palms by sand"),
    ("a pink sea under a green sky", "recoloured sea and sky"),
    ("red rock canyons at golden hour", "canyon walls"),
    ("a snowy pine forest", "white ground, pines"),
    ("a ghost town in the wild west", "ruins, dead trees"),
    ("a world of crystals under two moons", "crystals, alien sky"),
)
PAGE_EXAMPLES = tuple(p for p, _ in WORLD_PROMPTS[:8])
