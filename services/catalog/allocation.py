"""Where should each copy go? A pure, deterministic allocation of copies to centres.

A centre's need is its weighted visitor flow per book it already holds:

    need = priority weight × visitors a year / (books on the shelf + 1)

Copies are handed out one at a time, each to the centre that needs a book most, with two
rules on top: a full shelf takes nothing more, and a copy goes to a centre that does not have
its title yet whenever such a centre has room (so copies of one title spread across centres
before any centre gets a second). Every assignment says why, in a few words.

No Flask, no database: plain data in, plain data out; the same input gives the same output.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CentreState:
    code: str
    settlement: str
    oblast: str
    capacity: int
    stock: int = 0                      # books on the shelf now
    visitors_per_year: int | None = None  # None: unknown
    priority_weight: float = 1.0        # the oblast's weight (priority oblasts > 1)
    titles: frozenset[str] = frozenset()  # title keys already on the shelf


@dataclass(frozen=True)
class CopyToPlace:
    code: str
    title_key: str


@dataclass(frozen=True)
class Assignment:
    copy_code: str
    centre_code: str
    reasons: tuple[str, ...]  # keys; see `explain`
    settlement: str = field(default="", compare=False)


REASONS = {
    "neediest": ("найменше книжок на відвідувача серед центрів з місцем",
                 "the fewest books per visitor among centres with room"),
    "priority": ("пріоритетна область", "priority oblast"),
    "new_title": ("цієї книжки там ще немає", "this title is not there yet"),
    "all_have_title": ("ця книжка вже є всюди, де є місце", "every centre with room already has this title"),
    "visitors_unknown": ("кількість відвідувачів невідома, взято середню", "visitor numbers unknown, the average is used"),
    "staff": ("так вирішила логістика", "chosen by logistics"),  # a proposal edited by hand
}


def explain(assignment: Assignment, lang: str = "uk") -> str:
    index = 0 if lang == "uk" else 1
    words = ", ".join(REASONS[key][index] for key in assignment.reasons)
    return f"{assignment.settlement}: {words}" if assignment.settlement else words


def _average_visitors(centres: list[CentreState]) -> float:
    known = [c.visitors_per_year for c in centres if c.visitors_per_year]
    return sum(known) / len(known) if known else 1.0


def need_scores(centres: list[CentreState]) -> dict[str, float]:
    """Each centre's need now, as the next allocation sees it (0 for a full shelf)."""
    average_visitors = _average_visitors(centres)
    return {c.code: (max(c.priority_weight, 0.0) * (c.visitors_per_year or average_visitors)
                     / (max(c.stock, 0) + 1)) if c.capacity > c.stock else 0.0 for c in centres}


def allocate(copies: list[CopyToPlace], centres: list[CentreState]) -> list[Assignment]:
    """Assign as many copies as there is free shelf space for; returns them in copy order of
    processing (titles with most copies first). Copies that find no room are left out."""
    average_visitors = _average_visitors(centres)

    weight = {}
    stock = {}
    free = {}
    titles = {}
    by_code = {}
    for centre in sorted(centres, key=lambda c: c.code):
        if centre.code in by_code:
            raise ValueError(f"centre {centre.code} given twice")
        by_code[centre.code] = centre
        visitors = centre.visitors_per_year or average_visitors
        weight[centre.code] = max(centre.priority_weight, 0.0) * visitors
        stock[centre.code] = max(centre.stock, 0)
        free[centre.code] = max(centre.capacity - centre.stock, 0)
        titles[centre.code] = set(centre.titles)

    def need(code: str) -> float:
        return weight[code] / (stock[code] + 1)

    # Max-heap on need (ties: centre code); entries go stale when a centre's stock changes.
    version = {code: 0 for code in by_code}
    heap = [(-need(code), code, 0) for code in by_code if free[code] > 0]
    heapq.heapify(heap)
    centres_with_room = sum(1 for code in by_code if free[code] > 0)

    groups: dict[str, list[str]] = {}
    for copy in copies:
        groups.setdefault(copy.title_key, []).append(copy.code)
    order = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))

    assignments: list[Assignment] = []
    for title, codes in order:
        holders_with_room = sum(1 for code in by_code if free[code] > 0 and title in titles[code])
        for copy_code in sorted(codes):
            if centres_with_room == 0:
                return assignments
            want_new = centres_with_room > holders_with_room
            chosen, set_aside, top = None, [], None
            while heap:
                entry = heapq.heappop(heap)
                _, code, entry_version = entry
                if entry_version != version[code] or free[code] == 0:
                    continue  # stale, or full since
                if top is None:
                    top = code
                if want_new and title in titles[code]:
                    set_aside.append(entry)
                    continue
                chosen = code
                break
            for entry in set_aside:
                heapq.heappush(heap, entry)
            reasons = []
            if chosen == top:
                reasons.append("neediest")
            if by_code[chosen].priority_weight > 1:
                reasons.append("priority")
            reasons.append("new_title" if want_new else "all_have_title")
            if not by_code[chosen].visitors_per_year:
                reasons.append("visitors_unknown")
            assignments.append(Assignment(copy_code, chosen, tuple(reasons), by_code[chosen].settlement))

            had_title = title in titles[chosen]
            titles[chosen].add(title)
            stock[chosen] += 1
            free[chosen] -= 1
            version[chosen] += 1
            if free[chosen] > 0:
                heapq.heappush(heap, (-need(chosen), chosen, version[chosen]))
                if not had_title:
                    holders_with_room += 1
            else:
                centres_with_room -= 1
                if had_title:
                    holders_with_room -= 1
    return assignments
