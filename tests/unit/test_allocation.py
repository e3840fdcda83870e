"""Allocation rules, as properties over many generated networks (hypothesis)."""
from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from services.catalog.allocation import Assignment, CentreState, CopyToPlace, allocate, explain

TITLES = [f"t{i}" for i in range(8)]


@st.composite
def networks(draw):
    count = draw(st.integers(1, 8))
    centres = []
    for i in range(count):
        capacity = draw(st.integers(0, 12))
        centres.append(CentreState(
            code=f"{i:04d}", settlement=f"місто {i}", oblast=draw(st.sampled_from(["Донецька", "Львівська"])),
            capacity=capacity, stock=draw(st.integers(0, capacity)),
            visitors_per_year=draw(st.one_of(st.none(), st.integers(1000, 60000))),
            priority_weight=draw(st.sampled_from([1.0, 1.5, 2.0])),
            titles=frozenset(draw(st.lists(st.sampled_from(TITLES), max_size=3)))))
    copies = [CopyToPlace(f"C{n:05d}", draw(st.sampled_from(TITLES)))
              for n in range(draw(st.integers(0, 40)))]
    return copies, centres


def holdings(copies, centres, assignments):
    title_of = {c.code: c.title_key for c in copies}
    held = {c.code: Counter(c.titles) for c in centres}
    for a in assignments:
        held[a.centre_code][title_of[a.copy_code]] += 1
    return held


@settings(max_examples=300, deadline=None)
@given(networks())
def test_never_over_capacity_and_assigns_all_it_can(network):
    copies, centres = network
    assignments = allocate(copies, centres)
    per_centre = Counter(a.centre_code for a in assignments)
    for centre in centres:
        assert centre.stock + per_centre[centre.code] <= centre.capacity
    free = sum(max(c.capacity - c.stock, 0) for c in centres)
    assert len(assignments) == min(len(copies), free)
    assert len({a.copy_code for a in assignments}) == len(assignments)


@settings(max_examples=200, deadline=None)
@given(networks())
def test_same_input_same_output(network):
    copies, centres = network
    assert allocate(copies, centres) == allocate(list(reversed(copies)), list(reversed(centres)))


@settings(max_examples=300, deadline=None)
@given(networks(), st.data())
def test_raising_a_centres_priority_never_lowers_its_share(network, data):
    copies, centres = network
    index = data.draw(st.integers(0, len(centres) - 1))
    raised = list(centres)
    raised[index] = CentreState(**{**centres[index].__dict__,
                                   "priority_weight": centres[index].priority_weight * 2})
    code = centres[index].code
    before = sum(1 for a in allocate(copies, centres) if a.centre_code == code)
    after = sum(1 for a in allocate(copies, raised) if a.centre_code == code)
    assert after >= before


@settings(max_examples=300, deadline=None)
@given(networks())
def test_no_duplicate_title_while_a_centre_with_room_lacks_it(network):
    copies, centres = network
    assignments = allocate(copies, centres)
    held = holdings(copies, centres, assignments)
    given_to = Counter(a.centre_code for a in assignments)
    room_left = {c.code: c.capacity - c.stock - given_to[c.code] for c in centres}
    title_of = {c.code: c.title_key for c in copies}
    for a in assignments:
        title = title_of[a.copy_code]
        if held[a.centre_code][title] > 1:  # this centre ended up with the title twice
            lacking_with_room = [code for code, room in room_left.items() if room > 0 and held[code][title] == 0]
            assert lacking_with_room == [], (a, title)


def test_the_neediest_centre_comes_first_and_says_why():
    centres = [
        CentreState("1441", "Краматорськ", "Донецька", capacity=50, stock=2, visitors_per_year=30000,
                    priority_weight=1.5),
        CentreState("4641", "Львів", "Львівська", capacity=50, stock=40, visitors_per_year=60000),
    ]
    first = allocate([CopyToPlace("A", "kobzar")], centres)[0]
    assert first.centre_code == "1441"
    assert explain(first) == ("Краматорськ: найменше книжок на відвідувача серед центрів з місцем, "
                              "пріоритетна область, цієї книжки там ще немає")
    assert explain(first, "en").startswith("Краматорськ: the fewest books per visitor")


def test_copies_of_one_title_spread_before_any_centre_gets_a_second():
    centres = [CentreState(f"00{i}", f"c{i}", "x", capacity=10, visitors_per_year=1000 * (i + 1)) for i in range(3)]
    assignments = allocate([CopyToPlace(f"K{i}", "kobzar") for i in range(4)], centres)
    assert sorted(a.centre_code for a in assignments[:3]) == ["000", "001", "002"]
    assert assignments[3].reasons[-1] == "all_have_title"


def test_unknown_visitor_numbers_use_the_average_and_say_so():
    centres = [CentreState("0001", "a", "x", capacity=5, visitors_per_year=None),
               CentreState("0002", "b", "x", capacity=5, stock=4, visitors_per_year=10000)]
    assignment = allocate([CopyToPlace("A", "t")], centres)[0]
    assert assignment.centre_code == "0001" and "visitors_unknown" in assignment.reasons
    assert isinstance(assignment, Assignment)
