"""Every menu and toolbar action of the window, and their enabled state, read from the session.

To add an action: make it in :meth:`WindowActions._make` (one ``self._action`` line with its slot),
and put its attribute name in one of the menu lists below (``FILE_MENU``, ``EXPORT_MENU``, ...).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QStyle

if TYPE_CHECKING:
    from .shell import MainWindow

# Menus, top to bottom: attribute names of actions, "-" for a separator, and "menu:NAME" for the
# sub-menus made in _menus (examples, recent, export).
FILE_MENU = ("open", "menu:examples", "menu:recent", "-", "open_setup", "save_setup", "-", "library", "connect",
             "stop_watching", "-", "menu:export", "export_report", "-", "quit")
EXPORT_MENU = ("export_all", "-", "export_best", "export_script", "export_model", "export_trials", "export_chart")
SEARCH_MENU = ("start", "pause", "stop", "-", "manual")
VIEW_MENU = ("show_failed", "-", "panel_setup", "panel_best", "panel_table", "-", "reset_layout")
HELP_MENU = ("about",)
TOOLBAR = ("open", "-", "start", "pause", "stop", "-", "export_all")

# The example datasets of File → Open Example: (menu label, file in hpgui.resources.examples, target).
EXAMPLES = (
    ("Iris (classification)", "iris.csv", "species"),
    ("Wine (classification)", "wine.csv", "cultivar"),
    ("Breast cancer (classification)", "breast_cancer.csv", "diagnosis"),
    ("Diabetes (regression)", "diabetes.csv", "progression"),
    ("Penguins (missing values, text columns)", "penguins.csv", "species"),
)


class WindowActions(QObject):
    def __init__(self, window: "MainWindow"):
        super().__init__(window)
        self.window = window
        self._make()
        self._menus()

    def _action(self, text: str, slot, shortcut=None, icon=None, tip: str = "", checkable=False) -> QAction:
        window = self.window
        action = QAction(text, window)
        if shortcut is not None:
            if isinstance(shortcut, (list, tuple)):
                action.setShortcuts([QKeySequence(s) for s in shortcut])
            else:
                action.setShortcut(QKeySequence(shortcut))
        if icon is not None:
            action.setIcon(window.style().standardIcon(icon))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.setCheckable(checkable)
        (action.toggled if checkable else action.triggered).connect(slot)
        return action

    def _make(self) -> None:
        w, a, sp = self.window, self._action, QStyle.StandardPixmap
        opener, search, exports, studies = w.opener, w.search, w.exports, w.studies
        self.open = a("&Open Data…", opener.open_csv_dialog, QKeySequence.StandardKey.Open, sp.SP_DialogOpenButton,
                      "Open a CSV or TSV file, a spreadsheet, a Parquet or Feather file, or a zipped CSV")
        self.open_setup = a("Open &Setup…", opener.open_setup_dialog, "Ctrl+Shift+O",
                            tip="Open a saved search setup (hpgui-setup/1 JSON)")
        self.save_setup = a("&Save Setup…", opener.save_setup_dialog, QKeySequence.StandardKey.Save,
                            sp.SP_DialogSaveButton, "Save the whole search setup as JSON")
        self.quit = a("&Quit", w.close, QKeySequence.StandardKey.Quit)
        self.library = a("Stu&dies…", w.open_library, "Ctrl+Shift+L",
                         tip="List the stored studies: open, resume, rename, delete, export, compare")
        self.connect = a("&Connect to Study…", w.open_connect_dialog,
                         tip="Watch a study in a database or journal file while workers fill it")
        self.stop_watching = a("Stop &Watching", studies.stop_watching,
                               tip="Stop following the watched study; its trials stay shown")
        self.start = a("&Start", lambda: search.start_search(), ["F5", "Ctrl+Return"], sp.SP_MediaPlay,
                       "Start the search (F5)")
        self.pause = a("&Pause", search.set_paused, "F6", sp.SP_MediaPause,
                       "Pause after the running trial; press again to resume (F6)", checkable=True)
        self.stop = a("S&top", search.stop_search, ["Shift+F5", "Ctrl+."], sp.SP_MediaStop,
                      "Stop the search; finished trials are kept (Shift+F5)")
        self.export_all = a("Export &All to Folder…", exports.export_all_dialog, "Ctrl+E", sp.SP_DirOpenIcon,
                            "Write best.json, the script, the model and the trial table")
        self.export_best = a("Best &Config (JSON)…", lambda: exports.export_one_dialog("best"))
        self.export_script = a("Reproducing &Script…", lambda: exports.export_one_dialog("script"))
        self.export_model = a("Fitted &Model (skops)…", lambda: exports.export_one_dialog("model"))
        self.export_trials = a("&Trial Table (CSV)…", lambda: exports.export_one_dialog("trials"))
        self.export_chart = a("C&hart (PNG or SVG)…", lambda: exports.export_one_dialog("chart"))
        self.show_failed = a("Show &Failed and Pruned Trials", w.history.set_show_failed, "Ctrl+Shift+F",
                             checkable=True)
        self.show_failed.setChecked(True)
        # Panels to hide for more room for a chart, and the way back to the first layout.
        self.panel_setup = a("&Setup Panel", lambda on: w.set_panel_visible("setup", on), "Ctrl+1", checkable=True)
        self.panel_best = a("&Best Panel", lambda on: w.set_panel_visible("best", on), "Ctrl+2", checkable=True)
        self.panel_table = a("&Trial Table", lambda on: w.set_panel_visible("table", on), "Ctrl+3", checkable=True)
        for action in (self.panel_setup, self.panel_best, self.panel_table):
            action.setChecked(True)
        self.reset_layout = a("&Reset Layout", w.reset_layout, tip="Show every panel at its first size, and fit "
                                                                   "the window to the screen")
        self.manual = a("Use Selected Trial as a &Manual Configuration", w.copy_selected_to_manual, "Ctrl+M")
        self.about = a("&About hpgui", w.show_about)
        self.export_report = w.report_export.action  # File → Export Report…, made by its owner

    def _menus(self) -> None:
        w = self.window
        bar = w.menuBar()
        self.examples_menu = QMenu("Open &Example", w)
        for label, name, target in EXAMPLES:
            action = self.examples_menu.addAction(label)
            action.triggered.connect(lambda _=False, n=name, t=target: w.opener.open_example(n, t))
        self.recent_menu = QMenu("Open &Recent", w)
        self.recent_menu.aboutToShow.connect(lambda: w.opener.fill_recent_menu(self.recent_menu))
        self.export_menu = QMenu("&Export", w)
        self._fill(self.export_menu, EXPORT_MENU)
        for title, entries in (("&File", FILE_MENU), ("&Search", SEARCH_MENU), ("&View", VIEW_MENU),
                               ("&Help", HELP_MENU)):
            self._fill(bar.addMenu(title), entries)
        toolbar = w.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._fill(toolbar, TOOLBAR)

    def _fill(self, menu, entries) -> None:
        for entry in entries:
            if entry == "-":
                menu.addSeparator()
            elif entry.startswith("menu:"):
                menu.addMenu(getattr(self, f"{entry[5:]}_menu"))
            else:
                menu.addAction(getattr(self, entry))

    def update(self) -> None:
        """Enable what applies now: from the session's state and the setup's problems."""
        w, session = self.window, self.window.session
        # The controller's thread outlives the session's run by a moment: Start waits for both.
        running = session.running or w.controller.is_running()
        ready = not w.binding.problems and w.data_panel.dataset is not None
        self.start.setEnabled(ready and not running)
        self.pause.setEnabled(running)
        self.stop.setEnabled(running)
        if not running and self.pause.isChecked():
            self.pause.blockSignals(True)
            self.pause.setChecked(False)
            self.pause.blockSignals(False)
        for action in (self.export_all, self.export_best, self.export_script, self.export_model):
            action.setEnabled(session.can_export)
            action.setToolTip(session.export_blocker() or action.statusTip())
        self.export_trials.setEnabled(session.can_export_trials)
        self.export_report.setEnabled(session.can_export and not running and not w.report_export.busy)
        self.export_chart.setEnabled(session.can_export_trials)
        self.stop_watching.setEnabled(session.watching)
        for action in (self.open, self.open_setup, self.connect):
            action.setEnabled(not running)
        self.examples_menu.setEnabled(not running)
        self.recent_menu.setEnabled(not running)
