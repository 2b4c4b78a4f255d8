"""Opening files: a CSV, an example, a setup, a recent file or a dropped one; saving the setup.

A dataset the user opens replaces the study on screen (the session's rule); a stored study's own
data file, read to fill the forms with its setup, does not.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMenu

from ...core.readers import OTHER_SUFFIXES, SPREADSHEET_SUFFIXES
from ...core.setup import SearchSetup, SetupError
from ..start_page import EXAMPLE_SETUP
from .settings import last_folder, recent_files, remember

if TYPE_CHECKING:
    from .shell import MainWindow


def example_path(name: str) -> Path:
    return Path(str(files("hpgui.resources.examples") / name))


class Opening(QObject):
    def __init__(self, window: "MainWindow"):
        super().__init__(window)
        self.window = window
        self.session = window.session
        self._pending_setup: SearchSetup | None = None
        self._pending_target: str | None = None
        window.data_panel.datasetLoaded.connect(self._on_dataset_loaded)
        window.data_panel.loadFailed.connect(self._on_load_failed)

    def open_path(self, path: str | Path) -> None:
        path = Path(path)
        if path.suffix.lower() == ".json":
            self.open_setup(path)
        else:
            self.open_csv(path)

    def open_csv(self, path: str | Path, target: str | None = None) -> None:
        w, path = self.window, Path(path)
        self._pending_setup = None
        self._pending_target = target
        self.session.setup_opened()
        remember(path.resolve())
        w.notifier.say(f"Reading {path.name}…")
        w.data_panel.load(path)
        w.setup_tabs.setCurrentIndex(0)

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
            self.window.notifier.warn("Cannot open this setup", str(exc))
            return
        remember(path.resolve())
        self.session.setup_opened()
        self.load_setup_into_forms(setup)

    def load_setup_into_forms(self, setup: SearchSetup, for_study: bool = False) -> None:
        """Read the setup's data file in the background, then fill every form from the setup."""
        self._pending_setup = setup
        self._pending_target = None
        self.window.data_panel.load(setup.data_path, sheet=setup.data.sheet, header_row=setup.data.header_row)

    def open_csv_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open data", last_folder(),
                                              "Data files (*.csv *.tsv *.txt "
                                              + " ".join(f"*{s}" for s in OTHER_SUFFIXES)
                                              + ");;Spreadsheets (" + " ".join(f"*{s}" for s in SPREADSHEET_SUFFIXES)
                                              + ");;All files (*)")
        if path:
            self.open_csv(path)

    def open_setup_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open setup", last_folder(),
                                              "hpgui setups (*.json);;All files (*)")
        if path:
            self.open_setup(path)

    def save_setup_dialog(self) -> None:
        if self.window.binding.build_setup() is None:
            self.window.notifier.info("Nothing to save", "Open a data file first.")
            return
        path, _ = QFileDialog.getSaveFileName(self.window, "Save setup", str(Path(last_folder()) / self.setup_name()),
                                              "hpgui setups (*.json)")
        if path:
            self.save_setup(path)

    def setup_name(self) -> str:
        """A file name that says what the setup is: "penguins-random_forest-setup.json"."""
        setup = self.window.binding.build_setup()
        if setup is None:
            return "setup.json"
        stem = "".join(c if c.isalnum() or c in "-_." else "-" for c in Path(setup.data.path).stem) or "data"
        return f"{stem}-{'+'.join(setup.models)}-setup.json"

    def save_setup(self, path: str | Path) -> None:
        setup = self.window.binding.build_setup()
        if setup is None:
            return
        try:
            setup.save(path)
        except OSError as exc:
            self.window.notifier.warn("Cannot save the setup", f"{path} could not be written: {exc.strerror or exc}.")
            return
        self.window.notifier.say(f"Saved the setup to {path}")

    def fill_recent_menu(self, menu: QMenu) -> None:
        menu.clear()
        recent = recent_files()
        for path in recent:
            action = menu.addAction(path)
            action.setEnabled(Path(path).exists())
            action.triggered.connect(lambda _=False, p=path: self.open_path(p))
        if not recent:
            menu.addAction("No recent files").setEnabled(False)

    # -- the data arrived ----------------------------------------------------------------------------
    def _on_dataset_loaded(self, dataset) -> None:
        w = self.window
        setup, self._pending_setup = self._pending_setup, None
        self.session.data_loaded(dataset.path)  # a new dataset takes the old study off screen
        w.search_panel.forget_metric_pick()  # a new target: the metric follows its default again
        if setup is not None:
            features = list(setup.data.features) if setup.data.features else None
            w.data_panel.set_selection(setup.data.target, features, setup.data.task)
            w.data_panel.set_roles(setup.data.weight, setup.evaluation.group, setup.evaluation.order,
                                   setup.data.dates)
            task = w.data_panel.task() or setup.task_or()
            w.model_panel.apply(setup, task)
            w.search_panel.set_task(task)
            w.search_panel.apply(setup)
        else:
            if self._pending_target is not None and self._pending_target in dataset.frame.columns:
                w.data_panel.set_target(self._pending_target)
            task = w.data_panel.task() or "classification"
            w.model_panel.start_afresh(task)
            w.search_panel.start_afresh(task)
        self._pending_target = None
        w.pages.setCurrentWidget(w.main_splitter)
        w.update_title()
        w.notifier.say(f"Loaded {dataset.path.name}: {dataset.rows:,} rows × {len(dataset.columns)} columns.")
        w.binding.task_changed()

    def _on_load_failed(self, path: str, message: str) -> None:
        self._pending_setup = None
        self.window.notifier.warn(f"Cannot open {Path(path).name}", message)
        self.window.notifier.say(f"Could not open {Path(path).name}.")
