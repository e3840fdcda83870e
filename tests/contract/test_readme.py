"""The README's map of the code is true: every file it names (in the layout, in "Where each
behaviour lives", anywhere) exists."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("catalog", "donations", "notifications")


def test_every_file_the_readme_names_exists():
    readme = (ROOT / "README.md").read_text()
    named = set(re.findall(r"`((?:services|shared|tests|deploy|bench)/[\w/<>.-]+)`", readme))
    assert len(named) > 30  # the pattern still finds the README's paths
    missing = []
    for name in sorted(named):
        if re.search(r"<(?!svc>)", name):
            continue  # a pattern (`shared/events/<producer>.py`), not a file
        paths = [name.replace("<svc>", s) for s in SERVICES] if "<svc>" in name else [name]
        missing += [path for path in paths if not (ROOT / path.rstrip("/")).exists()]
    assert missing == []
