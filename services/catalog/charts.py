"""Charts of the reports pages, drawn on the server as SVG: bars and lines by pygal, the equity
map from the oblast boundaries kept in shared/data/oblasts.geojson (public domain, Natural
Earth) through a small projection. Each chart goes on the page with its numbers as a table
(templates), so a screen reader, a phone and a printout all get the figures."""
from __future__ import annotations

import html
import json
import math
import re
from functools import lru_cache
from importlib import resources

import pygal
from markupsafe import Markup, escape
from pygal.style import Style

STYLE = Style(background="transparent", plot_background="transparent", foreground="#1a1a1a",
              foreground_strong="#1a1a1a", foreground_subtle="#777", font_family="system-ui, sans-serif",
              colors=("#0057b7", "#c0392b", "#f2a900", "#2e7d32", "#6a1b9a"),
              label_font_size=18, major_label_font_size=18, value_font_size=16, legend_font_size=19,
              title_font_size=21, tooltip_font_size=16, no_data_font_size=28)  # read on a phone, scaled down
_SCRIPT = re.compile(r"<script.*?</script>", re.S)


_STYLE_BLOCK = re.compile(r"<style[^>]*>(.*?)</style>", re.S)
_CHART_CSS: dict[str, None] = {}  # pygal's stylesheets (unprefixed: the same for every chart), in order


def chart_css() -> Markup:
    """The charts' stylesheet, for the page's own <style> (which carries the response's CSP
    nonce; a <style> inside an SVG would be refused)."""
    return Markup("\n".join(_CHART_CSS))


def _svg(chart: pygal.graph.graph.Graph, label: str) -> Markup:
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))  # no JavaScript: the figures are in the table
    for css in _STYLE_BLOCK.findall(svg):
        # Unprefixed, pygal leaves the chart's own rules with no selector; and the SVG's XML
        # escapes ">" — neither means anything in an HTML <style>.
        css = re.sub(r"(^|})\s*{", r"\1.pygal-chart{", html.unescape(css.strip()))
        _CHART_CSS.setdefault(css, None)
    svg = _STYLE_BLOCK.sub("", svg).replace(' style="opacity: 0"', "")
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return Markup(svg)


_drawn: dict[tuple, Markup] = {}
_DRAWN_MAX = 256


def _chart(kind, title: str, labels: list[str], series: list[tuple[str, list]], **options) -> Markup:
    """Drawing is the slow part of a page (tens of ms a chart): the same figures give the same
    picture, so a drawing is kept for as long as its figures do not change."""
    key = (kind.__name__, title, tuple(labels), tuple((name, tuple(values)) for name, values in series),
           tuple(sorted(options.items())))
    if key not in _drawn:
        if len(_drawn) >= _DRAWN_MAX:
            _drawn.clear()
        _drawn[key] = _draw(kind, title, labels, series, **options)
    return _drawn[key]


def _draw(kind, title: str, labels: list[str], series: list[tuple[str, list]], **options) -> Markup:
    settings = {"style": STYLE, "js": [], "no_prefix": True, "explicit_size": False, "disable_xml_declaration": True, "width": 640,
                "height": 340, "legend_at_bottom": True, "legend_at_bottom_columns": min(len(series), 4),
                "truncate_label": -1, "x_label_rotation": 30 if len(labels) > 6 else 0, "print_values": False}
    chart = kind(**{**settings, **options})
    chart.title = title
    chart.x_labels = labels
    for name, values in series:
        chart.add(name, values)
    return _svg(chart, title)


def bars(title: str, labels: list[str], series: list[tuple[str, list]], *, stacked: bool = False,
         horizontal: bool = False, **options) -> Markup:
    kind = (pygal.HorizontalStackedBar if stacked else pygal.HorizontalBar) if horizontal else (
        pygal.StackedBar if stacked else pygal.Bar)
    return _chart(kind, title, labels, series, **options)


def lines(title: str, labels: list[str], series: list[tuple[str, list]], **options) -> Markup:
    return _chart(pygal.Line, title, labels, series, **options)


# --- the map -----------------------------------------------------------------------------------

MAP_WIDTH = 640
PALETTE = ("#fde0c5", "#facba6", "#f59e72", "#e8603c", "#b3261e")  # few books per visitor → many
NO_DATA = "#d9d9d9"


