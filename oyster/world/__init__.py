"""The persistent world: state, terrain, physics, events, typed edits and share codes (no rendering here).

world.World ties it together: `step(held, dt)` (fixed 60 Hz steps), `apply(edit)` (the one door for changes),
`scene()` (what the renderer draws) and `state()`. Modules: state (scalars and seeded randomness), terrain/noise
(generation), chunks (LRU + ring map + background streaming), sculpt (terrain edit shapes), entities/characters
(objects, villagers), physics, weather, volcano/lava (eruptions), edits/ops (validate/apply/undo), persist (share
codes), bench_world (timings).
"""
