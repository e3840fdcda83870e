"""Who may import whom, read from the source (every module's syntax tree, nothing run):

- `shared/` imports nothing from `services/`: a service plugs in through entry points
  (pyproject.toml), its own texts and its own handler table;
- no service imports another: services talk only through events.

Imports inside functions count, and so do `importlib.import_module("services…")` and
`__import__("services…")` with a written name (an f-string's written part too)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from shared import config

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, dotted name) of everything a module imports, wherever in it."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolved against the module's own package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call) and node.args and _is_dynamic_import(node.func):
            written = _written_name(node.args[0])
            if written:
                found.append((node.lineno, written))
    return found


def _is_dynamic_import(func: ast.expr) -> bool:
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return name in ("import_module", "__import__")


def _written_name(arg: ast.expr) -> str | None:
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
        return str(arg.values[0].value)
    return None


def modules_under(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def offences(paths: list[Path], forbidden) -> list[str]:
    return [f"{path.relative_to(ROOT)}:{line} imports {name}"
            for path in paths for line, name in imported_modules(path) if forbidden(name)]


def test_shared_imports_no_service():
    assert offences(modules_under("shared"), lambda name: name == "services" or name.startswith("services")) == []


@pytest.mark.parametrize("service", config.SERVICES)
def test_a_service_imports_no_other_service(service):
    others = [s for s in config.SERVICES if s != service]
    assert offences(modules_under(f"services/{service}"),
                    lambda name: any(name == f"services.{o}" or name.startswith(f"services.{o}.") for o in others)) == []


def test_the_check_sees_every_kind_of_import(tmp_path):
    """A test that cannot fail is a defect: each kind of import is found."""
    (tmp_path / "shared").mkdir()
    (tmp_path / "services" / "catalog").mkdir(parents=True)
    sample = tmp_path / "shared" / "sample.py"
    sample.write_text("import services.catalog\nfrom services.donations import services as s\n"
                      "def f():\n    from services.notifications.models import Contact\n"
                      "    import importlib\n    importlib.import_module(f'services.{x}.tasks')\n"
                      "    __import__('services.x')\n")
    names = {name for _, name in imported_modules(sample, tmp_path)}
    assert {"services.catalog", "services.donations", "services.notifications.models",
            "services.", "services.x"} <= names
    relative = tmp_path / "services" / "catalog" / "sample.py"
    relative.write_text("from ..donations import services\n")
    assert "services.donations" in {name for _, name in imported_modules(relative, tmp_path)}