@lru_cache(maxsize=1)
def oblast_shapes() -> dict[str, list[list[list[tuple[float, float]]]]]:
    """The oblasts' polygons, projected: equirectangular with the scale of the middle latitude
    (Ukraine spans 8° of latitude: the distortion is a few per cent), in SVG units."""
    text = resources.files("shared").joinpath("data/oblasts.geojson").read_text(encoding="utf-8")
    features = json.loads(text)["features"]
    points = [p for f in features for poly in _polygons(f["geometry"]) for ring in poly for p in ring]
    lon0, lon1 = min(p[0] for p in points), max(p[0] for p in points)
    lat0, lat1 = min(p[1] for p in points), max(p[1] for p in points)
    k = math.cos(math.radians((lat0 + lat1) / 2))
    scale = MAP_WIDTH / ((lon1 - lon0) * k)

    def project(lon, lat):
        return (round((lon - lon0) * k * scale, 1), round((lat1 - lat) * scale, 1))

    oblast_shapes.height = round((lat1 - lat0) * scale, 1)
    return {f["properties"]["oblast"]: [[[project(*p) for p in ring] for ring in poly]
                                       for poly in _polygons(f["geometry"])] for f in features}


def _polygons(geometry: dict) -> list:
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def _path(polygons) -> str:
    return " ".join("M" + " L".join(f"{x},{y}" for x, y in ring) + " Z" for poly in polygons for ring in poly)


def classes(values: list[float]) -> list[float]:
    """Upper bounds of up to five classes: quintiles of the oblasts that have a value, each
    bound once (many oblasts with the same figure make fewer classes)."""
    ordered = sorted(values)
    if not ordered:
        return []
    bounds = [ordered[min(len(ordered) - 1, math.ceil(len(ordered) * q / 5) - 1)] for q in range(1, 6)]
    return sorted(set(bounds))


def shades(count: int) -> list[str]:
    """As many colours as classes, spread over the palette: the top class is always the darkest."""
    if count <= 1:
        return [PALETTE[len(PALETTE) // 2]] * count
    return [PALETTE[round(i * (len(PALETTE) - 1) / (count - 1))] for i in range(count)]


def colour(value: float | None, bounds: list[float]) -> str:
    if value is None or not bounds:
        return NO_DATA
    for shade, bound in zip(shades(len(bounds)), bounds):
        if value <= bound:
            return shade
    return shades(len(bounds))[-1]


def oblast_map(values: dict[str, float | None], *, title: str, unit: str, no_data: str,
               names: dict[str, str] | None = None) -> Markup:
    key = ("map", tuple(sorted(values.items())), title, unit, no_data, tuple(sorted((names or {}).items())))
    if key not in _drawn:
        if len(_drawn) >= _DRAWN_MAX:
            _drawn.clear()
        _drawn[key] = _draw_map(values, title=title, unit=unit, no_data=no_data, names=names)
    return _drawn[key]


def _draw_map(values: dict[str, float | None], *, title: str, unit: str, no_data: str,
              names: dict[str, str] | None = None) -> Markup:
    """A choropleth of Ukraine's oblasts. `values` by oblast name (as in centres.csv); oblasts
    without a value are grey. Each oblast carries a <title> with its name and value."""
    shapes = oblast_shapes()
    bounds = classes([v for v in values.values() if v is not None])
    parts = []
    for oblast, polygons in shapes.items():
        value = values.get(oblast)
        label = (names or {}).get(oblast, oblast)
        tip = f"{label}: {value:g} {unit}" if value is not None else f"{label}: {no_data}"
        parts.append(f'<path d="{_path(polygons)}" fill="{colour(value, bounds)}" stroke="#fff" stroke-width="1"'
                     f' data-oblast="{escape(oblast)}"><title>{escape(tip)}</title></path>')
    # The legend below the map, three to a row, in letters a phone can read once scaled down.
    entries, low = [], None
    for shade, bound in zip(shades(len(bounds)), bounds):
        text = f"{bound:g}" if low is None and bound == 0 else (f"≤ {bound:g}" if low is None else f"{low:g}–{bound:g}")
        entries.append((shade, text))
        low = bound
    entries.append((NO_DATA, no_data))
    legend, top = [], oblast_shapes.height + 20
    for index, (fill, text) in enumerate(entries):
        x, y = 10 + (index % 3) * 215, top + (index // 3) * 38
        legend.append(f'<rect x="{x}" y="{y}" width="30" height="26" fill="{fill}" stroke="#999"/>'
                      f'<text x="{x + 38}" y="{y + 21}" font-size="22">{escape(text)}</text>')
    height = top + ((len(entries) + 2) // 3) * 38 + 4
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {MAP_WIDTH} {height}" role="img"'
                  f' aria-label="{escape(title)}" class="oblast-map" font-family="system-ui, sans-serif">'
                  f'<title>{escape(title)}</title>{"".join(parts)}{"".join(legend)}</svg>')
