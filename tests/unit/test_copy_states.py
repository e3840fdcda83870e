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


def every_copy():
    """Every copy a scan can meet, over two centres (and a scan of no copy)."""
    yield None
    for status in domain.STATES:
        for centre, destination in places(status):
            yield domain.CopyPlace(status, centre, destination)


@pytest.mark.parametrize("mode", domain.SCAN_MODES)
def test_a_scan_makes_only_changes_the_table_allows_and_its_word_says_what_changed(mode):
    for copy, here, auto_shelve in itertools.product(every_copy(), CENTRES, (False, True)):
        plan = domain.plan_scan(copy, here, mode, auto_shelve)
        case = (copy, here, mode, auto_shelve, plan)
        assert plan.result in domain.SCAN_RESULTS, case
        place = copy
        for action in plan.actions:
            rule = domain.transition(action, place.status, here=here, centre=place.centre_code,
                                     destination=place.destination_code)  # raises if not allowed
            place = domain.CopyPlace(rule.target, *domain.place_after(
                rule, place.centre_code, place.destination_code, here=here))
        if copy is None or copy.status == "withdrawn":
            assert plan.result == "unknown" and not plan.actions, case
            continue
        if copy.destination_code == here:  # meant for this centre: received, whatever happened before
            assert place.status in domain.ON_SHELF and place.centre_code == here, case
        if plan.result == "misrouted":
            assert place.status == "misrouted" and place.centre_code == here and plan.actions in ((), ("misroute",))
        elif plan.result in ("received", "shelved", "counted"):
            assert place.centre_code == here and place.status in domain.ON_SHELF, case
            arrived = bool(plan.actions) and plan.actions[0] in ("receive", "move", "return")
            assert (plan.result == "received") == (mode == "arrival" and arrived), case
            assert (plan.result == "shelved") == (mode == "shelve" or (mode == "arrival" and not arrived)), case
            assert (place.status == "shelved") == (mode != "arrival" or auto_shelve), case
        else:
            assert plan.result.startswith("already_") and not plan.actions, case
        if mode == "arrival" and not auto_shelve:
            assert "shelve" not in plan.actions, case


def test_every_decision_on_a_misrouted_copy_is_a_path_the_table_allows():
    for (centre, destination), decision, auto_shelve in itertools.product(
            places("misrouted"), ("keep", "send_on"), (False, True)):
        place = domain.CopyPlace("misrouted", centre, destination)
        for action in domain.plan_decision(decision, destination, auto_shelve):
            rule = domain.transition(action, place.status, here=centre, centre=place.centre_code,
                                     destination=place.destination_code)
            place = domain.CopyPlace(rule.target, *domain.place_after(
                rule, place.centre_code, place.destination_code, here=centre))
        if decision == "keep":
            assert (place.status, place.centre_code) == ("shelved" if auto_shelve else "received", centre)
        else:
            assert place.centre_code is None and place.destination_code == destination
