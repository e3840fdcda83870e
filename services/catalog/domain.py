"""Pure rules of catalog: the life of a copy and what a scan at a centre means.

One table (`TRANSITIONS`) says how a copy may change: from which states, into which state and
place, with which line of its journey and which event. `services.move_copies` is the only
code that changes a copy, and it follows this table. The README's copy table is generated from
it (`python -m services.catalog.domain` prints it).

No Flask, no SQLAlchemy here.
"""
from __future__ import annotations

from dataclasses import dataclass

from shared import errors

# Where a copy is, by its `centre_code` (None: not at any centre) and `destination_code`.
HUB = "hub"            # at the hub, meant for no centre yet: no centre, no destination
BOUND = "bound"        # meant for a centre and not there: packed at the hub, on the road, or lost on it
HERE = "here"          # at the centre it is meant for: centre = destination
ASTRAY = "astray"      # at a centre it is not meant for (or, from the hub, meant for none)

# Each state and where a copy in that state is.
STATES: dict[str, str] = {
    "catalogued": HUB,
    "withdrawn": HUB,
    "allocated": BOUND,
    "in_transit": BOUND,
    "missing": BOUND,
    "misrouted": ASTRAY,
    "received": HERE,
    "shelved": HERE,
    "taken": HERE,  # with a reader; `centre_code` is the centre it was taken from
}
ON_SHELF = ("received", "shelved")
ON_THE_WAY = ("allocated", "in_transit")

NEW = None  # the "state" of a copy that does not exist yet

# Where a change puts the copy. `AT_HUB`: no centre, no destination. `ON_ROAD`: no centre,
# destination given by the change (allocation) or kept. `AT_CENTRE`: at the centre where the
# change happens, which becomes its destination. `PASSING`: at the centre where the change
# happens, destination kept. `KEPT`: place unchanged.
AT_HUB, ON_ROAD, AT_CENTRE, PASSING, KEPT = "at_hub", "on_road", "at_centre", "passing", "kept"

# How a change's event names the copy: one event per copy (`copy_code`), or the batch's one
# event (an allocation, a shipment) listing every copy it moved in this field.
PER_COPY = "copy_code"


# Where a change happens, seen from the copy: not at a centre (the hub's and the road's changes),
# at the centre it is meant for, at a centre it is not meant for, at the centre where it is, or
# at another one.
NOWHERE, ITS_CENTRE, NOT_ITS_CENTRE, WHERE_IT_IS, ANOTHER_CENTRE = (
    "nowhere", "its_centre", "not_its_centre", "where_it_is", "another_centre")


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str | None, ...]  # the states it starts from
    at: str                          # where it happens (NOWHERE, ITS_CENTRE, …)
    target: str                      # the state it leads to
    place: str                       # where it puts the copy (AT_HUB, ON_ROAD, …)
    step: str                        # the line of the copy's journey it writes (copy_steps.kind)
    event: str | None                # the event it writes (None: nobody is told)
    when: str                        # what makes it happen, for people
    names_copy: str = PER_COPY       # or the field of the batch's one event that lists the copies

    @property
    def batch(self) -> bool:
        return self.names_copy != PER_COPY


TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    Transition("catalogue", sources=(NEW,), at=NOWHERE, target="catalogued", place=AT_HUB,
               step="catalogued", event="catalog.copy_catalogued", when="intake at the hub"),
    Transition("withdraw", sources=("catalogued",), at=NOWHERE, target="withdrawn", place=AT_HUB,
               step="withdrawn", event="catalog.copy_withdrawn", when="intake: damaged, it goes to no shelf"),
    Transition("allocate", sources=("catalogued",), at=NOWHERE, target="allocated", place=ON_ROAD,
               step="allocated", event="catalog.copies_allocated", names_copy="copy_codes",
               when="logistics accept an allocation (one shipment per centre)"),
    Transition("dispatch", sources=("allocated",), at=NOWHERE, target="in_transit", place=ON_ROAD,
               step="dispatched", event="catalog.shipment_dispatched", names_copy="copy_codes",
               when="its shipment is dispatched"),
    Transition("receive", sources=("allocated", "in_transit", "missing", "misrouted"), at=ITS_CENTRE,
               target="received", place=AT_CENTRE, step="received", event="catalog.copy_arrived", when="a scan"),
    Transition("misroute", sources=("catalogued", "allocated", "in_transit", "missing", "misrouted"),
               at=NOT_ITS_CENTRE, target="misrouted", place=PASSING, step="misrouted",
               event="catalog.copy_misrouted", when="a scan"),
    Transition("keep", sources=("misrouted",), at=WHERE_IT_IS, target="received", place=AT_CENTRE,
               step="kept", event="catalog.copy_arrived", when="staff decide to keep it"),
    # Nobody hears of these two yet: a new event type needs a line in the subscription table.
    Transition("send_on", sources=("misrouted",), at=WHERE_IT_IS, target="in_transit", place=ON_ROAD,
               step="sent_on", event="catalog.copy_sent_on", when="staff decide to send it on to its centre"),
    Transition("send_back", sources=("misrouted",), at=WHERE_IT_IS, target="catalogued", place=AT_HUB,
               step="sent_back", event="catalog.copy_sent_on",
               when="staff decide to send it on; it was meant for no centre, so back to the hub"),
    Transition("lose", sources=("allocated", "in_transit"), at=NOWHERE, target="missing", place=ON_ROAD,
               step="missing", event="catalog.shipment_closed", names_copy="missing",
               when="its shipment is closed without it"),
    Transition("shelve", sources=("received",), at=WHERE_IT_IS, target="shelved", place=KEPT,
               step="shelved", event="catalog.copy_shelved",
               when="a shelve or count scan, or any scan at a centre that shelves on arrival"),
    Transition("take", sources=ON_SHELF, at=WHERE_IT_IS, target="taken", place=KEPT,
               step="taken", event="catalog.copy_taken", when="a shelf count is closed without seeing it"),
    Transition("move", sources=("received", "shelved", "taken"), at=ANOTHER_CENTRE, target="received",
               place=AT_CENTRE, step="moved", event="catalog.copy_moved", when="a scan (a reader carried it there)"),
    Transition("return", sources=("taken",), at=WHERE_IT_IS, target="received", place=KEPT,
               step="returned", event="catalog.copy_moved", when="a scan (a reader brought it back)"),
)}


class TransitionNotAllowed(errors.Conflict):
    """A change the table does not allow, refused before anything changes."""

    def __init__(self, status: str | None, action: str):
        super().__init__("catalog.transition", status=status or "—")
        self.status = status
        self.action = action

    def __str__(self) -> str:
        return f"a copy {self.status or 'not yet made'} cannot {self.action}"


def happens_at(at: str, here: str | None, centre: str | None, destination: str | None) -> bool:
    """Whether a change that happens `at` may happen at centre `here` to a copy at `centre`
    meant for `destination`."""
    if at == NOWHERE:
        return here is None
    if here is None:
        return False
    if at == ITS_CENTRE:
        return destination == here
    if at == NOT_ITS_CENTRE:
        return destination != here
    if at == WHERE_IT_IS:
        return centre == here
    return centre != here  # ANOTHER_CENTRE


def transition(action: str, status: str | None, *, here: str | None = None, centre: str | None = None,
               destination: str | None = None) -> Transition:
    """The change `action` of a copy in `status` at `centre` meant for `destination`, happening
    at centre `here` (None: at the hub or on the road), if the table allows it."""
    rule = TRANSITIONS.get(action)
    if rule is None or status not in rule.sources or not happens_at(rule.at, here, centre, destination):
        raise TransitionNotAllowed(status, action)
    return rule


def place_after(rule: Transition, centre: str | None, destination: str | None, *,
                here: str | None, given: str | None = None) -> tuple[str | None, str | None]:
    """(centre, destination) of a copy after `rule`, happening at centre `here`."""
    if rule.place == AT_HUB:
        return None, None
    if rule.place == ON_ROAD:
        return None, given or destination
    if rule.place == AT_CENTRE:
        return here, here
    if rule.place == PASSING:
        return here, destination
    return centre, destination


def place_agrees(status: str, centre: str | None, destination: str | None) -> bool:
    """A copy is in one place, and that place is what its state says."""
    where = STATES.get(status)
    if where == HUB:
        return centre is None and destination is None
    if where == BOUND:
        return centre is None and destination is not None
    if where == HERE:
        return centre is not None and destination == centre
    if where == ASTRAY:
        return centre is not None and destination != centre
    return False


# What a scan at a centre means ------------------------------------------------------------

SCAN_MODES = ("arrival", "shelve", "inventory")
SCAN_RESULTS = ("received", "already_received", "misrouted", "unknown", "shelved", "already_shelved",
                "counted")


@dataclass(frozen=True)
class CopyPlace:
    status: str
    centre_code: str | None
    destination_code: str | None


@dataclass(frozen=True)
class ScanPlan:
    actions: tuple[str, ...]  # the changes, in order (each a row of TRANSITIONS)
    result: str               # the one word the client switches on
    message: str              # the key of the sentence for people


