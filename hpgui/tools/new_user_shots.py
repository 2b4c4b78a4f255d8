"""The window as a new user meets it (issue 13), photographed on a real screen -> docs/images/newuser-*.png.

Run under an X server with a window manager, once per screen size, e.g.::

    Xvfb :5 -screen 0 1366x768x24 & DISPLAY=:5 openbox &
    DISPLAY=:5 QT_QPA_PLATFORM=xcb python -m hpgui.tools.new_user_shots --size 1366x768

The window is maximised by the window manager, and each picture is the whole screen (frame, title
bar and all), so it shows what fits. The workflows: the start page; a file whose last column is an
ID (the target default, a leak hint, date parts); a survey search beside its baseline; a long
search with its running trial; two models compared; the window at its narrowest.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "images"


def _datasets(folder: Path) -> dict[str, Path]:
    import pandas as pd

    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    n = 236
    answer = np.array(["no"] * 189 + ["yes"] * 47)
    rng.shuffle(answer)
    survey = pd.DataFrame({"age": rng.integers(18, 80, n), "income_band": rng.choice(list("ABCDE"), n),
                           "hours_online": rng.normal(20, 6, n).round(1), "answer": answer})
    n = 2400
    dead = rng.random(n) < 0.3
    records = pd.DataFrame({
        "age": rng.normal(62, 12, n).round(), "heart_rate": rng.normal(85, 14, n).round(),
        "severity_code": np.where(dead, "S4", rng.choice(["S1", "S2", "S3"], n)),
        "outcome": np.where(dead, "dead", "alive"),
        "admitted": pd.date_range("2019-01-01", periods=n, freq="7h").strftime("%Y-%m-%d %H:%M"),
        "patient_id": [f"P{i // 2:06d}" for i in range(n)],
    })
    n = 20000
    slow = pd.DataFrame({f"x{i}": rng.normal(size=n) for i in range(20)})
    slow["y"] = (slow["x0"] + slow["x1"] * slow["x2"] > 0).map({True: "up", False: "down"})
    paths = {"survey": folder / "survey.csv", "records": folder / "icu-records.csv", "slow": folder / "sensors.csv"}
    survey.to_csv(paths["survey"], index=False)
    records.to_csv(paths["records"], index=False)
    slow.to_csv(paths["slow"], index=False)
    return paths


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1600x1000", help="the screen's size, as WIDTHxHEIGHT (for the names)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if os.environ.get("QT_QPA_PLATFORM", "xcb") != "xcb" or not os.environ.get("DISPLAY"):
        print("run under an X server with a window manager (DISPLAY set, QT_QPA_PLATFORM=xcb)", file=sys.stderr)
        return 2
    from ._offscreen import settle, start_app, wait

    app = start_app()
    from hpgui.gui.main_window import MainWindow

    scratch = Path(os.environ["HPGUI_DATA_DIR"]).parent
    data = _datasets(scratch / "files")
    args.out.mkdir(parents=True, exist_ok=True)
    window = MainWindow()
    window.confirm = lambda title, text: True
    window.showMaximized()
    settle(1500)

    def shot(name: str) -> None:
        settle(600)
        path = args.out / f"newuser-{name}-{args.size}.png"
        app.primaryScreen().grabWindow(0).save(str(path))
        print(path)

    def load(path: Path, target: str | None = None) -> None:
        window.open_csv(path, target=target)
        wait(window.data_panel.datasetLoaded, 60_000)
        settle(300)
        window.validate()

    def run(trials: int) -> None:
        window.search_panel.trials_box.setChecked(True)
        window.search_panel.trials_spin.setValue(trials)
        window.validate()
        window.start_search()
        wait(window.searchFinished, 600_000)
        settle(500)

    def pick(name: str) -> None:
        window.model_panel.model_combo.setCurrentIndex(window.model_panel.model_combo.findData(name))

    shot("start")

    # A file ending in an ID: the target is the outcome, the severity code is flagged, dates are offered.
    load(data["records"])
    wait(window.data_panel.selectionChanged, 100)
    for _ in range(100):
        if window.leak_check.last:
            break
        settle(100)
    window.data_panel.rolesBox.set_date_parts("admitted", ["year", "day_of_week", "hour"])
    window.setup_tabs.setCurrentIndex(0)
    shot("data")

    # A survey the features cannot predict: the best is the majority share, and the window says so.
    load(data["survey"], target="answer")
    pick("decision_tree")
    window.search_panel.metric_combo.setCurrentIndex(window.search_panel.metric_combo.findData("accuracy"))
    run(20)
    window.chart_tabs.setCurrentWidget(window.history)
    shot("baseline")

    # A long search: the running trial, its fold and time, in the table and the status bar.
    load(data["slow"], target="y")
    pick("random_forest")
    row = window.model_panel.space_form.row("n_estimators")
    row.values_edit.setText("150")
    window.search_panel.trials_box.setChecked(True)
    window.search_panel.trials_spin.setValue(4)
    window.validate()
    window.start_search()
    for _ in range(600):
        settle(200)
        steps = window.session.steps
        if steps and any(done >= 1 for _, done, _ in steps.values()):
            break
    window.redraw()
    shot("running")
    window.search.stop_search()
    wait(window.searchFinished, 30_000)
    settle(500)

    # Two models in one study: History colours each model's points.
    load(data["survey"], target="answer")
    pick("decision_tree")
    window.model_panel.compare_list.set_checked(["knn"])
    run(16)
    window.chart_tabs.setCurrentWidget(window.history)
    shot("models")

    # As narrow as the window goes: every room still there, scrolling instead of spilling off screen.
    window.showNormal()
    settle(500)
    window.resize(window.minimumSizeHint())
    settle(800)
    shot("narrowest")
    window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
