"""The main window: data, model and search on the left; the live search on the right.

The window owns one :class:`~hpgui.core.trials.TrialStore`. Batches of trials
from the search worker go into it; the charts, the table and the best panel
read it on a redraw timer (15 Hz), never once per trial.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..core.catalog import get_model, models_for
from ..core.dataset import DatasetError, prepare
from ..core.metrics import get_metric
from ..core.pipeline import check_preprocessing
from ..core.process import Job
from ..core.readers import OTHER_SUFFIXES, SPREADSHEET_SUFFIXES
from ..core.runner import default_study_name
from ..core.setup import DataSpec, SearchSetup, SetupError
from ..core.space import Problem
from ..core.trials import TrialStore
from .best_panel import BestPanel
from .charts import BestParamsChart, HistoryChart, format_param
from .data_panel import DataPanel
from .model_picker import CompareList, ModelForms
from .search_panel import SearchPanel
from .space_form import SpaceForm
from .start_page import EXAMPLE_SETUP, StartPage
from .studies import StudySession
from .trial_table import TrialTable
from .views import VIEW_CLASSES, AnalysisView, CompareView
from .worker import SearchController

REDRAW_MS = 100  # 10 Hz: the low end of the 10–20 Hz the design allows; painting is the cost
VALIDATE_MS = 120
MAX_RECENT = 8

EXAMPLES = (
    ("Iris (classification)", "iris.csv", "species"),
    ("Wine (classification)", "wine.csv", "cultivar"),
    ("Breast cancer (classification)", "breast_cancer.csv", "diagnosis"),
    ("Diabetes (regression)", "diabetes.csv", "progression"),
    ("Penguins (missing values, text columns)", "penguins.csv", "species"),
)
DEFAULT_MODEL = {"classification": "random_forest", "regression": "random_forest", "clustering": "kmeans"}
STOP_REASONS = {
    "budget": "the trial budget is spent",
    "timeout": "the time limit is reached",
    "grid complete": "every grid point is done",
    "stopped": "stopped",
    "target reached": "the target score is reached",
    "no improvement": "no improvement within the patience",
    "interrupted": "interrupted",
}


def example_path(name: str) -> Path:
    from importlib.resources import files

    return Path(str(files("hpgui.resources.examples") / name))


def settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "hpgui", "hpgui")


def clock(seconds: float) -> str:
    seconds = int(max(0, seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class MainWindow(QMainWindow):
    searchFinished = Signal(str)    # stop reason; also "failed", "invalid", "crashed"
    exportFinished = Signal(str)    # what was written, or "" when it failed
    warmedUp = Signal()             # the estimators are imported (after warm_up)

    def __init__(self, controller: SearchController | None = None, *, defer_warm_up: bool = False):
        """``defer_warm_up``: leave the search child and the scikit-learn imports to :meth:`warm_up`, so
        they do not compete with the window for the CPU while it opens (the app calls it when ready)."""
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("hpgui")
        self.setAcceptDrops(True)
        self.store = TrialStore()
        self.controller = (controller if controller is not None
                           else SearchController(self, prewarm=not defer_warm_up))
        self.error_reporter = None
        self.messages: list[tuple[str, str]] = []      # (title, text) of every dialog shown, for tests and logs
        self.confirm: Callable[[str, str], bool] = self._ask
        self.problems: list[Problem] = []
        self.run_setup: SearchSetup | None = None
        self.run_dataset = None
        self.study_name: str | None = None
        self.study_storage: str | None = None  # None: the embedded default storage
        self.progress = None
        self._pending_setup: SearchSetup | None = None
        self._pending_target: str | None = None
        self._prep_key: tuple | None = None
        self._prep_problem: Problem | None = None
        self._prep_categorical: list[str] = []
        self._run_started = 0.0
        self._best_number: int | None = None
        self._exports: list[Any] = []
        self._sklearn_ready = False
        self.studies = StudySession(self)
        self.library = None
        self.connect_dialog = None

        self._build_widgets()
        self._build_actions()
        self._build_menus()
        self._build_status()
        self._connect()
        self._restore_settings()
        self._on_task_changed()
        self._update_actions()
        self._warmed_up = False
        if not defer_warm_up:
            self.warm_up()

    def warm_up(self) -> None:
        """Start the spare search child and import the estimators in the background (once)."""
        if self._warmed_up:
            return
        self._warmed_up = True
        self.controller.prewarm()
        self._warm_up()

    def _warm_up(self) -> None:
        """Import the estimators off the GUI thread, so the first form shows defaults without a freeze."""
        from superqt.utils import create_worker

        def imports() -> None:
            import importlib

            from ..core.catalog import MODELS

            for model in MODELS.values():
                for path in model.estimators.values():
                    importlib.import_module(path.rpartition(".")[0])

        def ready() -> None:
            self._sklearn_ready = True
            self.space_form.load_estimator_defaults()
            self.model_forms.load_estimator_defaults()
            self.warmedUp.emit()

        worker = create_worker(imports)
        worker.returned.connect(ready)
        worker.start()

    # ------------------------------------------------------------------ layout
    def _build_widgets(self) -> None:
        self.data_panel = DataPanel()
        self.model_combo = QComboBox()
        self.model_combo.setObjectName("modelCombo")
        self.model_combo.setAccessibleName("Model")
        self.model_combo.setToolTip("The kind of model to tune; the list shows the models for the current task.")
        self.model_summary = QLabel()
        self.model_summary.setWordWrap(True)
        self.model_summary.setObjectName("modelSummary")
        self.space_form = SpaceForm()  # the main model's form; compared models get theirs in model_forms
        self.compare_list = CompareList()
        self.compare_list.setObjectName("compareList")
        self.compare_label = QLabel("Compare &with:")
        self.compare_label.setBuddy(self.compare_list)
        self.compare_label.setToolTip("Tick other models to search them in the same study; the leaderboard "
                                      "shows the best of each.")
        self.model_forms = ModelForms(self.space_form)
        model_page = QWidget()
        model_layout = QVBoxLayout(model_page)
        form = QFormLayout()
        form.addRow("&Model:", self.model_combo)
        form.addRow(self.compare_label, self.compare_list)
        model_layout.addLayout(form)
        model_layout.addWidget(self.model_summary)
        model_layout.addWidget(self.model_forms, 1)
        self.search_panel = SearchPanel()

        self.setup_tabs = QTabWidget()
        self.setup_tabs.setObjectName("setupTabs")
        for page, title in zip((self.data_panel, model_page, self.search_panel), self.TAB_TITLES):
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

        self.history = HistoryChart()
        self.best_chart = BestParamsChart()
        self.chart_tabs = QTabWidget()
        self.chart_tabs.setObjectName("chartTabs")
        self.chart_tabs.addTab(self.history, "History")
        self.chart_tabs.addTab(self.best_chart, "Best parameters")
        self.analysis_views: list[AnalysisView] = []
        for view_class in VIEW_CLASSES:
            view = view_class()
            self.analysis_views.append(view)
            self.chart_tabs.addTab(view, view.TITLE)
        self.best_panel = BestPanel()
        self.table = TrialTable(self.store)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

        self.top_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.top_splitter.setObjectName("topSplitter")
        self.top_splitter.addWidget(self.chart_tabs)
        self.top_splitter.addWidget(self.best_panel)
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
        self.main_splitter.addWidget(left)
        self.main_splitter.addWidget(self.right_splitter)
        self.main_splitter.setStretchFactor(0, 2)
        self.main_splitter.setStretchFactor(1, 3)
        # An empty window shows the start page; the first loaded dataset replaces it for good.
        self.start_page = StartPage(self.recent_files())
        self.pages = QStackedWidget()
        self.pages.addWidget(self.start_page)
        self.pages.addWidget(self.main_splitter)
        self.setCentralWidget(self.pages)
        self.resize(1400, 860)
        self.main_splitter.setSizes([560, 840])

        self.redraw_timer = QTimer(self)
        self.redraw_timer.setObjectName("redrawTimer")
        self.redraw_timer.setInterval(REDRAW_MS)
        self.validate_timer = QTimer(self)
        self.validate_timer.setObjectName("validateTimer")
        self.validate_timer.setSingleShot(True)
        self.validate_timer.setInterval(VALIDATE_MS)

    def _action(self, text: str, slot, shortcut=None, icon=None, tip: str = "", checkable=False) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            if isinstance(shortcut, (list, tuple)):
                action.setShortcuts([QKeySequence(s) for s in shortcut])
            else:
                action.setShortcut(QKeySequence(shortcut))
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.setCheckable(checkable)
        if checkable:
            action.toggled.connect(slot)
        else:
            action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        sp = QStyle.StandardPixmap
        self.open_action = self._action("&Open Data…", self.open_csv_dialog, QKeySequence.StandardKey.Open,
                                        sp.SP_DialogOpenButton,
                                        "Open a CSV or TSV file, a spreadsheet, a Parquet or Feather file, or a "
                                        "zipped CSV")
        self.open_setup_action = self._action("Open &Setup…", self.open_setup_dialog, "Ctrl+Shift+O",
                                              tip="Open a saved search setup (hpgui-setup/1 JSON)")
        self.save_setup_action = self._action("&Save Setup…", self.save_setup_dialog, QKeySequence.StandardKey.Save,
                                              sp.SP_DialogSaveButton, "Save the whole search setup as JSON")
        self.quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.library_action = self._action("Stu&dies…", self.open_library, "Ctrl+Shift+L",
                                           tip="List the stored studies: open, resume, rename, delete, export, "
                                               "compare")
        self.connect_action = self._action("&Connect to Study…", self.open_connect_dialog,
                                           tip="Watch a study in a database or journal file while workers fill it")
        self.stop_watching_action = self._action("Stop &Watching", self.studies.stop_watching,
                                                 tip="Stop following the watched study; its trials stay shown")
        self.stop_watching_action.setEnabled(False)
        self.studies.watchingChanged.connect(self.stop_watching_action.setEnabled)
        self.start_action = self._action("&Start", self.start_search, ["F5", "Ctrl+Return"], sp.SP_MediaPlay,
                                         "Start the search (F5)")
        self.pause_action = self._action("&Pause", self.set_paused, "F6", sp.SP_MediaPause,
                                         "Pause after the running trial; press again to resume (F6)",
                                         checkable=True)
        self.stop_action = self._action("S&top", self.stop_search, ["Shift+F5", "Ctrl+."], sp.SP_MediaStop,
                                        "Stop the search; finished trials are kept (Shift+F5)")
        self.export_all_action = self._action("Export &All to Folder…", self.export_all_dialog, "Ctrl+E",
                                              sp.SP_DirOpenIcon,
                                              "Write best.json, the script, the model and the trial table")
        self.export_best_action = self._action("Best &Config (JSON)…", lambda: self.export_one_dialog("best"))
        self.export_script_action = self._action("Reproducing &Script…", lambda: self.export_one_dialog("script"))
        self.export_model_action = self._action("Fitted &Model (skops)…", lambda: self.export_one_dialog("model"))
        self.export_trials_action = self._action("&Trial Table (CSV)…", lambda: self.export_one_dialog("trials"))
        self.export_chart_action = self._action("C&hart (PNG or SVG)…", lambda: self.export_one_dialog("chart"))
        self.show_failed_action = self._action("Show &Failed and Pruned Trials", self.history.set_show_failed,
                                               "Ctrl+Shift+F", checkable=True)
        self.show_failed_action.setChecked(True)
        self.manual_action = self._action("Use Selected Trial as a &Manual Configuration",
                                          self.copy_selected_to_manual, "Ctrl+M")
        self.about_action = self._action("&About hpgui", self.show_about)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.open_action)
        self.examples_menu = file_menu.addMenu("Open &Example")
        for label, name, target in EXAMPLES:
            action = self.examples_menu.addAction(label)
            action.triggered.connect(lambda _=False, n=name, t=target: self.open_example(n, t))
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.open_setup_action)
        file_menu.addAction(self.save_setup_action)
        file_menu.addSeparator()
        file_menu.addAction(self.library_action)
        file_menu.addAction(self.connect_action)
        file_menu.addAction(self.stop_watching_action)
        file_menu.addSeparator()
        export_menu = file_menu.addMenu("&Export")
        export_menu.addAction(self.export_all_action)
        export_menu.addSeparator()
        for action in (self.export_best_action, self.export_script_action, self.export_model_action,
                       self.export_trials_action, self.export_chart_action):
            export_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        search_menu = bar.addMenu("&Search")
        for action in (self.start_action, self.pause_action, self.stop_action):
            search_menu.addAction(action)
        search_menu.addSeparator()
        search_menu.addAction(self.manual_action)
        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.show_failed_action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.about_action)

        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.open_action, None, self.start_action, self.pause_action, self.stop_action, None,
                       self.export_all_action):
            if action is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(action)

    def _build_status(self) -> None:
        self.status_label = QLabel("Open a CSV file to start (File → Open, or drop it here).")
        self.status_label.setObjectName("statusText")
        self.time_label = QLabel()
        self.time_label.setObjectName("timeText")
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("searchProgress")
        self.progress_bar.setAccessibleName("Search progress")
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.setTextVisible(True)
        self.progress_bar.hide()
        status = self.statusBar()
        status.addWidget(self.status_label, 1)
        status.addPermanentWidget(self.time_label)
        status.addPermanentWidget(self.progress_bar)

    def _connect(self) -> None:
        self.start_page.openCsvRequested.connect(self.open_csv_dialog)
        self.start_page.exampleRequested.connect(self.try_example)
        self.start_page.openSetupRequested.connect(self.open_setup_dialog)
        self.start_page.recentRequested.connect(self.open_path)
        self.data_panel.datasetLoaded.connect(self._on_dataset_loaded)
        self.data_panel.datasetLoaded.connect(self.studies.after_dataset_loaded)
        self.data_panel.loadFailed.connect(self._on_load_failed)
        self.data_panel.selectionChanged.connect(self._on_task_changed)
        self.model_combo.currentIndexChanged.connect(self._on_model_changed)
        self.space_form.changed.connect(self.validate_timer.start)
        self.model_forms.changed.connect(self.validate_timer.start)
        self.compare_list.toggled.connect(self._on_compare_changed)
        self.search_panel.changed.connect(self.validate_timer.start)
        self.validate_timer.timeout.connect(self.validate)
        self.redraw_timer.timeout.connect(self.redraw)
        self.history.trialClicked.connect(self.table.select_number)
        self.history.showFailedChanged.connect(self.show_failed_action.setChecked)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection)
        for view in self.analysis_views:
            view.trialClicked.connect(self.table.select_number)
        self.compare_view().addRequested.connect(self.open_library)
        self.chart_tabs.currentChanged.connect(lambda _: self._refresh_current_view())
        self.table.customContextMenuRequested.connect(self._table_menu)
        self.best_panel.exportRequested.connect(self.export_all_dialog)
        self.best_panel.copyToManualRequested.connect(self._add_manual)
        advice = self.best_panel.advice
        advice.selectTrialRequested.connect(self.table.select_number)
        advice.copyToManualRequested.connect(self._add_manual)
        advice.widenRequested.connect(self.widen_and_continue)
        for view in self.analysis_views:
            threshold_changed = getattr(view, "thresholdChanged", None)  # the over-fitting gap threshold
            if threshold_changed is not None:
                threshold_changed.connect(self.table.source.set_gap_threshold)
        c = self.controller
        c.started.connect(self._on_started)
        c.trials.connect(self._on_trials)
        c.progress.connect(self._on_progress)
        c.finished.connect(self._on_finished)
        c.failed.connect(self._on_failed)
        c.invalid.connect(self._on_invalid)
        c.crashed.connect(self._on_crashed)
        c.runningChanged.connect(lambda _: self._update_actions())

    # ------------------------------------------------------------------ settings
    def _restore_settings(self) -> None:
        s = settings()
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = s.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        for splitter in (self.main_splitter, self.right_splitter, self.top_splitter):
            value = s.value(f"splitters/{splitter.objectName()}")
            if isinstance(value, QByteArray):
                splitter.restoreState(value)
        self.show_failed_action.setChecked(s.value("view/showFailed", True, type=bool))

    def _save_settings(self) -> None:
        s = settings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        for splitter in (self.main_splitter, self.right_splitter, self.top_splitter):
            s.setValue(f"splitters/{splitter.objectName()}", splitter.saveState())
        s.setValue("view/showFailed", self.show_failed_action.isChecked())
        s.sync()

    def last_folder(self) -> str:
        return settings().value("paths/lastFolder", str(Path.home()), type=str)

    def _remember(self, path: Path) -> None:
        s = settings()
        s.setValue("paths/lastFolder", str(path.parent))
        if path.suffix.lower() in (".csv", ".tsv", ".txt", ".json", *OTHER_SUFFIXES):
            recent = [p for p in s.value("paths/recent", [], type=list) if p != str(path)]
            s.setValue("paths/recent", [str(path), *recent][:MAX_RECENT])

    def recent_files(self) -> list[str]:
        return list(settings().value("paths/recent", [], type=list))

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_files()
        for path in recent:
            action = self.recent_menu.addAction(path)
            action.setEnabled(Path(path).exists())
            action.triggered.connect(lambda _=False, p=path: self.open_path(p))
        if not recent:
            self.recent_menu.addAction("No recent files").setEnabled(False)

    # ------------------------------------------------------------------ opening
    def open_path(self, path: str | Path) -> None:
        path = Path(path)
        if path.suffix.lower() == ".json":
            self.open_setup(path)
        else:
            self.open_csv(path)

    def open_csv(self, path: str | Path, target: str | None = None) -> None:
        path = Path(path)
        self._pending_setup = None
        self._pending_target = target
        self._remember(path.resolve())
        self.status_label.setText(f"Reading {path.name}…")
        self.data_panel.load(path)
        self.setup_tabs.setCurrentIndex(0)

    def open_example(self, name: str, target: str) -> None:
        self.open_csv(example_path(name), target=target)

    def try_example(self) -> None:
        """The penguins data with a ready setup: one click on Start runs a search."""
        self.open_setup(example_path(EXAMPLE_SETUP))

    def open_setup(self, path: str | Path) -> None:
        path = Path(path)
        try:
            setup = SearchSetup.load(path)
        except SetupError as exc:
            self.show_message("Cannot open this setup", str(exc), QMessageBox.Icon.Warning)
            return
        self._remember(path.resolve())
        self.load_setup_into_forms(setup)

    def load_setup_into_forms(self, setup: SearchSetup) -> None:
        """Read the setup's data file in the background, then fill every form from the setup."""
        self._pending_setup = setup
        self._pending_target = None
        self.data_panel.load(setup.data_path)

    def open_csv_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open data", self.last_folder(),
                                              "Data files (*.csv *.tsv *.txt "
                                              + " ".join(f"*{s}" for s in OTHER_SUFFIXES)
                                              + ");;Spreadsheets (" + " ".join(f"*{s}" for s in SPREADSHEET_SUFFIXES)
                                              + ");;All files (*)")
        if path:
            self.open_csv(path)

    def open_setup_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open setup", self.last_folder(),
                                              "hpgui setups (*.json);;All files (*)")
        if path:
            self.open_setup(path)

    def save_setup_dialog(self) -> None:
        setup = self.build_setup()
        if setup is None:
            self.show_message("Nothing to save", "Open a data file first.", QMessageBox.Icon.Information)
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save setup", str(Path(self.last_folder()) / "setup.json"),
                                              "hpgui setups (*.json)")
        if path:
            self.save_setup(path)

    def save_setup(self, path: str | Path) -> None:
        setup = self.build_setup()
        if setup is not None:
            setup.save(path)
            self.status_label.setText(f"Saved the setup to {path}")

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            self.open_path(urls[0].toLocalFile())
            event.acceptProposedAction()

    # ------------------------------------------------------------------ data and model
    def _on_dataset_loaded(self, dataset) -> None:
        setup = self._pending_setup
        self._pending_setup = None
        self._prep_key = None
        if setup is not None:
            features = list(setup.data.features) if setup.data.features else None
            self.data_panel.set_selection(setup.data.target, features, setup.data.task)
            task = self.data_panel.task() or setup.task_or()
            main, *others = setup.models
            self._fill_models(task, main)
            self.space_form.set_model(get_model(main), task, setup.model_space(main, task))
            self.space_form.setProperty("task", task)
            self.model_summary.setText(get_model(main).summary)
            self.model_forms.set_main_label(get_model(main).label)
            self.compare_list.blockSignals(True)
            self.compare_list.set_checked(others)
            self.compare_list.blockSignals(False)
            given = {m: setup.model_space(m, task) for m in others}
            self.model_forms.set_models(self.compare_list.checked(), task, self._sklearn_ready, given)
            self.search_panel.set_task(task)
            self.search_panel.apply(setup)
        elif self._pending_target is not None and self._pending_target in dataset.frame.columns:
            self.data_panel.set_target(self._pending_target)
        self._pending_target = None
        self.pages.setCurrentWidget(self.main_splitter)
        self.setWindowTitle(f"{dataset.path.name} — hpgui")
        self.status_label.setText(f"Loaded {dataset.path.name}: {dataset.rows:,} rows × "
                                  f"{len(dataset.columns)} columns.")
        self._on_task_changed()

    def _on_load_failed(self, path: str, message: str) -> None:
        self._pending_setup = None
        self.show_message(f"Cannot open {Path(path).name}", message, QMessageBox.Icon.Warning)
        self.status_label.setText(f"Could not open {Path(path).name}.")

    def current_task(self) -> str:
        return self.data_panel.task() or "classification"

    def _fill_models(self, task: str, wanted: str | None = None) -> None:
        current = wanted or self.model_combo.currentData()
        self.model_combo.blockSignals(True)
        self.model_combo.clear()
        for model in models_for(task):
            self.model_combo.addItem(model.label, model.name)
            self.model_combo.setItemData(self.model_combo.count() - 1, model.summary, Qt.ItemDataRole.ToolTipRole)
        names = [m.name for m in models_for(task)]
        choice = current if current in names else DEFAULT_MODEL.get(task, names[0])
        self.model_combo.setCurrentIndex(names.index(choice))
        self.model_combo.blockSignals(False)
        self.compare_list.blockSignals(True)
        self.compare_list.set_models(models_for(task), choice)
        self.compare_list.blockSignals(False)
        # Clustering has one model: nothing to compare.
        self.compare_label.setVisible(len(names) > 1)
        self.compare_list.setVisible(len(names) > 1)

    def _on_task_changed(self) -> None:
        task = self.current_task()
        before = self.model_combo.currentData()
        self._fill_models(task)
        self.search_panel.set_task(task)
        if self.model_combo.currentData() != before or self.space_form.property("task") != task:
            self._on_model_changed()
        else:
            self.validate_timer.start()

    def _on_model_changed(self) -> None:
        name = self.model_combo.currentData()
        if name is None:
            return
        model = get_model(name)
        task = self.current_task()
        self.model_summary.setText(model.summary)
        self.space_form.set_model(model, task)
        self.space_form.setProperty("task", task)
        if self._sklearn_ready:
            self.space_form.load_estimator_defaults()
        self.model_forms.set_main_label(model.label)
        self.compare_list.blockSignals(True)
        self.compare_list.set_models(models_for(task), name)
        self.compare_list.blockSignals(False)
        self._on_compare_changed()

    def _on_compare_changed(self) -> None:
        self.model_forms.set_models(self.compare_list.checked(), self.current_task(), self._sklearn_ready)
        self.validate_timer.start()

    def selected_models(self) -> list[str]:
        """The main model, then every ticked model to compare it with."""
        main = self.model_combo.currentData()
        return ([main] if main is not None else []) + [m for m in self.compare_list.checked() if m != main]

    # ------------------------------------------------------------------ validation
    def build_setup(self) -> SearchSetup | None:
        dataset = self.data_panel.dataset
        name = self.model_combo.currentData()
        if dataset is None or name is None:
            return None
        sp = self.search_panel
        models = self.selected_models()
        if len(models) > 1:
            forms = self.model_forms.forms()
            model, space = tuple(models), {m: forms[m].space() for m in models}
        else:
            model, space = name, self.space_form.space()
        return SearchSetup(
            data=DataSpec(path=str(Path(dataset.path).resolve()), target=self.data_panel.target(),
                          task=self.current_task(), features=tuple(self.data_panel.features())),
            model=model, space=space, preprocessing=sp.preprocessing(), strategy=sp.strategy(),
            evaluation=sp.evaluation(), metric=sp.metric(), budget=sp.budget(),
        )

    def validate(self) -> list[Problem]:
        """Check the whole setup, mark every problem where it belongs, and enable Start only when clean."""
        setup = self.build_setup()
        if setup is None:
            problems = [Problem("data.path", "Open a CSV file to start (File → Open, or drop it on the window).")]
        else:
            task = self.current_task()
            self.search_panel.set_space(setup.space_for(task))
            problems = setup.validate(task=task)
            problems += self._data_problems(setup, task)
            grid = None
            if setup.strategy.name == "grid" and not any(p.field.startswith("space") for p in problems):
                grid = setup.choice(task).grid_size()
            self.search_panel.set_grid_size(grid)
        self.problems = problems
        self.model_forms.set_problems([p for p in problems if p.field.startswith("space.")],
                                      multi=setup is not None and setup.is_multi)
        self.search_panel.set_problems([p for p in problems if p.field.split(".")[0] in
                                        ("strategy", "evaluation", "budget", "metric", "preprocessing")])
        self._mark_tabs(problems)
        general = [p for p in problems if p.field.split(".")[0] in ("data", "model", "study", "space", "")
                   and not p.field.startswith("space.")]
        if general:
            self.problem_label.setText("\n".join(f"⚠ {p.message}" for p in general))
            self.problem_label.show()
        else:
            self.problem_label.hide()
        self._update_actions()
        if not self.controller.is_running() and setup is not None:
            if problems:
                where = {p.field.split(".")[0] for p in problems}
                self.status_label.setText(f"{len(problems)} problem(s) to fix before starting "
                                          f"({', '.join(sorted(where))}).")
            else:
                self.status_label.setText("Ready: press Start (F5).")
        return problems

    TAB_TITLES = ("1 · Data", "2 · Model", "3 · Search")

    def _mark_tabs(self, problems: list[Problem]) -> None:
        """A warning sign on each setup tab that holds a problem, so a hidden one is not missed."""
        counts = [0, 0, 0]
        for p in problems:
            head = p.field.split(".")[0]
            if head in ("data", ""):
                counts[0] += 1
            elif head in ("space", "model"):
                counts[1] += 1
            else:
                counts[2] += 1
        for i, title in enumerate(self.TAB_TITLES):
            self.setup_tabs.setTabText(i, f"{title}  ⚠ {counts[i]}" if counts[i] else title)

    def _data_problems(self, setup: SearchSetup, task: str) -> list[Problem]:
        dataset = self.data_panel.dataset
        key = (id(dataset), setup.data.target, setup.data.features, task, setup.evaluation.min_class_size)
        if key != self._prep_key:
            self._prep_key = key
            try:
                data = prepare(dataset, setup.data.target, list(setup.data.features), task=task,
                               folds=setup.evaluation.min_class_size)
            except DatasetError as exc:
                self._prep_problem = Problem("data", str(exc))
                self._prep_categorical = []
            else:
                self._prep_problem = None
                self._prep_categorical = data.categorical
        problems = [self._prep_problem] if self._prep_problem is not None else []
        return problems + check_preprocessing(setup.preprocessing, self._prep_categorical)

    def _update_actions(self) -> None:
        running = self.controller.is_running()
        ready = not self.problems and self.data_panel.dataset is not None
        self.start_action.setEnabled(ready and not running)
        self.pause_action.setEnabled(running)
        self.stop_action.setEnabled(running)
        if not running and self.pause_action.isChecked():
            self.pause_action.blockSignals(True)
            self.pause_action.setChecked(False)
            self.pause_action.blockSignals(False)
        has_best = self.store.best is not None and self.run_setup is not None
        for action in (self.export_all_action, self.export_best_action, self.export_script_action,
                       self.export_model_action):
            action.setEnabled(has_best and not running)
        if running:
            self.best_panel.advice.set_can_widen(False, "Wait until the search finishes (or stop it) to widen "
                                                        "its ranges and continue.")
        elif self.run_setup is not None and self.run_setup.strategy.name == "grid":
            self.best_panel.advice.set_can_widen(False, "A grid search queued its points when it started; set the "
                                                        "wider range in the Model tab and start a new study.")
        else:
            self.best_panel.advice.set_can_widen(True)
        self.export_trials_action.setEnabled(len(self.store) > 0)
        self.export_chart_action.setEnabled(len(self.store) > 0)
        for widget in (self.data_panel, self.model_forms, self.search_panel, self.model_combo, self.compare_list):
            widget.setEnabled(not running)
        self.open_action.setEnabled(not running)
        self.open_setup_action.setEnabled(not running)
        self.examples_menu.setEnabled(not running)
        self.recent_menu.setEnabled(not running)
        self.connect_action.setEnabled(not running)

    # ------------------------------------------------------------------ the search
    def start_search(self, study_name: str | None = None, storage: str | None = None,
                     setup: SearchSetup | None = None) -> bool:
        """Start a search with the forms' setup: a new study, or more trials of ``study_name`` in ``storage``.

        Continuing a study first shows every trial it already has (the child sends them). ``setup``
        (a stored study's own) replaces the forms', so a resumed study searches exactly what it did.
        While a study is watched, Start joins it as one more worker.
        """
        if self.controller.is_running():
            return False
        if study_name is None and setup is None:
            joined = self.studies.join_args()
            if joined is not None:
                study_name, storage, setup = joined
        if setup is None:
            problems = self.validate()
            setup = self.build_setup()
            if problems or setup is None:
                return False
            task = self.current_task()
            dataset = self.data_panel.dataset
        else:
            task = setup.task_or(self.current_task())
            dataset = self.data_panel.dataset
            if dataset is None or Path(dataset.path).resolve() != setup.data_path.resolve():
                dataset = None  # the export reads the study's own file
        choice = setup.choice(task)
        space, names = choice.space, choice.order
        metric = get_metric(setup.metric_for(task))
        self.show_trials(names, {n: space[n] for n in names}, metric, [], setup=setup,
                         study_name=study_name or default_study_name(setup), storage=storage, dataset=dataset,
                         specs=choice.specs())
        self.studies.store_was_reset()
        self._run_started = time.monotonic()
        job = Job(setup=setup.to_json(), base_dir=None, study_name=self.study_name, storage=storage,
                  workers=self.search_panel.workers())
        self.controller.start(job)
        self.redraw_timer.start()
        self.progress_bar.setRange(0, setup.budget.trials or 0)
        self.progress_bar.setValue(0)
        self.progress_bar.show()
        workers = f" on {job.workers} workers" if job.workers > 1 else ""
        self.status_label.setText(f"Searching with {setup.strategy.name}{workers}… (study {self.study_name})")
        return True

    def show_trials(self, names: list[str], space: dict, metric, records: list, *, setup: SearchSetup | None,
                    study_name: str, storage: str | None, dataset: Any = None, specs: dict | None = None) -> None:
        """Point every view at one study (its parameters, ranges and metric) and show ``records``."""
        self.pages.setCurrentWidget(self.main_splitter)  # a stored study shows even without its data file
        self.store.reset(metric.direction, names)
        self.table.source.set_params(names)
        self.history.clear()
        self.history.set_metric(metric.label, metric.greater_is_better)
        self.best_chart.set_space(space)
        for view in self.analysis_views:
            view.set_context(space, metric)
        self.compare_view().set_current(study_name)
        self.best_panel.set_metric(metric)
        self.best_panel.clear()
        self.best_panel.advice.set_context(space, specs or {}, metric.greater_is_better)
        self._best_number = None
        self.progress = None
        self.run_setup = setup
        self.run_dataset = dataset
        self.study_name = study_name
        self.study_storage = storage
        if records:
            self.store.add(records)
        self.redraw()
        self._update_actions()

    def widen_and_continue(self, ranges: dict) -> bool:
        """Range advice: put the wider ``ranges`` in the Model tab and run as many trials again in this study.

        "As many again" is the number of trials the last run added, so repeated widening does not snowball.
        """
        if self.controller.is_running() or self.run_setup is None or self.study_name is None:
            return False
        forms = self.model_forms.forms()
        for name, hp in ranges.items():
            model, _, own = name.partition(".")
            if own and model in forms and len(forms) > 1:  # "svm.C": the C row of the SVM's form
                forms[model].row(own).set_hyperparameter(hp)
            else:
                self.space_form.row(name).set_hyperparameter(hp)
        panel = self.search_panel
        if panel.trials_box.isChecked() and self.run_setup.budget.trials:
            # The trial budget counts the whole study, so "as many again" starts from what it holds.
            step = max(1, self.run_setup.budget.trials - getattr(self, "_continued_from", 0))
            panel.trials_spin.setValue(len(self.store) + step)
        self.setup_tabs.setCurrentIndex(1)
        widened = ", ".join(f"{n} {format_param(h.low)}–{format_param(h.high)}" for n, h in ranges.items())
        if not self.start_search(study_name=self.study_name, storage=self.study_storage):
            self.status_label.setText(f"Widened {widened}; fix the problems shown before continuing.")
            return False
        self.status_label.setText(f"Widened {widened}; continuing study {self.study_name}…")
        return True

    def set_paused(self, paused: bool) -> None:
        self.controller.pause(paused)
        if paused:
            self.status_label.setText("Paused: the running trial finishes, then the search waits. "
                                      "Press Pause again to resume.")
        else:
            self.status_label.setText("Resumed.")

    def stop_search(self) -> None:
        if self.controller.is_running():
            self.status_label.setText("Stopping… finished trials are kept.")
            self.controller.stop()

    def _on_started(self, study: str, storage: str, existing: list) -> None:
        self._continued_from = len(existing)  # trials the study held before this run
        if existing:
            self.store.add(existing)

    def _on_trials(self, batch: list) -> None:
        self.store.add(batch)

    def _on_progress(self, progress) -> None:
        self.progress = progress

    def redraw(self) -> None:
        """Bring every view up to date with the store; runs on the redraw timer."""
        self._refresh_current_view()
        self.table.source.sync()
        best = self.store.best
        number = best.number if best is not None else None
        if number != self._best_number:
            self._best_number = number
            self.best_panel.show_best(best, len(self.store))
        self.best_panel.set_trial_count(len(self.store))
        self.best_panel.advice.refresh(self.store)
        for view in self.analysis_views:
            keep_up = getattr(view, "keep_up", None)  # work a hidden view owes other widgets (the table)
            if keep_up is not None:
                keep_up(self.store)
        self._update_progress()
        if self.studies.watching and not self.controller.is_running():
            self.status_label.setText(self.studies.status_text())

    def _refresh_current_view(self) -> None:
        # Hidden charts wait: each catches up when its tab is shown (with 100,000 trials a hidden
        # history chart would cost a live redraw 100 ms or more for nothing).
        view = self.chart_tabs.currentWidget()
        if isinstance(view, (AnalysisView, HistoryChart, BestParamsChart)):
            view.refresh(self.store)

    def _on_table_selection(self, *_) -> None:
        number = self.table.selected_number()
        self.history.select_trial(number)
        for view in self.analysis_views:
            view.select_trial(number)

    def _update_progress(self) -> None:
        if self.run_setup is None:
            return
        done = len(self.store)
        elapsed = time.monotonic() - self._run_started if self.controller.is_running() else None
        budget = self.run_setup.budget.trials
        if budget:
            self.progress_bar.setMaximum(budget)
            self.progress_bar.setValue(min(done, budget))
            self.progress_bar.setFormat(f"{done} / {budget} trials")
        else:
            self.progress_bar.setFormat(f"{done} trials")
        if elapsed is not None:
            text = f"{clock(elapsed)} elapsed"
            progress = self.progress
            if progress is not None and progress.remaining_s is not None:
                text += f" · ~{clock(progress.remaining_s)} left"
            self.time_label.setText(text)

    def _search_over(self) -> None:
        if not self.studies.watching:
            self.redraw_timer.stop()
        self.redraw()
        self.time_label.setText(f"took {clock(time.monotonic() - self._run_started)}")
        self.progress_bar.hide()
        self._update_actions()

    def _keep_snapshot(self) -> None:
        """A large study in the default storage gets its snapshot once its search has ended, in the
        background, so opening it from File → Studies… skips Optuna's journal replay."""
        if self.study_storage is not None or self.study_name is None or self.studies.watching:
            return
        from superqt.utils import create_worker

        from ..core.library import keep_snapshot

        create_worker(keep_snapshot, None, self.study_name, len(self.store), _start_thread=True)

    def _summary(self) -> str:
        best = self.store.best
        if best is None:
            return f"{len(self.store)} trials, none completed"
        metric = self.best_panel.metric_label() if hasattr(self.best_panel, "metric_label") else "score"
        return f"{len(self.store)} trials; best {metric} {best.value:.6g} (trial {best.number})"

    def _on_finished(self, reason: str, ran: int) -> None:
        self._search_over()
        self._keep_snapshot()
        why = STOP_REASONS.get(reason, reason)
        self.status_label.setText(f"Finished ({why}): {self._summary()}.")
        self.searchFinished.emit(reason)

    def _on_failed(self, message: str) -> None:
        self._search_over()
        self.status_label.setText("The search stopped: its trials all failed.")
        self.show_message("Every trial failed", message + "\n\nThe failed trials and their errors are in the "
                          "table. Check the ranges, the preprocessing or the model.", QMessageBox.Icon.Warning)
        self.searchFinished.emit("failed")

    def _on_invalid(self, message: str) -> None:
        self._search_over()
        self.status_label.setText("The search could not start.")
        self.show_message("The search could not start", message, QMessageBox.Icon.Warning)
        self.searchFinished.emit("invalid")

    def _on_crashed(self, details: str) -> None:
        self._search_over()
        self.status_label.setText("The search ended unexpectedly; finished trials are kept.")
        if self.error_reporter is not None:
            self.error_reporter.report("The search ended unexpectedly", details)
        else:
            self.show_message("The search ended unexpectedly", details, QMessageBox.Icon.Critical)
        self.searchFinished.emit("crashed")

    # ------------------------------------------------------------------ trials and manual configurations
    def _table_menu(self, pos) -> None:
        number = self.table.selected_number()
        if number is None:
            return
        menu = QMenu(self)
        menu.addAction(self.manual_action)
        menu.exec(self.table.viewport().mapToGlobal(pos))

    def copy_selected_to_manual(self) -> None:
        number = self.table.selected_number()
        if number is None:
            return
        index = self.store.index_of(number)
        if index is not None:
            self._add_manual(dict(self.store[index].params))

    def _add_manual(self, params: dict) -> None:
        self.search_panel.add_manual(params)
        self.setup_tabs.setCurrentWidget(self.search_panel)
        self.status_label.setText("Added a manual configuration; edit it on the Search tab. It runs first "
                                  "in the next search.")

    # ------------------------------------------------------------------ export
    def _export_source(self) -> Callable[[], Any]:
        """A factory for the finished search, bound now on the GUI thread to the data it ran on."""
        from ..core.runner import Search

        setup, dataset, study, storage = self.run_setup, self.run_dataset, self.study_name, self.study_storage
        return lambda: Search(setup, dataset=dataset, study_name=study, storage=storage)

    def export_all_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export into folder", self.last_folder())
        if folder:
            self.export_all(folder)

    def export_all(self, folder: str | Path) -> None:
        from ..core.export import export_all

        records = list(self.store.records)
        search_for_export = self._export_source()

        def work():
            export_all(search_for_export(), Path(folder), records)
            return f"Exported best.json, trials.csv, best_pipeline.py and model.skops to {folder}"

        self._in_background(work, "Exporting (refitting the best model)…")

    def export_one_dialog(self, what: str) -> None:
        names = {"best": ("best.json", "JSON (*.json)"), "script": ("best_pipeline.py", "Python (*.py)"),
                 "model": ("model.skops", "skops model (*.skops)"), "trials": ("trials.csv", "CSV (*.csv)"),
                 "chart": ("history.png", "PNG image (*.png);;SVG image (*.svg)")}
        default, filters = names[what]
        path, _ = QFileDialog.getSaveFileName(self, "Export", str(Path(self.last_folder()) / default), filters)
        if path:
            self.export_one(what, path)

    def export_one(self, what: str, path: str | Path) -> None:
        from ..core import export

        path = Path(path)
        records = list(self.store.records)
        if what == "chart":
            chart = self.chart_tabs.currentWidget()
            chart.export_image(str(path))
            self.status_label.setText(f"Saved the chart to {path}")
            self.exportFinished.emit(str(path))
            return
        if what == "trials":
            export.write_trials(path, records, self.table.source.params)
            self.status_label.setText(f"Saved {len(records)} trials to {path}")
            self.exportFinished.emit(str(path))
            return

        search_for_export = self._export_source()

        def work():
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

        self._in_background(work, f"Exporting {path.name}…")

    def _in_background(self, work: Callable[[], str], message: str) -> None:
        from superqt.utils import create_worker

        worker = create_worker(work)
        self._exports.append(worker)
        self.status_label.setText(message)

        def returned(text: str) -> None:
            self.status_label.setText(text)
            self.exportFinished.emit(text)

        def errored(exc: BaseException) -> None:
            self.show_message("Export failed", f"{type(exc).__name__}: {exc}", QMessageBox.Icon.Warning)
            self.exportFinished.emit("")

        worker.returned.connect(returned)
        worker.errored.connect(errored)
        worker.finished.connect(lambda: self._exports.remove(worker) if worker in self._exports else None)
        worker.start()

    # ------------------------------------------------------------------ stored studies
    def open_library(self) -> None:
        from .library_dialog import LibraryDialog

        # One dialog, kept: its background listings may still report after it is closed.
        if self.library is None:
            self.library = LibraryDialog(self)
        else:
            self.library.refresh()
        self.library.show()
        self.library.raise_()

    def compare_view(self) -> CompareView:
        return next(v for v in self.analysis_views if isinstance(v, CompareView))

    def compare_studies(self, studies: list[tuple[str | None, str]]) -> None:
        """Draw stored studies' best-so-far curves beside this window's study, on the Compare tab."""
        view = self.compare_view()
        view.add_studies(studies)
        self.pages.setCurrentWidget(self.main_splitter)  # also from the start page, with no data open
        self.chart_tabs.setCurrentWidget(view)

    def open_connect_dialog(self) -> None:
        from .connect_dialog import ConnectDialog

        if self.connect_dialog is None:
            self.connect_dialog = ConnectDialog(self)
            self.connect_dialog.chosen.connect(self.studies.watch)
        self.connect_dialog.show()
        self.connect_dialog.raise_()

    # ------------------------------------------------------------------ dialogs
    def show_message(self, title: str, text: str, icon=QMessageBox.Icon.Information) -> None:
        """A non-blocking message box; also recorded in ``messages``."""
        self.messages.append((title, text))
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _ask(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def show_about(self) -> None:
        import optuna
        import pandas
        import pyqtgraph
        import PySide6
        import sklearn
        from PySide6.QtCore import qVersion

        QMessageBox.about(self, "About hpgui", (
            f"<h3>hpgui {__version__}</h3>"
            "<p>Point-and-click hyperparameter tuning for scikit-learn models.</p>"
            f"<p>Python {'.'.join(map(str, __import__('sys').version_info[:3]))} · Qt {qVersion()} · "
            f"PySide6 {PySide6.__version__}<br>scikit-learn {sklearn.__version__} · Optuna {optuna.__version__} · "
            f"pandas {pandas.__version__} · pyqtgraph {pyqtgraph.__version__}</p>"
        ))

    # ------------------------------------------------------------------ closing
    def closeEvent(self, event: QCloseEvent) -> None:
        if self.controller.is_running() and self.redraw_timer.isActive():  # finished searches are not asked about
            if not self.confirm("Stop the search?", "A search is running. Stop it and close hpgui?\n\n"
                                "Every finished trial is already saved."):
                event.ignore()
                return
        self.studies.shutdown()
        self.redraw_timer.stop()
        self.validate_timer.stop()
        self.controller.shutdown()
        self.data_panel.shutdown()
        from superqt.utils import WorkerBase

        WorkerBase.await_workers(30_000)
        self._save_settings()
        event.accept()

