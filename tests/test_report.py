"""The HTML report: self-contained, escaped, written headless, and opened by a real browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from hpgui.core.report.html import CHARTS, SECTIONS
from hpgui.tools import browser
from tests_support import EXAMPLES


def _setup_file(tmp_path, name="penguins.csv", target="species", test_fraction=0.25, trials=6):
    csv = tmp_path / name
    shutil.copy(EXAMPLES / name, csv)
    setup = {"format": "hpgui-setup/1", "data": {"path": str(csv), "target": target, "task": "classification"},
             "model": "decision_tree",
             "space": {"max_depth": {"type": "int", "low": 1, "high": 6}},
             "strategy": {"name": "random", "seed": 4}, "evaluation": {"folds": 3, "test_fraction": test_fraction},
             "metric": "accuracy", "budget": {"trials": trials}}
    path = tmp_path / "setup.json"
    path.write_text(json.dumps(setup))
    return path


def _hpgui(*args, cwd):
    return subprocess.run([sys.executable, "-m", "hpgui.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A study run by `hpgui run --report`, then reported again by `hpgui report --study`."""
    tmp_path = tmp_path_factory.mktemp("report")
    import os

    env_before = os.environ.get("HPGUI_DATA_DIR")
    os.environ["HPGUI_DATA_DIR"] = str(tmp_path / "data")
    try:
        setup = _setup_file(tmp_path)
        run = _hpgui("run", str(setup), "--study", "pen", "--out", str(tmp_path / "out"), "--quiet",
                     "--report", str(tmp_path / "run-report.html"), cwd=tmp_path)
        report = _hpgui("report", "--study", "pen", "--out", str(tmp_path / "again.html"), "--nested", "2",
                        "--nested-trials", "2", "--quiet", cwd=tmp_path)
    finally:
        if env_before is None:
            os.environ.pop("HPGUI_DATA_DIR", None)
        else:
            os.environ["HPGUI_DATA_DIR"] = env_before
    return tmp_path, run, report


def test_hpgui_run_report_writes_one_self_contained_file(written):
    tmp_path, run, _ = written
    assert run.returncode == 0, run.stderr
    assert "wrote the report" in run.stdout
    assert "Traceback" not in run.stderr and "propagateSizeHints" not in run.stderr
    html = (tmp_path / "run-report.html").read_text(encoding="utf-8")
    for key in SECTIONS:
        assert f'<section id="{key}">' in html
    # Nothing is fetched: no script, no stylesheet link, no remote image; charts are embedded PNGs.
    assert "<script" not in html and "<link" not in html
    assert not re.search(r'(src|href)="(?!data:|#)', html)
    images = re.findall(r'src="data:image/png;base64,', html)
    charts = [k for k, _ in CHARTS["classification"] if k != "threshold"]  # three species: no threshold
    # Each result chart for the CV rows and the test rows, the permutation pair and the history; six
    # trials are too few for hyperparameter importance, and the report says so instead of a chart.
    assert len(images) == 2 * len(charts) + 2 + 1
    assert "importance needs at least 10 completed trials" in html
    assert "Test set (held out)" in html and "Cross-validation (out-of-fold)" in html
    assert "Adelie" in html and "Chinstrap" in html  # the class labels in the per-class tables


def test_hpgui_report_rebuilds_the_report_of_a_stored_study_with_nested_cv(written):
    tmp_path, _, report = written
    assert report.returncode == 0, report.stderr
    html = (tmp_path / "again.html").read_text(encoding="utf-8")
    assert "Expected Accuracy of a model tuned this way" in html
    assert html.count("<td class=\"n\">") > 20


def test_the_report_opens_in_headless_chromium_with_every_section(written):
    tmp_path, _, report = written
    assert report.returncode == 0, report.stderr
    assert browser.find() is not None, "Chromium is expected here (.ci/run installs Debian's chromium)"
    page = tmp_path / "again.html"
    dom = browser.dom(page)
    for key, title in SECTIONS.items():
        assert f'id="{key}"' in dom and title in dom, key
    assert dom.count("<img") >= 10
    png = browser.screenshot(page, tmp_path / "shot.png", width=1200, height=1800)
    from PySide6.QtGui import QImage

    image = QImage(str(png))
    assert (image.width(), image.height()) == (1200, 1800)
    # A page that rendered has text and charts: many distinct colours, not a blank or an error page.
    colours = {image.pixel(x, y) for x in range(0, 1200, 7) for y in range(0, 1800, 7)}
    assert len(colours) > 40


