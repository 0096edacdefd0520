"""The persistent world: state, terrain, physics, events, typed edits and share codes (no rendering here).

world.World ties it together: `step(held, dt)` (fixed 60 Hz steps), `apply(edit)` (the one door for changes),
`scene()` (what the renderer draws) and `state()`, and its services `things` (entities), `land` (ground, terrain,
places) and `conditions` (clock, weather, gravity). Modules: state (scalars, seeded randomness, hh:mm),
terrain/noise (generation), chunks (LRU + ring map + background streaming), sculpt (terrain edit shapes),
entities/characters (objects, villagers), things/land/conditions (the services), physics, weather, volcano/lava
(eruptions), edits (the schema table and validate), ops (the edit handlers), persist (share codes), bench_world
(timings).
"""
