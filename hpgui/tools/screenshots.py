"""Write screenshots of the main views to docs/images/.

    python -m hpgui.tools.screenshots [--out docs/images] [--trials 40]

Opens the real window offscreen, loads the penguins example, runs a short
search, and grabs the window and each view (view-*.png) as it stands at the end.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hpgui.tools._offscreen import settle, show_window, start_app, wait


VIEW_FILES = {"SlicesView": "slices", "ParallelView": "parallel", "ContourView": "contour",
              "ImportanceView": "importance", "OverfitView": "overfit", "FoldsView": "folds",
              "TimelineView": "timeline"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/images", help="folder for the PNG files (default: %(default)s)")
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--model", default="gradient_boosting")
    args = parser.parse_args(argv)
    start_app()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    window = show_window()

    settle()
    window.grab().save(str(out / "start-page.png"))  # what a first run shows

    window.opener.open_example("penguins.csv", "species")
    wait(window.data_panel.datasetLoaded, 60_000)
    settle()
    window.grab().save(str(out / "data.png"))

    index = window.model_panel.model_combo.findData(args.model)
    window.model_panel.model_combo.setCurrentIndex(index)
    window.setup_tabs.setCurrentIndex(1)
    settle()
    window.grab().save(str(out / "model.png"))

    window.search_panel.trials_box.setChecked(True)
    window.search_panel.trials_spin.setValue(args.trials)
    window.setup_tabs.setCurrentIndex(2)
    window.validate()
    settle()
    window.grab().save(str(out / "search.png"))

    if not window.start_search():
        print("could not start:", window.problems, file=sys.stderr)
        return 1
    wait(window.searchFinished, 600_000)
    settle(500)
    window.setup_tabs.setCurrentIndex(1)
    window.chart_tabs.setCurrentIndex(0)
    settle()
    window.grab().save(str(out / "main-window.png"))
    window.chart_tabs.setCurrentIndex(1)
    settle()
    window.grab().save(str(out / "best-parameters.png"))
    window.chart_tabs.currentWidget().grab().save(str(out / "best-parameters-chart.png"))
    window.chart_tabs.setCurrentIndex(0)
    window.history.grab().save(str(out / "history-chart.png"))
    window.resize(2100, 900)  # the views get about 1,000 pixels, as a maximised window gives them
    settle()
    for view in window.analysis_views:
        slug = VIEW_FILES.get(type(view).__name__)
        if slug is None:
            continue  # the leaderboard and Compare need several models or studies (other tools)
        window.chart_tabs.setCurrentWidget(view)
        settle(1500)  # Importance computes on a worker thread
        window.chart_tabs.grab().save(str(out / f"view-{slug}.png"))
    # The whole window at the two sizes the layout is checked at (a laptop and a desktop screen).
    window.chart_tabs.setCurrentIndex(0)
    for width, height in ((1366, 768), (1600, 1000)):
        window.resize(width, height)
        settle(600)
        window.grab().save(str(out / f"window-{width}x{height}.png"))
    window.setup_tabs.setCurrentIndex(0)
    settle(400)
    window.grab().save(str(out / "window-1600x1000-data.png"))
    window.close()
    print(f"wrote screenshots to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