def test_names_labels_and_values_are_escaped(tmp_path):
    import pandas as pd

    from hpgui.core.runner import Search
    from hpgui.core.report import gather, render
    from hpgui.core.diagnostics import diagnose
    from hpgui.core.setup import SearchSetup

    evil = '<img src=x onerror="alert(1)">'
    frame = pd.read_csv(EXAMPLES / "iris.csv")
    frame = frame.rename(columns={"sepal_length_cm": evil})
    frame["species"] = frame["species"].replace({"setosa": "<b>setosa</b>&"})
    csv = tmp_path / "evil.csv"
    frame.to_csv(csv, index=False)
    setup = SearchSetup.from_json({
        "format": "hpgui-setup/1", "data": {"path": str(csv), "target": "species", "task": "classification"},
        "model": "decision_tree", "space": {"max_depth": {"type": "int", "low": 1, "high": 4}},
        "strategy": {"name": "random", "seed": 1}, "evaluation": {"folds": 3}, "metric": "accuracy",
        "budget": {"trials": 3}})
    search = Search(setup, storage=str(tmp_path / "e.journal"), study_name="<script>x</script>")
    records = search.run().trials
    best = search.best_of(records)
    content = gather(search, records, diagnostics=diagnose(search, best.params, trial=best.number, repeats=2))
    html = render(content, {})
    assert evil not in html and "<b>setosa</b>" not in html and "<script>" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "&lt;b&gt;setosa&lt;/b&gt;&amp;" in html


def test_bad_report_commands_give_a_message_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("HPGUI_DATA_DIR", str(tmp_path / "data"))
    missing = _hpgui("report", "--study", "nope", cwd=tmp_path)
    assert missing.returncode == 2
    assert "there is no study named 'nope'" in missing.stderr and "Traceback" not in missing.stderr
    bad = _hpgui("report", "--study", "x", "--nested", "1", cwd=tmp_path)
    assert bad.returncode == 2 and "--nested must be at least 2" in bad.stderr
    # A study whose data file has gone: said so, with what to do.
    setup = _setup_file(tmp_path, trials=2)
    assert _hpgui("run", str(setup), "--study", "gone", "--quiet", "--out", str(tmp_path / "o"),
                  cwd=tmp_path).returncode == 0
    (tmp_path / "penguins.csv").unlink()
    gone = _hpgui("report", "--study", "gone", cwd=tmp_path)
    assert gone.returncode == 2 and "does not exist" in gone.stderr and "Traceback" not in gone.stderr


def test_a_two_class_report_gives_the_matrix_at_the_models_threshold_and_at_the_best_f1(tmp_path):
    from hpgui.core.diagnostics import diagnose
    from hpgui.core.report import gather, render
    from hpgui.core.runner import Search
    from hpgui.core.setup import SearchSetup

    csv = tmp_path / "bc.csv"
    shutil.copy(EXAMPLES / "breast_cancer.csv", csv)
    setup = SearchSetup.from_json({
        "format": "hpgui-setup/1", "data": {"path": str(csv), "target": "diagnosis", "task": "classification"},
        "model": "logistic_regression", "space": {"C": {"type": "float", "low": 0.1, "high": 1, "log": True}},
        "strategy": {"name": "random", "seed": 1}, "evaluation": {"folds": 3}, "metric": "accuracy",
        "budget": {"trials": 2}})
    search = Search(setup, storage=str(tmp_path / "t.journal"), study_name="t")
    records = search.run().trials
    best = search.best_of(records)
    diagnostics = diagnose(search, best.params, trial=best.number, importance=False)
    html = render(gather(search, records, diagnostics=diagnostics), {})
    matrix = diagnostics.part("cv").classification.matrix
    table = html[html.index("Decision threshold on the probability of malignant"):]
    own = table[table.index("the model&#x27;s own (0.5)"):table.index("</tr>", table.index("the model&#x27;s own"))]
    cells = re.findall(r'<td class="n">([^<]*)</td>', own)
    assert [int(v) for v in cells[:4]] == [matrix[0, 0], matrix[0, 1], matrix[1, 0], matrix[1, 1]]
    assert "best F1 on the CV rows" in table
