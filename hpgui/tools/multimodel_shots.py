"""Screenshots of a several-model search: the Model tab and the leaderboard.

    python -m hpgui.tools.multimodel_shots [--out docs/images] [--trials 40]

Opens the real window offscreen on the penguins example, ticks several models,
runs a short search, and writes multi-model.png, leaderboard.png and
best-parameters-models.png (conditional hyperparameters named model.parameter).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hpgui.tools._offscreen import settle, show_window, start_app, wait

MODELS = ("logistic_regression", "random_forest", "svm", "knn")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/images")
    parser.add_argument("--trials", type=int, default=40)
    args = parser.parse_args(argv)
    start_app()
    from hpgui.gui.views.leaderboard import LeaderboardView

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    window = show_window()

    window.opener.open_example("penguins.csv", "species")
    wait(window.data_panel.datasetLoaded, 60_000)
    settle()
    window.model_panel.model_combo.setCurrentIndex(window.model_panel.model_combo.findData(MODELS[0]))
    for name in MODELS[1:]:
        window.model_panel.compare_list.boxes[name].setChecked(True)
    window.search_panel.trials_box.setChecked(True)
    window.search_panel.trials_spin.setValue(args.trials)
    window.setup_tabs.setCurrentIndex(1)
    window.model_panel.model_forms.setCurrentIndex(2)
    window.validate()
    if not window.start_search():
        print("could not start:", window.problems, file=sys.stderr)
        return 1
    board = next(v for v in window.analysis_views if isinstance(v, LeaderboardView))
    window.chart_tabs.setCurrentWidget(board)
    wait(window.searchFinished, 600_000)
    settle(500)
    window.grab().save(str(out / "multi-model.png"))
    board.grab().save(str(out / "leaderboard.png"))
    window.chart_tabs.setCurrentWidget(window.best_chart)  # its plots are made at this first draw
    settle(500)
    window.best_chart.grab().save(str(out / "best-parameters-models.png"))
    window.close()
    print(f"wrote multi-model.png, leaderboard.png and best-parameters-models.png to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