def plan_scan(copy: CopyPlace | None, here: str, mode: str, auto_shelve: bool) -> ScanPlan:
    """What scanning `copy` at centre `here` in `mode` changes, and how the scan answers."""
    if copy is None:
        return ScanPlan((), "unknown", "scan.unknown")
    if copy.status == "withdrawn":
        return ScanPlan((), "unknown", "scan.withdrawn")
    misrouted_here = copy.status == "misrouted" and copy.centre_code == here
    # Whatever happened on the way (a closed shipment listed it missing, it turned up at the
    # wrong centre first), a copy scanned where it is meant to go has arrived.
    on_the_way_here = (copy.status in ("allocated", "in_transit", "missing", "misrouted")
                       and copy.destination_code == here)
    on_the_way_elsewhere = (copy.status in ("catalogued", "allocated", "in_transit", "missing", "misrouted")
                            and not on_the_way_here)
    if misrouted_here:
        return ScanPlan((), "misrouted", _misrouted_message(copy.destination_code))
    if on_the_way_elsewhere:
        return ScanPlan(("misroute",), "misrouted", _misrouted_message(copy.destination_code))

    actions: list[str] = []
    message = None
    if on_the_way_here:
        actions.append("receive")
        message = "scan.received"
    elif copy.status == "taken" and copy.centre_code == here:
        actions.append("return")
        message = "scan.returned"
    elif copy.centre_code != here:
        actions.append("move")  # a reader brought it here: it lives here now
        message = "scan.moved"
    status = "received" if actions else copy.status

    if mode == "inventory":
        if status == "received":
            actions.append("shelve")
        return ScanPlan(tuple(actions), "counted", "scan.counted")
    if status == "received" and (mode == "shelve" or auto_shelve):
        actions.append("shelve")
        if message is None:
            return ScanPlan(tuple(actions), "shelved", "scan.shelved")
        return ScanPlan(tuple(actions), "received" if mode == "arrival" else "shelved",
                        "scan.received_shelved" if message == "scan.received" else message)
    if message is not None:
        return ScanPlan(tuple(actions), "received", message)
    if mode == "shelve":
        return ScanPlan((), "already_shelved", "scan.already_shelved")
    return ScanPlan((), "already_received", "scan.already_received")


def _misrouted_message(destination: str | None) -> str:
    return "scan.misrouted" if destination else "scan.misrouted_hub"


DECISIONS = ("keep", "send_on")  # staff's choice on a misrouted copy


def plan_decision(decision: str, destination: str | None, auto_shelve: bool) -> tuple[str, ...]:
    """The changes of staff's decision on a misrouted copy: keep it (and shelve it, where
    copies are shelved on arrival), or send it on (to its centre, or back to the hub)."""
    if decision == "keep":
        return ("keep", "shelve") if auto_shelve else ("keep",)
    return ("send_on",) if destination else ("send_back",)


# What an oblast may ask for ---------------------------------------------------------------

MAX_WISHES = 6  # kinds of books on one oblast's wish list (the kinds: texts.WISH_KINDS)


# The README's copy diagram and table ------------------------------------------------------

PLACE_WORDS = {AT_HUB: "the hub", ON_ROAD: "bound for its centre", AT_CENTRE: "this centre, now its own",
               PASSING: "this centre, not its own", KEPT: "unchanged"}
AT_WORDS = {NOWHERE: "—", ITS_CENTRE: "the centre it is meant for", NOT_ITS_CENTRE: "a centre it is not meant for",
            WHERE_IT_IS: "the centre where it is", ANOTHER_CENTRE: "another centre than where it is"}


def readme_section() -> str:
    """The diagram and the table as the README shows them (a test keeps the two the same)."""
    diagram = ["```mermaid", "stateDiagram-v2"]
    for rule in TRANSITIONS.values():
        for source in rule.sources:
            diagram.append(f"    {'[*]' if source is NEW else source} --> {rule.target}: {rule.action}")
    diagram.append("```")
    table = ["| change | from | at | to | where it is then | journey step | event | when |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for rule in TRANSITIONS.values():
        sources = ", ".join("(new)" if s is NEW else f"`{s}`" for s in rule.sources)
        if rule.event is None:
            event = "—"
        elif rule.batch:
            event = f"`{rule.event.split('.', 1)[1]}` (one per batch, listing its copies in `{rule.names_copy}`)"
        else:
            event = f"`{rule.event.split('.', 1)[1]}`"
        table.append(f"| `{rule.action}` | {sources} | {AT_WORDS[rule.at]} | `{rule.target}` | {PLACE_WORDS[rule.place]} "
                     f"| `{rule.step}` | {event} | {rule.when} |")
    return "\n".join([*diagram, "", *table]) + "\n"


if __name__ == "__main__":
    print(readme_section(), end="")
