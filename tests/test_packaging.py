"""The wheel a user installs holds every module, the example datasets and the icons, and finds them.

Building a wheel takes a few seconds (setuptools in an isolated environment), so this runs with the
suite: it is the test that catches a new subpackage or resource folder missing from pyproject.toml,
which an editable install hides. The bundle's own check is packaging/smoke_test.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests_support import ROOT

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Build from a copy: setuptools writes build/ and *.egg-info next to the sources.
    source = out / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis", "out"))
    done = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(source)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    (path,) = out.glob("hpgui-*.whl")
    return path


def test_the_wheel_holds_every_module_and_resource_of_the_source(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "hpgui").rglob("*.py")}
    assert modules - names == set(), "modules missing from the wheel (add their package to pyproject.toml)"
    resources = {"hpgui/resources/" + p.relative_to(ROOT / "resources").as_posix()
                 for p in (ROOT / "resources").rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert resources - names == set(), "resources missing from the wheel (pyproject.toml package-data)"
    for size in ICON_SIZES:
        assert f"hpgui/resources/icons/hpgui-{size}.png" in names
    for example in ("iris.csv", "wine.csv", "breast_cancer.csv", "diabetes.csv", "penguins.csv",
                    "penguins-setup.json"):
        assert f"hpgui/resources/examples/{example}" in names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "hpgui = hpgui.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_the_installed_wheel_finds_its_resources_without_the_checkout(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile",
                    "--target", str(target), str(wheel)], check=True, capture_output=True, timeout=300)
    # -S: no site-packages, so neither an editable install nor the checkout can answer for the wheel.
    probe = ("import json, sys; sys.path.insert(0, sys.argv[1]); from importlib.resources import files; "
             "root = files('hpgui.resources'); "
             "print(json.dumps({'file': __import__('hpgui').__file__, "
             "'examples': sorted(p.name for p in (root / 'examples').iterdir() if p.name.endswith('.csv')), "
             "'icons': sorted(p.name for p in (root / 'icons').iterdir() if p.name.endswith('.png')), "
             "'setup': json.loads((root / 'examples' / 'penguins-setup.json').read_text())['model']}))")
    done = subprocess.run([sys.executable, "-S", "-c", probe, str(target)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert Path(found["file"]).is_relative_to(target)
    assert found["examples"] == ["breast_cancer.csv", "diabetes.csv", "iris.csv", "penguins.csv", "wine.csv"]
    assert found["icons"] == sorted(f"hpgui-{size}.png" for size in ICON_SIZES)
    assert found["setup"] == "random_forest"
