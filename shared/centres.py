"""The network's service centres, as reference data shipped with the code.

`shared/data/centres.csv` (and its README on provenance) is copied from the
project brief; nothing reads the brief's folder at run time.
"""
from __future__ import annotations

import csv
import functools
from importlib import resources


@functools.cache
def reference_centres() -> dict[str, dict[str, str]]:
    text = resources.files("shared").joinpath("data/centres.csv").read_text(encoding="utf-8")
    return {row["code"]: row for row in csv.DictReader(text.splitlines())}


def is_known_centre(code: str) -> bool:
    return code in reference_centres()
