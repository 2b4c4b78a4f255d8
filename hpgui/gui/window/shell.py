"""The main window's frame: the rooms (setup tabs on the left; views, best panel and trial table on the
right), the status bar, the dialogs it opens, and closing.

Each room's behaviour lives in its own module of this package: ``opening`` (files), ``setup_binding``
(forms → setup → problems), ``search_control`` (start/stop/widen), ``studies`` (stored studies and
watching), ``exports``, ``live_view`` (the redraw clock), ``actions`` (menus and their enabled state),
``settings``. What is on screen is the :class:`~hpgui.core.session.Session`'s; the parts listen to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (QLabel, QMainWindow, QMenu, QMessageBox, QProgressBar, QSplitter, QStackedWidget,
                               QTabWidget, QVBoxLayout, QWidget)

from ... import __version__
from ...core.session import Session
from ..best_panel import BestPanel
from ..bounded import ElidedLabel, bounded

from ..data_panel import DataPanel
from ..notifier import Notifier
from ..report_export import ReportExport
from ..search_panel import SearchPanel
from ..start_page import StartPage
from ..tasks import BackgroundTask
from ..trial_table import TrialTable
from ..views import VIEW_CLASSES, BestParamsChart, CompareView, HistoryChart
from ..worker import SearchController
from . import settings as window_settings
from .actions import WindowActions
from .exports import Exports
from .leak_check import LeakCheck
from .live_view import LiveView
from .model_panel import ModelPanel
from .opening import Opening
from .search_control import SearchControl
from .setup_binding import TAB_TITLES, SetupBinding
from .studies import StoredStudies
from .view_area import ViewArea

# When the window closes, a study being read gets this long to end (one stuck on a server is left behind,
# on its daemon thread); exports and snapshots under way are the user's work, and get longer.
CLOSE_WAIT_MS = 500
EXPORT_WAIT_MS = 30_000


class MainWindow(QMainWindow):
    searchFinished = Signal(str)    # stop reason; also "failed", "invalid", "crashed"
    exportFinished = Signal(str)    # what was written, or "" when it failed
    warmedUp = Signal()             # the estimators are imported (after warm_up)

    TAB_TITLES = TAB_TITLES

    def __init__(self, controller: SearchController | None = None, *, defer_warm_up: bool = False):
        """``defer_warm_up``: leave the search child and the scikit-learn imports to :meth:`warm_up`, so
        they do not compete with the window for the CPU while it opens (the app calls it when ready)."""
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("hpgui")
        self.setAcceptDrops(True)
        self.session = Session()
        self.notifier = Notifier(self)
        self.controller = (controller if controller is not None
                           else SearchController(self, prewarm=not defer_warm_up))
        self.background = BackgroundTask(self, notifier=self.notifier, latest_wins=False)
        self.library = None
        self.connect_dialog = None
        self._build_rooms()
        self._build_status()
        self.live = LiveView(self)
        self.binding = SetupBinding(self)
        self.opener = Opening(self)
        self.search = SearchControl(self)
        self.studies = StoredStudies(self)
        self.exports = Exports(self)
        self.report_export = ReportExport(self)
        self.leak_check = LeakCheck(self)
        self.actions = WindowActions(self)
        self._connect()
        window_settings.restore(self)
        self.binding.task_changed()
        self.actions.update()
        self._warmed_up = False
        if not defer_warm_up:
            self.warm_up()

    # -- the rooms --------------------------------------------------------------------------------
    def _build_rooms(self) -> None:
        self.data_panel = DataPanel()
        self.model_panel = ModelPanel()
        self.search_panel = SearchPanel()
        self.setup_tabs = QTabWidget()
        self.setup_tabs.setObjectName("setupTabs")
        for page, title in zip((self.data_panel, self.model_panel, self.search_panel), TAB_TITLES):
            self.setup_tabs.addTab(page, title)
        self.problem_label = QLabel()
        self.problem_label.setObjectName("problemBanner")
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("QLabel { color: palette(window-text); padding: 4px; }")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.setup_tabs, 1)
        left_layout.addWidget(self.problem_label)

        self.chart_tabs = ViewArea()
        self.views: list[QWidget] = []
        for view_class in VIEW_CLASSES:
            view = view_class()
            self.views.append(view)
            self.chart_tabs.add_view(view, view.TITLE, getattr(view, "GROUP", "More"))
        self.history = self.view(HistoryChart)
        self.best_chart = self.view(BestParamsChart)
        self.best_panel = BestPanel()
        self.table = TrialTable(self.session.store)
        self.table.source.step_of = lambda n: (self.session.step_text(n), self.session.step_elapsed(n))
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

        self.top_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.top_splitter.setObjectName("topSplitter")
        self.top_splitter.addWidget(self.chart_tabs)
        self.top_splitter.addWidget(self.best_panel)
        self.top_splitter.setCollapsible(1, False)  # its Export button must stay on screen
        self.top_splitter.setStretchFactor(0, 3)
        self.top_splitter.setStretchFactor(1, 1)
        self.right_splitter = QSplitter(Qt.Orientation.Vertical)
        self.right_splitter.setObjectName("rightSplitter")
        self.right_splitter.addWidget(self.top_splitter)
        self.right_splitter.addWidget(self.table)
        self.right_splitter.setStretchFactor(0, 3)
        self.right_splitter.setStretchFactor(1, 2)
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.main_splitter.setObjectName("mainSplitter")
        self.main_splitter.addWidget(bounded(left, 300, "setupRoom"))
        self.main_splitter.addWidget(self.right_splitter)
        self.main_splitter.setStretchFactor(0, 2)
        self.main_splitter.setStretchFactor(1, 3)
        # An empty window shows the start page; the first loaded dataset replaces it for good.
        self.start_page = StartPage(window_settings.recent_files())
        self.pages = QStackedWidget()
        self.pages.addWidget(self.start_page)
        self.pages.addWidget(self.main_splitter)
        self.setCentralWidget(self.pages)
        self.reset_layout()

    def panel(self, name: str) -> QWidget:
        return {"setup": self.main_splitter.widget(0), "best": self.best_panel, "table": self.table}[name]

    def set_panel_visible(self, name: str, visible: bool) -> None:
        self.panel(name).setVisible(bool(visible))

    def reset_layout(self) -> None:
        """Every panel shown at its first size; the window as large as that layout wants, within the screen."""
        for name in ("setup", "best", "table"):
            self.panel(name).setVisible(True)
        actions = getattr(self, "actions", None)  # QMainWindow.actions() until ours exist
        if hasattr(actions, "panel_setup"):
            for action in (actions.panel_setup, actions.panel_best, actions.panel_table):
                action.setChecked(True)
        width, height = 1400, 860
        screen = self.screen()
        if screen is not None:
            room = screen.availableGeometry()
            width, height = min(width, room.width()), min(height, room.height())
        self.resize(width, height)
        self.main_splitter.setSizes([width * 7 // 20, width * 13 // 20])  # the charts get the larger share
        self.right_splitter.setSizes([height * 11 // 20, height * 9 // 20])
        self.top_splitter.setSizes([width * 13 // 20 * 3 // 4, width * 13 // 20 // 4])

    def _build_status(self) -> None:
        # Status texts name files and studies: elided, they never widen the window.
        self.status_label = ElidedLabel("Open a CSV file to start (File → Open, or drop it here).")
        self.status_label.setObjectName("statusText")
        self.time_label = ElidedLabel(min_chars=20)
        self.time_label.setObjectName("timeText")
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("searchProgress")
        self.progress_bar.setAccessibleName("Search progress")
        # Room for "9999 / 9999 trials" however the style pads the bar.
        self.progress_bar.setMinimumWidth(self.progress_bar.fontMetrics().horizontalAdvance("9999 / 9999 trials") + 40)
        self.progress_bar.setMaximumWidth(260)
        self.progress_bar.setTextVisible(True)
        self.progress_bar.hide()
        status = self.statusBar()
        status.addWidget(self.status_label, 1)
        status.addPermanentWidget(self.time_label)
        status.addPermanentWidget(self.progress_bar)

    def _connect(self) -> None:
        events = self.session.events
        events.status.connect(self._set_status)
        self.notifier.status.connect(self._set_status)
        events.changed.connect(self._on_session_changed)
        events.renamed.connect(lambda old, new: self.update_title())
        events.reset.connect(lambda context: self.update_title())
        self.binding.validated.connect(lambda _problems: self.actions.update())
        self.start_page.openCsvRequested.connect(self.opener.open_csv_dialog)
        self.start_page.exampleRequested.connect(self.opener.try_example)
        self.start_page.openSetupRequested.connect(self.opener.open_setup_dialog)
        self.start_page.recentRequested.connect(self.opener.open_path)
        self.history.showFailedChanged.connect(self.actions.show_failed.setChecked)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection)
        for view in self.views:
            clicked = getattr(view, "trialClicked", None)
            if clicked is not None:
                clicked.connect(self.table.select_number)
            threshold_changed = getattr(view, "thresholdChanged", None)  # the over-fitting gap threshold
            if threshold_changed is not None:
                threshold_changed.connect(self.table.source.set_gap_threshold)
        self.compare_view().addRequested.connect(self.open_library)
        self.table.customContextMenuRequested.connect(self._table_menu)
        self.best_panel.exportRequested.connect(self.exports.export_all_dialog)
        self.best_panel.copyToManualRequested.connect(self._add_manual)
        advice = self.best_panel.advice
        advice.selectTrialRequested.connect(self.table.select_number)
        advice.copyToManualRequested.connect(self._add_manual)
        advice.widenRequested.connect(self.search.widen_and_continue)
        self.controller.runningChanged.connect(lambda _: self.actions.update())

    def _set_status(self, text: str) -> None:
        self.status_label.setText(text)

    def _on_session_changed(self) -> None:
        running = self.session.running
        for widget in (self.data_panel, self.search_panel):
            widget.setEnabled(not running)
        self.model_panel.set_controls_enabled(not running)
        blocker = self.session.widen_blocker()
        # Without a study the advice shows nothing to widen; its button need not explain itself then.
        self.best_panel.advice.set_can_widen(blocker is None or self.session.study is None, blocker or "")
        self.actions.update()

    def update_title(self) -> None:
        study, dataset = self.session.study, self.data_panel.dataset
        parts = []
        if study is not None:
            parts.append(study.name)
        if dataset is not None and (study is None or self.session.setup is None
                                    or Path(dataset.path).resolve() == self.session.setup.data_path.resolve()):
            parts.append(Path(dataset.path).name)
        self.setWindowTitle(" — ".join([*parts, "hpgui"]))

    # -- warming up -----------------------------------------------------------------------------------
    def warm_up(self) -> None:
        """Start the spare search child and import the estimators in the background (once)."""
        if self._warmed_up:
            return
        self._warmed_up = True
        self.controller.prewarm()

        def imports() -> None:
            import importlib

            from ...core.catalog import MODELS

            for model in MODELS.values():
                for path in model.estimators.values():
                    importlib.import_module(path.rpartition(".")[0])

        def ready(_result=None) -> None:
            self.model_panel.defaults_loaded()
            self.warmedUp.emit()

        self.background.start(imports, on_result=ready)

    @property
    def _sklearn_ready(self) -> bool:
        return self.model_panel.defaults_ready

    # -- what the rest of hpgui asks the window (tools, benchmarks, tests) ------------------------------
    @property
    def store(self):
        return self.session.store

    @property
    def study_name(self) -> str | None:
        return self.session.study.name if self.session.study is not None else None

    @property
    def study_storage(self) -> str | None:
        return self.session.study.storage if self.session.study is not None else None

    @property
    def problems(self) -> list:
        return self.binding.problems

    @property
    def messages(self) -> list[tuple[str, str]]:
        return self.notifier.messages

    @property
    def confirm(self) -> Callable[[str, str], bool]:
        return self.notifier.confirm

    @confirm.setter
    def confirm(self, ask: Callable[[str, str], bool]) -> None:
        self.notifier.confirm = ask

    @property
    def error_reporter(self):
        return self.notifier.error_reporter

    @error_reporter.setter
    def error_reporter(self, reporter) -> None:
        self.notifier.error_reporter = reporter

    def show_message(self, title: str, text: str, icon=QMessageBox.Icon.Information) -> None:
        self.notifier.show(title, text, icon)

    def open_path(self, path: str | Path) -> None:
        self.opener.open_path(path)

    def open_csv(self, path: str | Path, target: str | None = None) -> None:
        self.opener.open_csv(path, target)

    def open_setup(self, path: str | Path) -> None:
        self.opener.open_setup(path)

    def validate(self) -> list:
        return self.binding.validate()

    def start_search(self, *args, **kwargs) -> bool:
        return self.search.start_search(*args, **kwargs)

    def redraw(self) -> None:
        self.live.redraw()

    def recent_files(self) -> list[str]:
        return window_settings.recent_files()

    def last_folder(self) -> str:
        return window_settings.last_folder()

    # -- trials and manual configurations ---------------------------------------------------------------
    def _on_table_selection(self, *_) -> None:
        number = self.table.selected_number()
        for view in self.views:
            view.select_trial(number)

    def _table_menu(self, pos) -> None:
        if self.table.selected_number() is None:
            return
        menu = QMenu(self)
        menu.addAction(self.actions.manual)
        menu.exec(self.table.viewport().mapToGlobal(pos))

    def copy_selected_to_manual(self) -> None:
        number = self.table.selected_number()
        index = self.store.index_of(number) if number is not None else None
        if index is not None:
            self._add_manual(dict(self.store[index].params))

    def _add_manual(self, params: dict) -> None:
        self.search_panel.add_manual(params)
        self.setup_tabs.setCurrentWidget(self.search_panel)
        self.notifier.say("Added a manual configuration; edit it on the Search tab. It runs first in the next "
                          "search.")

    # -- dialogs ----------------------------------------------------------------------------------------
    def view(self, kind: type):
        """The window's view of this class."""
        return next(v for v in self.views if isinstance(v, kind))

    @property
    def analysis_views(self) -> list[QWidget]:
        return self.views

    def compare_view(self) -> CompareView:
        return self.view(CompareView)

    def compare_studies(self, studies: list[tuple[str | None, str]]) -> None:
        """Draw stored studies' best-so-far curves beside this window's study, on the Compare view."""
        view = self.compare_view()
        view.add_studies(studies)
        self.pages.setCurrentWidget(self.main_splitter)  # also from the start page, with no data open
        self.chart_tabs.setCurrentWidget(view)

    def open_library(self) -> None:
        from ..library_dialog import LibraryDialog

        # One dialog, kept: its background listings may still report after it is closed.
        if self.library is None:
            self.library = LibraryDialog(self.session, self.notifier, self)
            self.library.openRequested.connect(self.studies.open)
            self.library.resumeRequested.connect(self.studies.resume)
            self.library.exportRequested.connect(self.exports.export_stored)
            self.library.compareRequested.connect(self.compare_studies)
        else:
            self.library.refresh()
        self.library.show()
        self.library.raise_()

    def open_connect_dialog(self) -> None:
        from ..connect_dialog import ConnectDialog

        if self.connect_dialog is None:
            self.connect_dialog = ConnectDialog(self.notifier, self)
            self.connect_dialog.chosen.connect(self.studies.watch)
        self.connect_dialog.show()
        self.connect_dialog.raise_()

    def show_about(self) -> None:
        import sys

        import optuna
        import pandas
        import pyqtgraph
        import PySide6
        import sklearn
        from PySide6.QtCore import qVersion

        QMessageBox.about(self, "About hpgui", (
            f"<h3>hpgui {__version__}</h3>"
            "<p>Point-and-click hyperparameter tuning for scikit-learn models.</p>"
            f"<p>Python {'.'.join(map(str, sys.version_info[:3]))} · Qt {qVersion()} · "
            f"PySide6 {PySide6.__version__}<br>scikit-learn {sklearn.__version__} · Optuna {optuna.__version__} · "
            f"pandas {pandas.__version__} · pyqtgraph {pyqtgraph.__version__}</p>"
        ))

    # -- files dropped on the window, and closing ---------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            self.opener.open_path(urls[0].toLocalFile())
            event.acceptProposedAction()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.controller.is_running() and self.live.timer.isActive():  # finished searches are not asked about
            if not self.notifier.confirm("Stop the search?", "A search is running. Stop it and close hpgui?\n\n"
                                         "Every finished trial is already saved."):
                event.ignore()
                return
        self.studies.shutdown()
        self.live.stop()
        self.binding.timer.stop()
        self.controller.shutdown()
        self.data_panel.shutdown()
        # Bounded: a read stuck on a server that stopped answering is left behind, not waited for.
        for tasks in (self.exports.tasks, self.background, self.studies.loading):
            tasks.wait(CLOSE_WAIT_MS if tasks is self.studies.loading else EXPORT_WAIT_MS)
        window_settings.save(self)
        event.accept()
