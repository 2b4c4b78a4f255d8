"""The core must stay usable without Qt: no module under hpgui/core may import it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "hpgui" / "core"
FORBIDDEN = ("PySide6", "shiboken6", "pyqtgraph", "superqt", "qtpy", "hpgui.gui")


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: resolve against hpgui.core
                base = ["hpgui", "core"][: max(0, 2 - (node.level - 1))]
                module = ".".join([*base, module]) if module else ".".join(base)
            found.append((node.lineno, module))
    return found


def test_no_core_module_imports_qt_in_its_source():
    offenders = []
    for path in sorted(CORE.rglob("*.py")):
        for line, module in _imports(path):
            if any(module == f or module.startswith(f + ".") for f in FORBIDDEN):
                offenders.append(f"{path.name}:{line} imports {module}")
    assert offenders == []


def test_importing_every_core_module_loads_no_qt():
    modules = [f"hpgui.core.{p.stem}" for p in sorted(CORE.glob("*.py")) if p.stem != "__init__"]
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + f"bad = [m for m in sys.modules if m.split('.')[0] in {[f for f in FORBIDDEN if '.' not in f]!r}"
        + " or m.startswith('hpgui.gui')]\n"
        + "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_checker_sees_a_forbidden_import(tmp_path):
    # Guard against the scan above silently matching nothing.
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom PySide6.QtCore import QObject\nfrom ..gui import window\n")
    modules = [m for _, m in _imports(sample)]
    assert "PySide6.QtCore" in modules
    assert "hpgui.gui" in modules


def _circle(package: str) -> list[str] | None:
    """One import circle among the package's modules, or None. Imports anywhere in a module count
    (inside functions too); imports under ``if TYPE_CHECKING:`` do not, as they never run."""
    import graphlib

    import grimp

    graph = grimp.build_graph(package, exclude_type_checking_imports=True, cache_dir=None)
    edges = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    try:
        graphlib.TopologicalSorter(edges).prepare()
    except graphlib.CycleError as exc:
        return list(reversed(exc.args[1]))  # graphlib lists each module before the one it imports
    return None


def test_no_import_circle_among_hpguis_modules():
    circle = _circle("hpgui")
    assert circle is None, "import circle (each imports the next): " + " -> ".join(circle)


def test_the_core_never_imports_the_gui_through_any_import():
    import grimp

    graph = grimp.build_graph("hpgui", cache_dir=None)
    offenders = [(m, i) for m in graph.modules if m.startswith("hpgui.core")
                 for i in graph.find_modules_directly_imported_by(m) if i.startswith("hpgui.gui")]
    assert offenders == []
    # ...nor by way of another module (hpgui.cli, say) that imports the gui.
    chains = graph.find_shortest_chains(importer="hpgui.core", imported="hpgui.gui", as_packages=True)
    assert not chains, chains


def test_the_circle_check_sees_a_circle_made_inside_a_function(tmp_path, monkeypatch):
    # Guard against the check above passing because it sees nothing.
    package = tmp_path / "circled"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def later():\n    from . import b\n    return b\n")
    (package / "b.py").write_text("from .a import later\n")
    (package / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import b\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    circle = _circle("circled")
    assert circle is not None and {"circled.a", "circled.b"} <= set(circle)
    assert "circled.c" not in circle
