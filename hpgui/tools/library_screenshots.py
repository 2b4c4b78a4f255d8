"""Write screenshots of the study library and the Compare view to docs/images/.

    python -m hpgui.tools.library_screenshots [--out docs/images] [--trials 30]

Runs grid, random and TPE searches of one model on the penguins example (in a
scratch data folder), adds a study made outside hpgui and a damaged file, then
grabs File → Studies…, the comparison of the three searches, and the window
watching one of them. HPGUI_SHOTS_ALL=1 also writes the comparison by elapsed
time (view-compare-time.png), for checking rather than for the docs.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from hpgui.tools._offscreen import settle, show_window, start_app, wait


def make_studies(trials: int) -> None:
    import optuna

    from hpgui.core.library import _open
    from hpgui.core.runner import Search
    from hpgui.core.setup import SearchSetup
    from hpgui.core.storage import journal_path, studies_dir
    from hpgui.gui.main_window import example_path

    space = {"max_depth": {"type": "int", "values": [2, 3, 4, 5, 6, 8]},
             "min_samples_leaf": {"type": "int", "values": [1, 2, 4, 8, 16]}}
    for strategy in ("grid", "random", "tpe"):
        setup = SearchSetup.from_json({
            "format": "hpgui-setup/1",
            "data": {"path": str(example_path("penguins.csv")), "target": "species", "task": "classification"},
            "model": "decision_tree", "space": space, "strategy": {"name": strategy, "seed": 4},
            "evaluation": {"folds": 5}, "metric": "balanced_accuracy", "budget": {"trials": trials}})
        Search(setup, study_name=f"penguins-tree-{strategy}").run()
    foreign = _open(None, path=journal_path("optuna-quadratic"))
    study = optuna.create_study(study_name="optuna-quadratic", storage=foreign)
    study.optimize(lambda t: (t.suggest_float("x", -3, 3) - 1) ** 2, n_trials=12)
    (studies_dir() / "half-copied.journal").write_bytes(b"{\"op_code\": 0, \"worker_id\"")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/images", help="folder for the PNG files (default: %(default)s)")
    parser.add_argument("--trials", type=int, default=30)
    args = parser.parse_args(argv)
    start_app()
    make_studies(args.trials)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    window = show_window()

    window.open_library()
    dialog = window.library
    wait(dialog.listed, 60_000)
    dialog.select("penguins-tree-random")
    settle(400)
    dialog.grab().save(str(out / "studies-dialog.png"))

    dialog.select("penguins-tree-grid", "penguins-tree-random", "penguins-tree-tpe")
    view = window.compare_view()
    dialog.compare_selected()
    wait(view.loaded, 60_000)
    window.main_splitter.setSizes([380, 1060])
    settle(400)
    window.chart_tabs.grab().save(str(out / "view-compare.png"))
    if os.environ.get("HPGUI_SHOTS_ALL"):
        view.chart.set_x_mode("time")
        settle(400)
        window.chart_tabs.grab().save(str(out / "view-compare-time.png"))
        view.chart.set_x_mode("trials")

    view.clear_studies()
    window.chart_tabs.setCurrentIndex(0)
    window.main_splitter.setSizes([560, 880])
    window.studies.watch(None, "penguins-tree-tpe")
    wait(window.studies.shown, 60_000)
    wait(window.data_panel.datasetLoaded, 60_000)
    settle(1500)
    window.grab().save(str(out / "window-watching.png"))
    window.studies.stop_watching()
    window.close()
    print(f"wrote studies-dialog.png, view-compare.png and window-watching.png to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
