"""The Runner's contract with a session (serve/hosted.py): the shipped Session and the tests' fake both keep it."""
import inspect

from test_serve import FakeSession

from oyster import Session
from oyster.serve.hosted import HostedSession, SessionFactory


def test_session_and_the_fake_keep_the_runners_contract():
    with Session(seed=1, width=32, height=18) as s:
        assert isinstance(s, HostedSession)
        assert (s.width, s.height) == (32, 18)
    assert isinstance(FakeSession(), HostedSession)
    for factory in (Session, FakeSession):     # a factory is the class: new worlds and share codes
        for method, target in (("__call__", factory.__init__), ("from_share_code", factory.from_share_code)):
            want = set(inspect.signature(getattr(SessionFactory, method)).parameters) - {"self"}
            assert want <= set(inspect.signature(target).parameters), (factory, method)


def test_step_takes_look_everywhere_the_runner_calls_it():
    for cls in (Session, FakeSession):
        assert "look" in inspect.signature(cls.step).parameters
