"""Dream learned only today's world: on any other world recipe its view says so instead of dreaming grassland."""
from __future__ import annotations

from oyster.world.recipe import from_doc

TRAINED_ON_DEFAULT = ("Dream was trained on the default grassland world only, so it cannot dream this {style} world "
                      "yet. The game on the left is unaffected.")


def off_recipe_note(state: dict | None) -> str | None:
    """The sentence to show instead of a dream when the visitor's world is not the default recipe; else None."""
    summary = (state or {}).get("recipe")
    if not isinstance(summary, dict):
        return None            # a world without a recipe is today's world
    doc = summary.get("doc", summary)      # Session.state(): {"name", "style", "doc": the recipe document}
    try:
        recipe = from_doc(doc)
    except ValueError:
        return TRAINED_ON_DEFAULT.format(style="other")
    return None if recipe.is_default else TRAINED_ON_DEFAULT.format(style=recipe.terrain.style)
