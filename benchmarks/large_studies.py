"""Opening a stored study of 10,000 and 100,000 trials in the window.

    python benchmarks/large_studies.py [--quick]

Writes each study into the embedded default storage (a journal file in a
temporary HPGUI_DATA_DIR) with ``optuna.trial.create_trial`` and
``study.add_trials``: three models searched together, conditional
hyperparameters, the per-trial user attribute the runner writes (std, fold
scores, train score, fit time, worker, model), a few failed and pruned trials.
Then, in an offscreen MainWindow, it times:

- reading the study (Optuna replaying the journal) and turning it into records,
- ``TrialStore.add`` of every record,
- the first full draw of every chart tab (History, Best parameters, and each
  class in ``VIEW_CLASSES``, whatever views exist when it runs), painted,
- the trial table: its first fill and a sort by score,
- one ``MainWindow.redraw()`` after 20 more trials arrive (a live search),
  with each chart tab in front,
- opening the study as File → Studies… does (``StudySession.open``: read on a
  worker thread, then shown), first with a journal replay (which also writes the
  study's snapshot) and again from the snapshot: the time until it is shown and
  the longest the window's event loop went without running meanwhile,
- ``library.load_study`` from the snapshot, and listing the library from it.

``--quick`` runs only the 10,000-trial study.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import prepare_environment  # noqa: E402

DATA_DIR = prepare_environment("large")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from hpgui.core import snapshot  # noqa: E402 - after prepare_environment

SETUP = {
    "format": "hpgui-setup/1",
    "data": {"path": str(Path(__file__).resolve().parents[1] / "resources" / "examples" / "penguins.csv"),
             "target": "species", "task": "classification"},
    "model": ["random_forest", "svm", "logistic_regression"],
    "strategy": {"name": "tpe", "seed": 0},
    "metric": "accuracy",
    "budget": {"trials": 200_000},
}


class _RandomTrial:
    """Stands in for an Optuna trial so the runner's own ``suggest`` picks values (and their distributions)."""

    def __init__(self, rng: random.Random):
        import optuna.distributions as d

        self.d, self.rng = d, rng
        self.params: dict = {}
        self.distributions: dict = {}

    def _keep(self, name, value, dist):
        self.params[name], self.distributions[name] = value, dist
        return value

    def suggest_categorical(self, name, choices):
        return self._keep(name, self.rng.choice(list(choices)), self.d.CategoricalDistribution(choices))

    def suggest_int(self, name, low, high, step=1, log=False):
        if log:
            value = int(round(math.exp(self.rng.uniform(math.log(low), math.log(high)))))
        else:
            value = low + step * self.rng.randrange((high - low) // step + 1)
        return self._keep(name, min(max(value, low), high), self.d.IntDistribution(low, high, log=log, step=step))

    def suggest_float(self, name, low, high, step=None, log=False):
        if log:
            value = math.exp(self.rng.uniform(math.log(low), math.log(high)))
        elif step:
            value = low + step * self.rng.randrange(int(round((high - low) / step)) + 1)
        else:
            value = self.rng.uniform(low, high)
        return self._keep(name, min(max(value, low), high), self.d.FloatDistribution(low, high, log=log, step=step))


def frozen_trials(n: int, start: int, choice, seed: int):
    """``n`` finished trials as the runner would have stored them."""
    from optuna.trial import TrialState, create_trial

    from hpgui.core.choice import MODEL_PARAM
    from hpgui.core.records import TRIAL_ATTR
    from hpgui.core.space import is_active

    rng = random.Random(seed)
    level = {"random_forest": 0.95, "svm": 0.965, "logistic_regression": 0.955}
    t0 = datetime(2026, 1, 1) + timedelta(seconds=3 * start)
    out = []
    for i in range(start, start + n):
        trial = _RandomTrial(rng)
        from hpgui.core.runner import suggest

        for name in choice.order:
            if is_active(name, trial.params, choice.conditions, choice.defaults):
                suggest(trial, name, choice.space[name])
        model = trial.params[MODEL_PARAM]
        began = t0 + timedelta(seconds=3 * (i - start))
        ended = began + timedelta(seconds=rng.uniform(0.2, 2.5))
        info = {"worker": f"bench:{1000 + i % 4}", "model": model}
        roll = rng.random()
        if roll < 0.02:
            state, value = TrialState.FAIL, None
            info["error"] = "ValueError: Solver lbfgs supports only 'l2' or None penalties, got l1 penalty."
        elif roll < 0.03:
            state, value = TrialState.PRUNED, None
        else:
            state = TrialState.COMPLETE
            value = min(1.0, level[model] - 0.2 * rng.random() ** 3 + rng.gauss(0, 0.01) + 0.02 * (1 - 1 / (1 + i / 2000)))
            folds = [min(1.0, value + rng.gauss(0, 0.015)) for _ in range(5)]
            value = sum(folds) / 5
            std = (sum((f - value) ** 2 for f in folds) / 5) ** 0.5
            info.update({"std": std, "folds": folds, "train": min(1.0, value + abs(rng.gauss(0.02, 0.01))),
                         "fit_time_s": rng.uniform(0.05, 1.5)})
        out.append(create_trial(state=state, value=value, params=trial.params, distributions=trial.distributions,
                                user_attrs={TRIAL_ATTR: info}))
        out[-1].datetime_start, out[-1].datetime_complete = began, ended
    return out


def write_study(name: str, n: int, choice) -> float:
    import optuna

    from hpgui.core.records import ATTR_SETUP
    from hpgui.core.storage import open_storage

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    started = time.perf_counter()
    study = optuna.create_study(study_name=name, storage=open_storage(None, name), direction="maximize")
    study.set_user_attr(ATTR_SETUP, SETUP)
    batch = 5000
    # The journal fsyncs every trial (~6 ms here): 100,000 of them would take ten minutes to write, and
    # writing is not what is measured. The file written is the same.
    fsync, os.fsync = os.fsync, lambda fd: None
    try:
        for start in range(0, n, batch):
            study.add_trials(frozen_trials(min(batch, n - start), start, choice, seed=start))
    finally:
        os.fsync = fsync
    return time.perf_counter() - started


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def measure(n: int) -> dict[str, float]:
    from PySide6.QtWidgets import QApplication

    from hpgui.core.metrics import get_metric
    from hpgui.core.records import TrialRecord, records_from_frozen
    from hpgui.core.setup import SearchSetup
    from hpgui.core.storage import open_storage
    from hpgui.gui.app import settle_heap
    from hpgui.core.session import StudyContext, StudyRef
    from hpgui.gui.main_window import MainWindow
    from hpgui.gui.views import AnalysisView

    import optuna

    app = QApplication.instance()
    setup = SearchSetup.from_json(SETUP)
    choice = setup.choice("classification")
    name = f"large-{n}"
    out: dict[str, float] = {}
    out["write the study (not part of opening; no fsync)"] = write_study(name, n, choice)
    size = (DATA_DIR / "studies" / f"{name}.journal").stat().st_size

    def read():
        study = optuna.load_study(study_name=name, storage=open_storage(None, name))
        return study.get_trials(deepcopy=False)

    out["read the journal (optuna.load_study + get_trials)"], frozen = timed(read)

    out["records_from_frozen (every trial)"], records = timed(lambda: records_from_frozen(frozen))

    window = MainWindow()
    window.resize(1440, 900)
    window.show()
    app.processEvents()
    # As the app does once it has started (hpgui.gui.app.run_app): estimators imported, heap frozen.
    deadline = time.monotonic() + 120
    while not window._sklearn_ready and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    settle_heap()
    metric = get_metric("accuracy")
    names = choice.order
    space = {k: choice.space[k] for k in names}

    def show_study(with_records) -> float:
        """What the window does when it shows a study (as start_search does before the first batch)."""
        window.session.show(StudyRef(f"large-{n}"), StudyContext(tuple(names), space, metric))
        took, _ = timed(lambda: window.store.add(with_records))
        return took

    # Warm up on a small study first: the first paint of each tab (fonts, pyqtgraph's caches) costs
    # the same whatever the study's size and is part of starting the app, not of opening a study.
    show_study(records[:200])
    for i in range(window.chart_tabs.count()):
        window.chart_tabs.setCurrentIndex(i)
        window.redraw()
        window.repaint()
    window.chart_tabs.setCurrentIndex(0)
    app.processEvents()
    out["TrialStore.add (every record)"] = show_study(records)

    def first_draw(index: int, refresh) -> float:
        window.chart_tabs.blockSignals(True)
        window.chart_tabs.setCurrentIndex(index)
        window.chart_tabs.blockSignals(False)
        widget = window.chart_tabs.currentWidget()
        t0 = time.perf_counter()
        refresh()
        widget.repaint()
        return time.perf_counter() - t0

    out["first draw: History"] = first_draw(0, lambda: window.history.refresh(window.store))
    out["first draw: Best parameters"] = first_draw(1, lambda: window.best_chart.refresh(window.store))
    for i in range(2, window.chart_tabs.count()):
        view = window.chart_tabs.widget(i)
        if isinstance(view, AnalysisView):
            out[f"first draw: {view.TITLE}"] = first_draw(i, lambda v=view: v.refresh(window.store))

    def table_fill():
        window.table.source.sync()
        window.table.viewport().repaint()

    out["trial table: first fill"], _ = timed(table_fill)
    out["open: read + records + add + History and table drawn"] = (
        out["read the journal (optuna.load_study + get_trials)"] + out["records_from_frozen (every trial)"]
        + out["TrialStore.add (every record)"] + out["first draw: History"] + out["trial table: first fill"])

    def table_sort():
        window.table.sortByColumn(2, __import__("PySide6.QtCore").QtCore.Qt.SortOrder.DescendingOrder)
        window.table.viewport().repaint()

    out["trial table: sort by score"], _ = timed(table_sort)
    window.table.sortByColumn(0, __import__("PySide6.QtCore").QtCore.Qt.SortOrder.AscendingOrder)
    out["best panel"], _ = timed(lambda: (window.best_panel.show_best(window.store.best, len(window.store)),
                                          window.best_panel.repaint()))

    extra = n + 1_000_000  # trial numbers above the stored ones
    for i in range(window.chart_tabs.count()):
        window.chart_tabs.setCurrentIndex(i)
        window.redraw()
        app.processEvents()
        batch = [TrialRecord.from_frozen(t) for t in frozen_trials(20, n, choice, seed=extra + i)]
        for k, record in enumerate(batch):
            record.number = n + 20 * i + k
        window.store.add(batch)
        t0 = time.perf_counter()
        window.redraw()
        window.repaint()
        out[f"live redraw after +20 trials, {window.chart_tabs.tabText(i)} in front"] = time.perf_counter() - t0

    out.update(measure_open(app, window, name))
    out["journal size (MB)"] = size / 1e6
    snap = snapshot.snapshot_path(DATA_DIR / "studies" / f"{name}.journal", name)
    out["snapshot size (MB)"] = snap.stat().st_size / 1e6 if snap.exists() else float("nan")
    window.close()
    window.deleteLater()
    app.processEvents()
    return out


def open_in_window(app, window, name: str) -> tuple[float, float, float]:
    """StudySession.open until the study is shown: (total s, longest event-loop stall while reading s,
    time spent showing it on the GUI thread s)."""
    from PySide6.QtCore import QTimer

    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    shown: list[float] = []
    session = window.studies
    real_show = session.show

    def show(loaded, storage):
        shown.append(time.perf_counter())
        real_show(loaded, storage)
        shown.append(time.perf_counter())

    session.show = show
    try:
        t0 = time.perf_counter()
        ticks.append(t0)
        timer.start()
        session.open(None, name)
        while len(shown) < 2:
            app.processEvents()
            time.sleep(0.002)
        timer.stop()
    finally:
        session.show = real_show
    reading = [t for t in ticks if t <= shown[0]] + [shown[0]]
    stall = max(b - a for a, b in zip(reading, reading[1:])) if len(reading) > 1 else 0.0
    return shown[1] - t0, stall, shown[1] - shown[0]


def measure_open(app, window, name: str) -> dict[str, float]:
    """Opening the stored study the way the window does, without and with its snapshot."""
    from hpgui.core import library

    out: dict[str, float] = {}
    journal = DATA_DIR / "studies" / f"{name}.journal"
    snapshot.remove_all(journal)
    total, stall, showing = open_in_window(app, window, name)
    out["window open, journal replayed (snapshot written): until shown"] = total
    out["  longest event-loop stall while reading"] = stall
    out["  showing it (store, history, table; GUI thread)"] = showing
    # The window writes the snapshot in the background once the study is shown; wait for it.
    t0 = time.perf_counter()
    while snapshot.read_header(journal, name) is None and time.perf_counter() - t0 < 300:
        app.processEvents()
        time.sleep(0.01)
    out["  snapshot kept in the background after showing"] = time.perf_counter() - t0
    out["library.load_study from the snapshot"], loaded = timed(lambda: library.load_study(None, name))
    assert loaded.info.name == name
    total, stall, showing = open_in_window(app, window, name)
    out["window reopen from the snapshot: until shown"] = total
    out["  longest event-loop stall while reading (snapshot)"] = stall
    library._CACHE.clear()
    out["list the library (from the snapshot)"], _ = timed(lambda: library.list_studies(None))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the 10,000-trial study")
    args = parser.parse_args(argv)

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(DATA_DIR / "settings"))
    app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841

    sizes = [10_000] if args.quick else [10_000, 100_000]
    results = {}
    for n in sizes:
        print(f"measuring {n:,} trials…", file=sys.stderr, flush=True)
        results[n] = measure(n)
    steps = list(results[sizes[0]])
    head = "| step | " + " | ".join(f"{n:,} trials" for n in sizes) + " |"
    print(head)
    print("| --- |" + " --- |" * len(sizes))
    for step in steps:
        cells = []
        for n in sizes:
            value = results[n].get(step)
            if value is None:
                cells.append("")
            elif "size (MB)" in step:
                cells.append(f"{value:.0f} MB")
            elif value >= 10:
                cells.append(f"{value:.0f} s")
            elif value >= 1:
                cells.append(f"{value:.2f} s")
            else:
                cells.append(f"{1000 * value:.0f} ms")
        print(f"| {step} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
