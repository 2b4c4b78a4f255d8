"""File → Export Report…: the study's HTML report, written from the window.

The content (the best model refitted on the study's folds, importance, the trials) is
computed on a worker; the charts are drawn on the GUI thread, where pyqtgraph must run;
the file is written whole. What the Results tab already computed for the best trial,
and a nested cross-validation run there, are reused rather than computed again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox

from ..core.storage import safe_name
from .views.results import ResultsView


class ReportExport(QObject):
    """Owned by the window; follows the session's study on screen and points the Results tab at it."""

    def __init__(self, window: Any):
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.action = QAction("Export &Report (HTML)…", window)
        self.action.setObjectName("exportReportAction")
        tip = "Write one self-contained HTML file: data, setup, best configuration, results on held-out data, " \
              "history, top trials, versions"
        self.action.setStatusTip(tip)
        self.action.setToolTip(tip)
        self.action.triggered.connect(self.dialog)
        self._worker = None
        self.session.events.reset.connect(lambda _context: self.study_shown())

    def results_view(self) -> ResultsView | None:
        return next((v for v in self.window.analysis_views if isinstance(v, ResultsView)), None)

    def study_shown(self) -> None:
        """A study is now shown (a new search or a stored one, or none): point the Results tab at it."""
        view = self.results_view()
        if view is None:
            return
        setup = self.session.setup
        if setup is None or self.session.study is None:
            view.set_source(None, None)
        else:
            view.set_source(self.window.exports.search_factory(), setup.budget.trials)

    @property
    def busy(self) -> bool:
        return self._worker is not None

    def dialog(self) -> None:
        from .window.settings import last_folder

        study = self.session.study
        name = f"{safe_name(study.name) if study is not None else 'hpgui'}-report.html"
        path, _ = QFileDialog.getSaveFileName(self.window, "Export report", str(Path(last_folder()) / name),
                                              "HTML report (*.html)")
        if path:
            if not Path(path).suffix:
                path += ".html"
            self.export(path)

    def export(self, path: str | Path) -> bool:
        """Write the report to ``path`` in the background; ``window.exportFinished`` says when."""
        from superqt.utils import create_worker

        from ..core.report.build import build

        window = self.window
        view = self.results_view()
        store = self.session.store
        if self.busy or view is None or self.session.setup is None or store.best is None:
            return False
        path = Path(path)
        records = list(store.records)
        best = store.best
        diagnostics = view._cache.get(best.number)
        if diagnostics is not None and not diagnostics.complete:
            diagnostics = None  # its importance is still being measured; the report measures its own
        nested = view.estimate.result
        search_for = view.search

        def work():
            return build(search_for(), records, diagnostics=diagnostics, nested=nested)

        worker = create_worker(work, _start_thread=False, _ignore_errors=True)
        self._worker = worker
        worker.returned.connect(lambda content: self._write(path, content))
        worker.errored.connect(self._failed)
        worker.finished.connect(self._done)
        window.status_label.setText(f"Writing the report {path.name} (refitting the best model on the folds)…")
        worker.start()
        return True

    def _write(self, path: Path, content: Any) -> None:
        from ..core.report import render, write
        from .report_images import render_images

        try:
            write(path, render(content, render_images(content)))
        except OSError as exc:
            self._failed(exc)
            return
        self.window.status_label.setText(f"Wrote the report {path}")
        self.window.exportFinished.emit(str(path))

    def _failed(self, exc: BaseException) -> None:
        text = f"{type(exc).__name__}: {exc}" if not isinstance(exc, OSError) else \
            f"cannot write the file: {exc.strerror or exc}; choose another folder"
        self.window.show_message("The report could not be written", text, QMessageBox.Icon.Warning)
        self.window.exportFinished.emit("")

    def _done(self) -> None:
        self._worker = None
