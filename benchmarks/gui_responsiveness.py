"""How the window holds up while a search streams trials into it.

    python benchmarks/gui_responsiveness.py [--quick]

1. Event-loop stalls: a 5 ms QTimer heartbeat on the GUI thread records how late
   each tick fires (p50, p99, max) while a search streams at least 50 trials a
   second into the window, side by side with the same window sitting idle.
2. Redraw cost with 10,000 trials: the first full draw of the history chart,
   the best-parameter chart and the trial table, and an incremental redraw
   after 10 more trials arrive (what every redraw-timer tick does).
3. Wall time of one search through the window (Start to finished, the child
   process already started, as it is when a user presses Start) against the
   same search through the engine that `hpgui run` uses, interleaved; target
   ratio at most 1.05.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Spawned search processes import this file again: they must keep the parent's folder, not make their own.
SCRATCH = Path(os.environ.setdefault("HPGUI_BENCH_SCRATCH", tempfile.mkdtemp(prefix="hpgui-bench-gui-")))
os.environ["HPGUI_DATA_DIR"] = str(SCRATCH / "data")

from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(SCRATCH / "settings"))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


class Heartbeat:
    """Records how late a 5 ms timer fires: the GUI thread's stalls."""

    def __init__(self, interval_ms: int = 5):
        self.interval = interval_ms
        self.delays: list[float] = []
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.delays.clear()
        self.clock.start()
        self.timer.start()

    def _tick(self) -> None:
        elapsed = self.clock.nsecsElapsed() / 1e6
        self.clock.restart()
        self.delays.append(max(0.0, elapsed - self.interval))

    def stop(self) -> dict[str, float]:
        self.timer.stop()
        return {"ticks": len(self.delays), "p50": percentile(self.delays, 50),
                "p99": percentile(self.delays, 99), "max": max(self.delays)}


def wait(signal, timeout_ms: int) -> bool:
    loop = QEventLoop()
    fired = []
    signal.connect(lambda *a: (fired.append(a), loop.quit()))
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    return bool(fired)


