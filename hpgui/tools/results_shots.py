"""Screenshots of the Results tab (classification, regression, clustering) and of the HTML report.

    python -m hpgui.tools.results_shots [--out docs/images] [--no-report]

Runs a short search of each kind in the real window offscreen (a scratch data folder),
shows the Results tab once the best trial's results are computed, and grabs its pages
(results-*.png). Then it exports the classification study's report and has headless
Chromium render it (report.png), as a reader's browser would.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from hpgui.tools._offscreen import settle, show_window, start_app, wait

STUDIES = {
    "classification": {"file": "breast_cancer.csv", "target": "diagnosis", "task": "classification",
                       "model": "logistic_regression", "metric": "roc_auc",
                       "space": {"C": {"type": "float", "low": 0.001, "high": 100, "log": True}},
                       "pages": {"Confusion matrix": "confusion", "ROC": "roc", "Threshold": "threshold",
                                 "Permutation importance": "permutation"}},
    "regression": {"file": "diabetes.csv", "target": "progression", "task": "regression",
                   "model": "random_forest", "metric": "rmse",
                   "space": {"n_estimators": {"type": "int", "low": 20, "high": 80},
                             "max_depth": {"type": "int", "low": 2, "high": 8}},
                   "pages": {"Predicted vs actual": "predicted", "Residuals": "residuals",
                             "Error by decile": "deciles"}},
    "clustering": {"file": "iris.csv", "target": None, "task": "clustering", "model": "kmeans",
                   "metric": "silhouette", "space": {"n_clusters": {"type": "int", "low": 2, "high": 5}},
                   "pages": {"Silhouette": "silhouette", "Cluster sizes": "sizes"}},
}


def setup_for(kind: str, folder: Path):
    from importlib.resources import files

    from hpgui.core.setup import SearchSetup

    spec = STUDIES[kind]
    csv = folder / spec["file"]
    shutil.copy(str(files("hpgui.resources.examples") / spec["file"]), csv)
    data = {"path": str(csv), "target": spec["target"], "task": spec["task"]}
    if spec["task"] == "clustering":
        data["features"] = ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"]
    return SearchSetup.from_json({
        "format": "hpgui-setup/1", "data": data, "model": spec["model"], "space": spec["space"],
        "strategy": {"name": "tpe", "seed": 1},
        "evaluation": {"folds": 5, "test_fraction": None if spec["task"] == "clustering" else 0.25},
        "metric": spec["metric"], "budget": {"trials": 12}})


def results_of(window):
    from hpgui.gui.views import ResultsView

    return next(v for v in window.analysis_views if isinstance(v, ResultsView))


def run_study(window, kind: str, folder: Path) -> bool:
    setup = setup_for(kind, folder)
    window.opener.load_setup_into_forms(setup)
    wait(window.data_panel.datasetLoaded, 60_000)
    settle()
    if not window.start_search(setup=setup):
        print(f"{kind}: could not start: {window.problems}", file=sys.stderr)
        return False
    wait(window.searchFinished, 600_000)
    view = results_of(window)
    window.chart_tabs.setCurrentWidget(view)
    window.table.clearSelection()
    if view.shown is None or view.shown.trial != window.store.best.number or not view.shown.complete:
        wait(view.resultsComplete, 600_000)
    settle(600)
    return view.shown is not None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/images", help="folder for the PNG files (default: %(default)s)")
    parser.add_argument("--no-report", action="store_true", help="skip the report and its Chromium rendering")
    args = parser.parse_args(argv)
    start_app()
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="hpgui-results-"))
    window = show_window(1700, 1000)
    report = None
    for kind in STUDIES:
        if not run_study(window, kind, folder):
            print(f"{kind}: no results", file=sys.stderr)
            return 1
        view = results_of(window)
        window.main_splitter.setSizes([380, 1320])
        window.right_splitter.setSizes([760, 240])
        settle()
        window.grab().save(str(out / f"results-{kind}-window.png"))
        for title, slug in STUDIES[kind]["pages"].items():
            index = next(i for i in range(view.pages.count()) if view.pages.tabText(i) == title)
            view.pages.setCurrentIndex(index)
            if slug == "confusion":
                page = view.page("confusion")
                page.list_cell("cv", 1, 0)  # a cell's rows, as a click lists them
            settle(400)
            window.chart_tabs.grab().save(str(out / f"results-{kind}-{slug}.png"))
        if kind == "classification" and not args.no_report:
            # The honest estimate first, so the report shows it beside the optimistic score.
            estimate = view.estimate
            view.pages.setCurrentWidget(estimate)
            estimate.folds_spin.setValue(3)
            estimate.trials_spin.setValue(6)
            estimate.start()
            wait(estimate.finished, 600_000)
            settle(300)
            window.chart_tabs.grab().save(str(out / f"results-{kind}-estimate.png"))
            report = folder / "report.html"
            window.report_export.export(report)
            wait(window.exportFinished, 600_000)
    window.close()
    if report is not None and report.exists():
        from hpgui.tools.browser import screenshot

        screenshot(report, out / "report.png", width=1280, height=5200)
    print(f"wrote the Results screenshots to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
