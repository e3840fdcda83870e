"""Pure pieces of the reports: percentiles, notice outcomes, Kyiv weeks and months, the map's
classes and projection, the needs ranking."""
from __future__ import annotations

from datetime import datetime, timezone

from services.catalog import charts
from services.catalog.allocation import CentreState, need_scores
from services.catalog.report_pages import duration
from services.catalog.services.figures import percentile
from services.catalog.services.reports import _outcome, kyiv_month, kyiv_week


def test_nearest_rank_percentiles():
    assert percentile([], 50) is None
    assert percentile([7], 90) == 7
    values = list(range(1, 11))  # 1..10
    assert (percentile(values, 50), percentile(values, 90)) == (5, 9)
    assert percentile([1, 2, 3, 4], 50) == 2 and percentile([1, 2, 3, 4], 90) == 4


def test_a_notice_is_told_directly_after_a_fall_back_or_not_at_all():
    assert _outcome([]) is None
    assert _outcome(["sent"]) == "direct"
    assert _outcome(["failed", "sent"]) == _outcome(["sent", "failed"]) == "fell_back"
    assert _outcome(["failed", "failed"]) == "not_reached"


def test_months_and_weeks_are_kyivs():
    late_sunday_utc = datetime(2026, 11, 29, 22, 30, tzinfo=timezone.utc)  # Monday 00:30 in Kyiv
    assert kyiv_week(late_sunday_utc) == "2026-11-30"
    assert kyiv_month(datetime(2026, 10, 31, 22, 30, tzinfo=timezone.utc)) == "2026-11"


def test_durations_read_like_people_say_them():
    assert duration(None, "uk") == "—"
    assert duration(42, "en") == "42 s"
    assert duration(3 * 3600 + 5 * 60, "uk") == "3 год 5 хв"
    assert duration(2 * 86400 + 7200, "en") == "2 d 2 h"


def test_the_map_has_every_oblast_inside_its_frame_and_five_classes():
    shapes = charts.oblast_shapes()
    assert len(shapes) == 27 and {"Донецька", "Луганська", "АР Крим", "м. Київ"} <= set(shapes)
    xs = [x for polys in shapes.values() for poly in polys for ring in poly for x, _ in ring]
    assert min(xs) >= 0 and max(xs) <= charts.MAP_WIDTH
    bounds = charts.classes([0.1, 0.2, 0.3, 0.4, 0.5])
    assert bounds == [0.1, 0.2, 0.3, 0.4, 0.5]
    assert charts.classes([0, 0, 0, 0, 0, 0, 0.04]) == [0, 0.04]  # one bound once
    assert charts.colour(0.04, [0, 0.04]) == charts.PALETTE[-1] and charts.colour(0, [0, 0.04]) == charts.PALETTE[0]
    assert charts.colour(None, bounds) == charts.NO_DATA and charts.colour(0.05, bounds) == charts.PALETTE[0]
    svg = charts.oblast_map({"Донецька": 0.5}, title="t", unit="u", no_data="—")
    assert svg.count("<path") == 27 and svg.count(f'fill="{charts.NO_DATA}" stroke="#fff"') == 26
    assert 'data-oblast="Донецька"><title>Донецька: 0.5 u</title>' in svg


def test_need_is_the_allocators_and_a_full_shelf_needs_nothing():
    centres = [CentreState("A", "a", "Донецька", capacity=10, stock=0, visitors_per_year=1000, priority_weight=1.5),
               CentreState("B", "b", "Львівська", capacity=10, stock=4, visitors_per_year=1000),
               CentreState("C", "c", "Львівська", capacity=4, stock=4, visitors_per_year=5000)]
    assert need_scores(centres) == {"A": 1500.0, "B": 200.0, "C": 0.0}
