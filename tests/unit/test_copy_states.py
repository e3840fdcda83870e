"""The copy table in services/catalog/domain.py: consistent with itself, and what the README shows."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from services.catalog import domain
from shared.events import event_types

ROOT = Path(__file__).resolve().parents[2]
CENTRES = ("A", "B")


def places(status: str):
    """Every (centre, destination) a copy in `status` may have, over two centres."""
    for centre, destination in itertools.product((None, *CENTRES), repeat=2):
        if domain.place_agrees(status, centre, destination):
            yield centre, destination


def test_the_readme_shows_the_table():
    readme = (ROOT / "README.md").read_text()
    assert domain.readme_section() in readme, (
        "README.md's copy states differ from services/catalog/domain.py: paste the output of "
        "`python -m services.catalog.domain` between the copy-state markers")


def test_every_state_is_reached_and_every_row_names_known_states_and_events():
    targets = {rule.target for rule in domain.TRANSITIONS.values()}
    assert targets == set(domain.STATES)
    steps = [rule.step for rule in domain.TRANSITIONS.values()]
    assert len(steps) == len(set(steps)), "a journey step names one change"
    for rule in domain.TRANSITIONS.values():
        assert set(rule.sources) <= set(domain.STATES) | {domain.NEW}, rule.action
        assert rule.event is None or rule.event in event_types(), rule.action
        assert rule.place in domain.PLACE_WORDS and rule.at in domain.AT_WORDS


@pytest.mark.parametrize("action", sorted(domain.TRANSITIONS))
def test_every_allowed_change_leaves_the_copy_where_its_state_says(action):
    rule = domain.TRANSITIONS[action]
    for status in rule.sources:
        for (centre, destination), here, given in itertools.product(
                [(None, None)] if status is domain.NEW else list(places(status)),
                (None, *CENTRES), CENTRES):
            try:
                domain.transition(action, status, here=here, centre=centre, destination=destination)
            except domain.TransitionNotAllowed:
                continue
            after = domain.place_after(rule, centre, destination, here=here, given=given)
            assert domain.place_agrees(rule.target, *after), (action, status, centre, destination, here)


def test_a_change_the_table_does_not_have_is_refused():
    with pytest.raises(domain.TransitionNotAllowed):
        domain.transition("shelve", "in_transit", here="A", centre=None, destination="A")
    with pytest.raises(domain.TransitionNotAllowed):  # a copy is received only where it is meant to go
        domain.transition("receive", "in_transit", here="B", centre=None, destination="A")
    with pytest.raises(domain.TransitionNotAllowed):
        domain.transition("fly", "shelved", here="A", centre="A", destination="A")
