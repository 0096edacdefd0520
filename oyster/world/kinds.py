"""Names shared by the world and the renderer: entity kinds, character actions, particle kinds.

The renderer's numba kernels see kinds and actions as small integers; the index in these tuples is that integer.
"""

# Static objects first, characters last. Order is part of the share-code format: append, never reorder.
KINDS = ("tree", "pine", "rock", "house", "cactus", "campfire", "villager", "animal",
         "palm", "dead_tree", "crystal", "ruin", "building")
CHARACTER_KINDS = ("villager", "animal")
ACTIONS = ("idle", "walk", "wave", "dance", "sit", "jump", "follow")
DRAWN_AS = {"sleep": "sit", "flee": "walk"}   # commanded actions the renderer draws with one of the poses above
PARTICLES = ("lava_bomb", "smoke", "ember", "ash")   # ash: the dark eruption plume
WEATHER_KINDS = ("clear", "rain", "snow", "fog", "storm")

KIND_ID = {k: i for i, k in enumerate(KINDS)}
ACTION_ID = {a: i for i, a in enumerate(ACTIONS)}
PARTICLE_ID = {p: i for i, p in enumerate(PARTICLES)}
