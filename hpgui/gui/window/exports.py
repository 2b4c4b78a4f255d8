"""Export the study on screen (or a stored one): best.json, the script, the model, the trials, a chart.

Refitting the best model takes as long as a trial, so those exports run in the background; the
session says whether there is anything to export.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from ..folder_dialog import choose_folder
from ..tasks import BackgroundTask, describe
from .settings import last_folder

if TYPE_CHECKING:
    from .shell import MainWindow

FILES = {"best": ("best.json", "JSON (*.json)"), "script": ("best_pipeline.py", "Python (*.py)"),
         "model": ("model.skops", "skops model (*.skops)"), "trials": ("trials.csv", "CSV (*.csv)"),
         "chart": ("history.png", "PNG image (*.png);;SVG image (*.svg)")}


class Exports(QObject):
    def __init__(self, window: "MainWindow"):
        super().__init__(window)
        self.window = window
        self.session = window.session
        # Several exports may run at once; each finishes on its own.
        self.tasks = BackgroundTask(self, notifier=window.notifier, title="Export failed", latest_wins=False)

    def search_factory(self) -> Callable[[], Any]:
        """A factory for the study on screen's search, bound now, on the GUI thread, to the data it ran on."""
        from ...core.runner import Search

        s = self.session
        setup, dataset, study = s.setup, s.dataset, s.study
        return lambda: Search(setup, dataset=dataset, study_name=study.name, storage=study.storage)

    def export_all_dialog(self) -> None:
        study = self.session.study
        folder = choose_folder(self.window, "Export into folder", last_folder(),
                               f"{study.name}-export" if study is not None else "hpgui-export")
        if folder:
            self.export_all(folder)

    def export_all(self, folder: str | Path) -> None:
        from ...core.export import export_all

        blocker = self.session.export_blocker()
        if blocker is not None:
            self.window.notifier.info("Nothing to export yet", blocker)
            self.window.exportFinished.emit("")
            return
        records = list(self.session.store.records)
        search_for_export = self.search_factory()

        def work() -> str:
            export_all(search_for_export(), Path(folder), records)
            return f"Exported best.json, trials.csv, best_pipeline.py and model.skops to {folder}"

        self._run(work, "Exporting (refitting the best model)…")

    def export_one_dialog(self, what: str) -> None:
        default, filters = FILES[what]
        path, _ = QFileDialog.getSaveFileName(self.window, "Export", str(Path(last_folder()) / default), filters)
        if path:
            self.export_one(what, path)

    def export_one(self, what: str, path: str | Path) -> None:
        from ...core import export

        w, path = self.window, Path(path)
        records = list(self.session.store.records)
        if what in ("chart", "trials"):
            try:
                if what == "chart":
                    w.chart_tabs.currentWidget().export_image(str(path))
                    text = f"Saved the chart to {path}"
                else:
                    export.write_trials(path, records, w.table.source.params)
                    text = f"Saved {len(records)} trials to {path}"
            except OSError as exc:
                w.notifier.warn("Export failed", f"Cannot write {path}: {describe(exc)}")
                w.exportFinished.emit("")
                return
            w.notifier.say(text)
            w.exportFinished.emit(str(path))
            return
        blocker = self.session.export_blocker()
        if blocker is not None:
            w.notifier.info("Nothing to export yet", blocker)
            w.exportFinished.emit("")
            return
        search_for_export = self.search_factory()

        def work() -> str:
            search = search_for_export()
            best = search.best_of(records)
            if what == "script":
                path.write_text(export.pipeline_script(search, best, path.name), encoding="utf-8")
            elif what == "model":
                export.save_model(path, search.fit_best(best.params))
            else:
                test = search.test_score(search.fit_best(best.params)) if search.X_test is not None else None
                n = sum(1 for r in records if r.state in ("complete", "failed", "pruned"))
                export.write_best(path, export.best_config(search, best, n, test))
            return f"Saved {path}"

        self._run(work, f"Exporting {path.name}…")

    def export_stored(self, storage: str | None, name: str, folder: str | Path) -> None:
        """The same four files as Export All, for a stored study (File → Studies… → Export)."""
        from ...core.export import export_all
        from ...core.library import LibraryError, load_study
        from ...core.runner import Search

        from .studies import moved_text

        def work() -> str:
            loaded = load_study(storage, name)
            if loaded.setup is None:
                raise LibraryError(f"study {name!r} was {loaded.setup_problem}, so there is no model to refit")
            if not loaded.setup.data_path.exists():
                raise LibraryError(moved_text(loaded))
            search = Search(loaded.setup, storage=storage, study_name=name)
            export_all(search, Path(folder), loaded.records)
            return f"Exported study {name} (best.json, trials.csv, best_pipeline.py, model.skops) to {folder}"

        self._run(work, f"Exporting study {name} (refitting its best model)…")

    def _run(self, work: Callable[[], str], message: str) -> None:
        w = self.window
        w.notifier.say(message)

        def done(text: str) -> None:
            w.notifier.say(text)
            w.exportFinished.emit(text)

        def failed(exc: BaseException) -> None:
            w.notifier.warn("Export failed", describe(exc))
            w.exportFinished.emit("")

        self.tasks.start(work, on_result=done, on_error=failed)
