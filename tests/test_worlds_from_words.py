"""Worlds from words, end to end: the three doors (new-world prompt, trailer plan, Direct mode) make the same world
from the same words; a Direct-mode world change and its undo; a prompt world's share code; what was not understood."""
import numpy as np
import pytest

from oyster import Session
from oyster.trailer import plan_world
from oyster.world.recipe import DEFAULT

W, H = 96, 54


@pytest.mark.parametrize("prompt", ["golden dunes as far as the eye can see", "an alien planet with a purple sky",
                                    "snowy mountains at sunset with a frozen lake", "jungle mountains"])
def test_the_three_doors_make_the_same_world(prompt):
    plan = plan_world(prompt, seed=3)
    with Session(seed=3, prompt=prompt, width=W, height=H) as opened:
        by_prompt = opened.world.recipe
        clock = opened.state()["clock"]["hour"]
    with Session(seed=3, width=W, height=H) as played:
        r = played.command("turn this into " + prompt)
        assert r.edits[0]["op"] == "recipe", r.reply
        by_direct = played.world.recipe
    assert not by_prompt.is_default
    assert by_prompt.key() == plan.recipe().key() == by_direct.key()
    if plan.hour is not None:
        assert abs(clock - plan.hour) < 0.05


def test_direct_mode_world_change_and_its_undo():
    with Session(seed=5, width=W, height=H) as s:
        before = s.world.recipe
        r = s.command("make it look like autumn")
        assert [e["op"] for e in r.edits] == ["recipe"] and "autumn" in r.reply
        assert s.world.recipe.ground.season == "autumn"
        s.step(set(), 0.25)
        r = s.command("make the sky green")
        assert s.world.recipe.sky.day_color == (64, 176, 64) and "green" in r.reply
        s.command("undo")
        assert s.world.recipe.sky.day_color is None and s.world.recipe.ground.season == "autumn"
        s.command("undo")
        assert s.world.recipe.key() == before.key()
        r = s.command("add palm trees")
        assert s.world.recipe.flora.palm > 0 and "palm" in r.reply.lower()
        r = s.command("make it rain")                      # other commands are untouched by the world words
        assert [e["op"] for e in r.edits] == ["weather"]


def test_a_prompt_world_reopens_from_its_share_code():
    with Session(seed=11, prompt="a neon cyberpunk city at night", width=W, height=H) as s:
        s.step({"forward"}, 0.25)
        code = s.share_code()
        twin = Session.from_share_code(code, width=W, height=H)
        try:
            assert twin.world.recipe.key() == s.world.recipe.key() and not twin.world.recipe.is_default
            assert np.array_equal(twin.frame(), s.frame())
        finally:
            twin.close()


def test_the_prompt_reply_says_what_was_made_and_what_was_not_understood():
    with Session(seed=2, prompt="a frostbitten wasteland full of marmalade", width=W, height=H) as s:
        assert s.world.recipe.terrain.style in s.prompt_reply
        assert "Not understood: 'marmalade'" in s.prompt_reply
    with Session(seed=2, prompt="plant three trees", width=W, height=H) as s:   # a command, as before
        assert s.world.recipe.key() == DEFAULT.key() and "tree" in s.prompt_reply.lower()


@pytest.mark.slow
def test_dream_says_it_learned_only_the_default_world():
    from types import SimpleNamespace

    from oyster.app.dream_tab import DreamViews
    from oyster.neural.hub import load_dream
    from oyster.neural.recipe_note import off_recipe_note
    from oyster.serve import Runner, ServeConfig
    dream, info = load_dream()
    assert dream is not None, info
    runner = Runner(ServeConfig.from_env(width=160, height=90, max_players=2, fps=15.0))
    request = SimpleNamespace(session_hash="dune-dreamer")

    def web_id(req):     # the page's request -> world id (the page issues secrets; any stable map does here)
        return "web-" + req.session_hash
    sid = web_id(request)
    try:
        runner.open(sid, seed=4, prompt="golden dunes as far as the eye can see")
        views = DreamViews(SimpleNamespace(runner=runner, session_id=web_id), dream)
        assert views.toggle(request) == "Stop dreaming"
        shown = list(views.stream(request))
        assert len(shown) == 1 and "trained on the default" in shown[0] and "sand dunes" in shown[0]
        assert "data:image" not in shown[0]
    finally:
        runner.shutdown()
    with Session(seed=4, width=W, height=H) as s:
        assert off_recipe_note(s.state()) is None              # today's world: Dream dreams as before
        s.command("turn this into a desert")
        assert "trained on the default" in off_recipe_note(s.state())


@pytest.mark.slow
@pytest.mark.parametrize("prompt, style", [("golden dunes as far as the eye can see", "sand dunes"),
                                           ("the surface of the moon", "cratered moon")])
def test_trailers_film_the_prompt_world_without_murky_frames(prompt, style, tmp_path):
    import av

    from oyster.trailer import render_trailer
    plan = plan_world(prompt)
    r = render_trailer(plan, 2.0, str(tmp_path / "t.mp4"), 160, 90)
    assert plan.recipe().terrain.style == style and "not something a trailer can show" not in plan.summary()
    frames = [f.to_ndarray(format="rgb24").astype(np.float64) for f in av.open(r.video_path).decode(video=0)]
    assert len(frames) == 60
    for f in frames:
        assert 25 < f.mean() < 235 and f.std() > 20, "a murky frame"     # lit, with contrast
    last = frames[-1]
    if style == "cratered moon":
        assert last[:10].mean() < 40                                   # a black sky above grey ground
        assert abs(last[-20:, :, 0] - last[-20:, :, 2]).mean() < 12
    else:
        assert (last[-30:, :, 0] - last[-30:, :, 2]).mean() > 40         # sand, not grass


def test_hud_names_the_style():
    from oyster.app.views import hud_html
    from oyster.serve.visitor import hud_fields
    with Session(seed=6, prompt="the surface of the moon", width=W, height=H) as s:
        html = hud_html(hud_fields(s.state()))
    assert "cratered moon" in html


def test_the_page_log_says_what_the_prompt_made():
    from oyster.serve import Runner, ServeConfig
    runner = Runner(ServeConfig.from_env(width=W, height=H, max_players=1))
    try:
        runner.open("web-words", seed=3, prompt="the badlands of Utah with marmalade")
        said = " ".join(text for who, text in runner.log("web-words") if who == "world")
        assert "red rock canyons" in said and "Not understood: 'marmalade'" in said
    finally:
        runner.shutdown()
