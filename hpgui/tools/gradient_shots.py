"""Screenshots of a gradient-descent search: the window, the History chart and the Best parameters path.

    python -m hpgui.tools.gradient_shots [--out docs/images] [--width 1440 --height 900]

Opens the real window offscreen on scikit-learn's diabetes data, picks kernel ridge (two
hyperparameters, alpha and gamma), the gradient strategy, runs it until it converges and writes
gradient-window.png, gradient-history.png and gradient-best-parameters.png.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from hpgui.tools._offscreen import settle, show_window, start_app, wait


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/images")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--suffix", default="")
    args = parser.parse_args(argv)
    start_app()
    from sklearn.datasets import load_diabetes

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    csv = Path(tempfile.mkdtemp(prefix="hpgui-gradient-")) / "diabetes.csv"
    load_diabetes(as_frame=True).frame.to_csv(csv, index=False)
    window = show_window(args.width, args.height)
    window.open_csv(csv, target="target")
    wait(window.data_panel.datasetLoaded, 60_000)
    settle()
    panel = window.model_panel
    panel.model_combo.setCurrentIndex(panel.model_combo.findData("kernel_ridge"))
    search = window.search_panel
    search.strategy_combo.setCurrentIndex(search.strategy_combo.findData("gradient"))
    search.trials_box.setChecked(True)
    search.trials_spin.setValue(60)
    window.setup_tabs.setCurrentIndex(2)
    window.validate()
    if not window.start_search():
        print("could not start:", window.problems, file=sys.stderr)
        return 1
    window.chart_tabs.setCurrentWidget(window.history)
    wait(window.searchFinished, 600_000)
    settle(500)
    suffix = args.suffix
    window.grab().save(str(out / f"gradient-window{suffix}.png"))
    window.history.grab().save(str(out / f"gradient-history{suffix}.png"))
    window.chart_tabs.setCurrentWidget(window.best_chart)
    settle(500)
    window.best_chart.grab().save(str(out / f"gradient-best-parameters{suffix}.png"))
    window.close()
    print(f"wrote gradient-window{suffix}.png, gradient-history{suffix}.png, "
          f"gradient-best-parameters{suffix}.png to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