def idle(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def prepare_window(window, csv: Path, target: str, model: str, trials: int, evaluation: dict) -> None:
    window.open_csv(csv, target=target)
    wait(window.data_panel.datasetLoaded, 60_000)
    window.model_panel.model_combo.setCurrentIndex(window.model_panel.model_combo.findData(model))
    panel = window.search_panel
    panel.strategy_combo.setCurrentIndex(panel.strategy_combo.findData("random"))
    panel.trials_box.setChecked(True)
    panel.trials_spin.setValue(trials)
    panel.mode_combo.setCurrentIndex(panel.mode_combo.findData(evaluation.get("preprocessing", "auto")))
    window.model_panel.space_form.reset_all()
    only = evaluation.get("only")
    if only:
        for row in window.model_panel.space_form.rows():
            row.enabled_box.setChecked(row.name in only)
    panel.method_combo.setCurrentIndex(panel.method_combo.findData(evaluation.get("method", "kfold")))
    panel.folds_spin.setValue(evaluation.get("folds", 5))
    window.validate()
    if window.problems:
        raise SystemExit(f"setup problems: {window.problems}")


def stalls(window, trials: int) -> list[dict]:
    from hpgui.gui.main_window import example_path

    # A tiny, fast search: a bare decision tree scored on one holdout split streams trials as fast as
    # the engine can record them.
    prepare_window(window, example_path("iris.csv"), "species", "decision_tree", trials,
                   {"method": "holdout", "preprocessing": "none", "only": ("max_depth",)})
    rows = []
    beat = Heartbeat()
    beat.timer.setParent(window)  # dies with the window, not during interpreter shutdown
    beat.start()
    idle(3000)
    rows.append({"case": "idle window, 3 s", **beat.stop(), "trials/s": 0.0})

    beat.start()
    started = time.perf_counter()
    window.start_search()
    wait(window.searchFinished, 600_000)
    took = time.perf_counter() - started
    result = beat.stop()
    stamps = sorted(r.finished.timestamp() for r in window.store.records if r.finished is not None)
    streaming = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0
    rows.append({"case": f"search streaming {len(window.store)} trials ({took:.1f} s from Start)", **result,
                 "trials/s": streaming})
    return rows


def synthetic_records(n: int, start: int = 0):
    from hpgui.core.records import TrialRecord

    rng = random.Random(start)
    out = []
    for i in range(start, start + n):
        state = "complete" if rng.random() > 0.08 else rng.choice(["failed", "pruned"])
        value = 0.7 + 0.25 * (1 - 1 / (1 + i / 500)) + rng.gauss(0, 0.03) if state == "complete" else None
        out.append(TrialRecord(number=i, state=state, value=value, std=0.01,
                               params={"C": 10 ** rng.uniform(-2, 2), "gamma": 10 ** rng.uniform(-4, 1),
                                       "kernel": rng.choice(["linear", "rbf"])},
                               duration_s=rng.uniform(0.1, 2)))
    return out


def redraw_cost(window, n: int, repeats: int) -> list[dict]:
    from hpgui.core.metrics import get_metric
    from hpgui.core.space import Hyperparameter

    space = {"C": Hyperparameter("float", 1e-2, 1e2, log=True),
             "gamma": Hyperparameter("float", 1e-4, 10, log=True),
             "kernel": Hyperparameter("categorical", choices=("linear", "rbf"))}
    first, incremental = [], []
    for r in range(repeats):
        window.store.reset("maximize", list(space))
        window.table.source.set_params(list(space))
        window.history.clear()
        window.best_chart.set_space(space)
        window.best_panel.set_metric(get_metric("accuracy"))
        window.store.add(synthetic_records(n, 0))
        t0 = time.perf_counter()
        window.redraw()
        window.grab()  # paint, as the screen would
        first.append(time.perf_counter() - t0)
        for k in range(5):
            window.store.add(synthetic_records(10, n + 10 * k))
            t0 = time.perf_counter()
            window.redraw()
            window.grab()
            incremental.append(time.perf_counter() - t0)
    return [
        {"case": f"first full draw, {n:,} trials", "median ms": 1000 * statistics.median(first),
         "max ms": 1000 * max(first)},
        {"case": f"redraw after 10 more trials, {n:,} in view", "median ms": 1000 * statistics.median(incremental),
         "max ms": 1000 * max(incremental)},
    ]


def wall_time(window, trials: int, repeats: int) -> list[dict]:
    from hpgui.core.runner import Search
    from hpgui.core.setup import SearchSetup
    from hpgui.gui.main_window import example_path

    csv = example_path("penguins.csv")
    prepare_window(window, csv, "species", "decision_tree", trials, {"folds": 5})
    # The very setup the window will run, so both sides do the same work.
    setup = SearchSetup.from_json(window.binding.build_setup().to_json())
    assert setup.evaluation.method == "kfold" and setup.evaluation.folds == 5
    engine, through_window = [], []
    for r in range(repeats):
        t0 = time.perf_counter()  # reading the data and opening the study are part of the work, as in hpgui run
        Search(setup, study_name=f"bench-run-{r}").run()
        engine.append(time.perf_counter() - t0)

        # The spare child has imported everything, as it has by the time a user has set a search up.
        spare = window.controller._spare
        if spare is not None:
            spare.wait_ready(60)
        t0 = time.perf_counter()
        window.start_search()
        wait(window.searchFinished, 600_000)
        through_window.append(time.perf_counter() - t0)
        assert len(window.store) == trials, len(window.store)
    a, b = statistics.median(engine), statistics.median(through_window)
    return [{"case": f"decision tree on penguins, {trials} trials, 5-fold", "hpgui run engine s": a,
             "window s": b, "ratio": b / a,
             "paired ratios": ", ".join(f"{w / e:.3f}" for e, w in zip(engine, through_window))}]


def table(rows: list[dict]) -> str:
    keys = list(rows[0])
    out = ["| " + " | ".join(keys) + " |", "|" + "|".join(" --- " for _ in keys) + "|"]
    for row in rows:
        cells = [f"{v:.3g}" if isinstance(v, float) else str(v) for v in row.values()]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description="GUI responsiveness benchmarks")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from hpgui.gui.main_window import MainWindow

    window = MainWindow()
    window.confirm = lambda title, text: True
    window.resize(1440, 900)
    window.show()
    idle(2000)
    print("## Event-loop stalls (5 ms heartbeat on the GUI thread)\n")
    print(table(stalls(window, 300 if args.quick else 1500)))
    print("\n## Redraw cost\n")
    print(table(redraw_cost(window, 10_000, 2 if args.quick else 5)))
    print("\n## Wall time: window against the engine behind `hpgui run`\n")
    print(table(wall_time(window, 20 if args.quick else 60, 1 if args.quick else 3)))
    window.close()
    window.deleteLater()
    app.processEvents()
    del window
    import gc

    gc.collect()
    return 0


if __name__ == "__main__":
    sys.exit(main())
