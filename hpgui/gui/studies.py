"""Stored studies in the window: open, resume, export and watch them.

:class:`StudyPoller` is a QObject on its own QThread: it opens a study (which may
sit on a database server across the network), sends all its trials once, and
then every :data:`POLL_S` only the trials that are new or changed, so a window
can follow workers on other machines. The GUI thread never waits on the storage.

:class:`StudySession` is the window's side: it puts a loaded study into the
window's store, charts, table, best panel and forms, starts and stops watching,
and keeps the status line ("Watching study X at postgresql://ana:***@db/hp — N
trials"). Storage URLs are shown only through ``redact``.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QProgressBar, QToolButton

from ..core.library import (LibraryError, LoadCancelled, LoadedStudy, StudyWatcher, load_study, scrub,
                            storage_label)

if TYPE_CHECKING:
    from .main_window import MainWindow

log = logging.getLogger(__name__)

POLL_S = 1.0
RETRY_S = 5.0


class StudyPoller(QObject):
    loaded = Signal(object)     # LoadedStudy, once, first
    trials = Signal(list)       # new or changed TrialRecords
    total = Signal(int)         # trials in the study now
    problem = Signal(str)       # the storage did not answer (the poller keeps trying); "" when it answers again
    failed = Signal(str)        # the study could not be opened at all; the poller has stopped
    done = Signal()

    def __init__(self, storage: str | None, name: str, interval_s: float = POLL_S):
        super().__init__()
        self.storage = storage
        self.name = name
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._resend = threading.Event()

    def request_stop(self) -> None:
        self._stop.set()

    def resend(self) -> None:
        """Send every trial again at the next look (the window cleared its store)."""
        self._resend.set()

    @Slot()
    def run(self) -> None:
        try:
            self._loop()
        finally:
            self.done.emit()

    def _loop(self) -> None:
        try:
            watcher = StudyWatcher(self.storage, self.name)
            study = load_study(self.storage, self.name)
        except LibraryError as exc:
            self.failed.emit(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - reported as a message, never a traceback
            self.failed.emit(f"cannot open study {self.name!r} in {storage_label(self.storage)}: "
                             f"{type(exc).__name__}: {scrub(str(exc), self.storage)[:300]}")
            return
        first = watcher.poll()
        self.loaded.emit(study)
        # Trials that finished between the load and the first look would otherwise be missed.
        known = {r.number: r.state for r in study.records}
        late = [r for r in first if known.get(r.number) != r.state]
        if late:
            self.trials.emit(late)
        self.total.emit(watcher.total)
        troubled = False
        while not self._stop.wait(RETRY_S if troubled else self.interval_s):
            if self._resend.is_set():
                self._resend.clear()
                watcher.reset()
            try:
                changed = watcher.poll()
            except Exception as exc:  # noqa: BLE001 - a dropped connection: say so and keep trying
                troubled = True
                self.problem.emit(f"{type(exc).__name__}: {scrub(' '.join(str(exc).split()), self.storage)[:200]}")
                continue
            if troubled:
                troubled = False
                self.problem.emit("")
            if changed:
                self.trials.emit(changed)
            self.total.emit(watcher.total)


class StudySession(QObject):
    """The stored study the window shows, and whether it is being watched."""

    shown = Signal(str)          # a stored study is now in the window (its name)
    watchingChanged = Signal(bool)
    # Reading a study reports from its worker thread; a signal of this GUI-thread object queues it here.
    _loadProgress = Signal(int, object, str)  # (which load, fraction or None, text)

    def __init__(self, window: "MainWindow"):
        super().__init__(window)
        self.window = window
        self.loaded: LoadedStudy | None = None
        self.storage: str | None = None
        self._thread: QThread | None = None
        self._poller: StudyPoller | None = None
        self._total = 0
        self._problem = ""
        self._loads: list[Any] = []
        self._load_serial = 0  # which open() is current: an older one's progress and result are dropped
        self._load_cancel: threading.Event | None = None
        self._load_bar: QProgressBar | None = None
        self._load_cancel_button: QToolButton | None = None
        self._loadProgress.connect(self._on_load_progress)
        self._retitle: str | None = None  # the study whose dataset is loading into the forms
        # A search that ends while watching keeps the redraw timer; it must stop once neither goes on.
        window.controller.runningChanged.connect(self._on_running_changed)

    # -- state -----------------------------------------------------------------------------------
    @property
    def watching(self) -> bool:
        return self._poller is not None

    @property
    def name(self) -> str | None:
        return self.loaded.info.name if self.loaded is not None else None

    def status_text(self) -> str:
        name = self._poller.name if self._poller is not None else self.name
        text = f"Watching study {name} at {storage_label(self.storage)} — {self._total} trials"
        if self._problem:
            text += f" · the storage does not answer ({self._problem}); retrying"
        return text

    # -- open, resume --------------------------------------------------------------------------
    def open(self, storage: str | None, name: str, then: Callable[[LoadedStudy], None] | None = None) -> None:
        """Read a study in the background, then show it (and call ``then``).

        Reading a large study can take a while (Optuna replays its journal): the status bar shows how
        far it got, with a busy bar and a Cancel button, and the window stays usable meanwhile. Opening
        another study cancels this one.
        """
        from superqt.utils import create_worker

        self.stop_watching()
        self.cancel_open()
        self._load_serial += 1
        serial = self._load_serial
        cancel = self._load_cancel = threading.Event()
        relay = self._loadProgress

        def progress(fraction: float | None, text: str) -> None:
            if cancel.is_set():
                raise LoadCancelled
            relay.emit(serial, fraction, text)

        def work() -> LoadedStudy | None:
            try:
                return load_study(storage, name, progress=progress, defer_snapshot=True)
            except LoadCancelled:
                return None

        worker = create_worker(work)
        self._loads.append(worker)
        self._show_load(serial, None, f"Reading study {name}…")

        def returned(loaded: LoadedStudy | None) -> None:
            if serial != self._load_serial:
                return  # another study was opened meanwhile
            self._end_load()
            if loaded is None or cancel.is_set():  # cancelled, perhaps just as the reading ended
                self.window.status_label.setText(f"Opening study {name} was cancelled.")
                return
            self.show(loaded, storage)
            if loaded.keep_snapshot is not None:
                create_worker(loaded.keep_snapshot, _start_thread=True)  # errors only cost the quick reopen
            if then is not None:
                then(loaded)

        def errored(exc: BaseException) -> None:
            if serial != self._load_serial:
                return
            self._end_load()
            text = str(exc) if isinstance(exc, LibraryError) else f"{type(exc).__name__}: {scrub(str(exc), storage)}"
            self.window.show_message("Cannot open the study", text, QMessageBox.Icon.Warning)
            self.window.status_label.setText(f"Could not open study {name}.")

        worker.returned.connect(returned)
        worker.errored.connect(errored)
        worker.finished.connect(lambda: self._loads.remove(worker) if worker in self._loads else None)
        worker.start()

    @property
    def opening(self) -> bool:
        """A study is being read for the window."""
        return self._load_cancel is not None

    def cancel_open(self) -> None:
        """Stop reading the study being opened (it stops at its next progress report)."""
        if self._load_cancel is not None:
            self._load_cancel.set()
            self._load_cancel = None
            self._end_load()
            self.window.status_label.setText("Opening the study was cancelled.")

    def _load_widgets(self) -> tuple[QProgressBar, QToolButton]:
        if self._load_bar is None:
            bar = self._load_bar = QProgressBar()
            bar.setObjectName("studyLoadProgress")
            bar.setAccessibleName("Reading the study")
            bar.setMaximumWidth(160)
            bar.setTextVisible(False)
            button = self._load_cancel_button = QToolButton()
            button.setObjectName("cancelStudyLoad")
            button.setText("Cancel")
            button.setToolTip("Stop reading this study")
            button.clicked.connect(self.cancel_open)
            status = self.window.statusBar()
            status.addPermanentWidget(bar)
            status.addPermanentWidget(button)
        return self._load_bar, self._load_cancel_button

    def _show_load(self, serial: int, fraction: float | None, text: str) -> None:
        if serial != self._load_serial or self._load_cancel is None:
            return
        bar, button = self._load_widgets()
        if fraction is None:
            bar.setRange(0, 0)  # busy: how long this step takes is not known
        else:
            bar.setRange(0, 1000)
            bar.setValue(int(round(fraction * 1000)))
        bar.show()
        button.show()
        self.window.status_label.setText(text)

    @Slot(int, object, str)
    def _on_load_progress(self, serial: int, fraction: float | None, text: str) -> None:
        self._show_load(serial, fraction, text)

    def _end_load(self) -> None:
        self._load_cancel = None
        if self._load_bar is not None:
            self._load_bar.hide()
            self._load_cancel_button.hide()

    def resume(self, storage: str | None, name: str) -> None:
        """Open a study, then run the rest of its budget with its own stored setup."""
        self.open(storage, name, then=lambda loaded: self.continue_search(loaded))

    def continue_search(self, loaded: LoadedStudy) -> bool:
        w = self.window
        setup = loaded.setup
        if setup is None:
            w.show_message("Cannot resume this study", f"Study {loaded.info.name!r} was {loaded.setup_problem}, "
                           "so hpgui does not know what to search. It can be watched and compared.",
                           QMessageBox.Icon.Information)
            return False
        if not setup.data_path.exists():
            w.show_message("The dataset has moved", self._moved_text(loaded), QMessageBox.Icon.Warning)
            return False
        return w.start_search(loaded.info.name, loaded.info.storage, setup=setup)

    def _moved_text(self, loaded: LoadedStudy) -> str:
        return (f"Study {loaded.info.name!r} was searched on {loaded.setup.data_path}, which is not there any "
                "more. Its trials are shown. To resume or export it, put the file back at that path (the "
                "stored setup names it).")

    def show(self, loaded: LoadedStudy, storage: str | None) -> None:
        """Put a stored study into the window: trials into the store and views, setup into the forms."""
        w = self.window
        self.loaded, self.storage = loaded, storage
        setup = loaded.setup
        space: dict = {}
        specs: dict = {}
        if setup is not None and loaded.info.task is not None:
            try:
                space = setup.space_for(loaded.info.task)
                specs = setup.choice(loaded.info.task).specs()
            except Exception:  # noqa: BLE001 - an unknown model: show the trials without ranges
                space, specs = {}, {}
        w.show_trials(loaded.param_names, {n: space[n] for n in loaded.param_names if n in space}, loaded.metric,
                      loaded.records, setup=setup, study_name=loaded.info.name, storage=storage, specs=specs)
        w.setWindowTitle(f"{loaded.info.name} — hpgui")
        best = w.store.best
        text = f"Study {loaded.info.name}: {len(loaded.records)} trials"
        if best is not None:
            text += f"; best {loaded.metric.label} {best.value:.6g} (trial {best.number})"
        w.status_label.setText(text + ".")
        if setup is not None:
            if setup.data_path.exists():
                self._retitle = loaded.info.name
                w.load_setup_into_forms(setup)
            elif not self.watching:
                w.show_message("The dataset has moved", self._moved_text(loaded), QMessageBox.Icon.Warning)
        self.shown.emit(loaded.info.name)

    def after_dataset_loaded(self, dataset: Any) -> None:
        """The forms now hold a shown study's data: name both in the title."""
        name, self._retitle = self._retitle, None
        if name is not None and self.window.study_name == name:
            self.window.setWindowTitle(f"{name} — {Path(dataset.path).name} — hpgui")

    # -- watching --------------------------------------------------------------------------------
    def watch(self, storage: str | None, name: str) -> None:
        """Show a study and keep it live while other workers fill it."""
        if self.window.controller.is_running():
            self.window.show_message("A search is running", "Stop the running search before watching another "
                                     "study.", QMessageBox.Icon.Information)
            return
        self.stop_watching()
        poller = StudyPoller(storage, name)
        thread = QThread()
        thread.setObjectName("hpgui-watch")
        poller.moveToThread(thread)
        thread.started.connect(poller.run)
        poller.done.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        poller.loaded.connect(self._on_loaded)
        poller.trials.connect(self._on_trials)
        poller.total.connect(self._on_total)
        poller.problem.connect(self._on_problem)
        poller.failed.connect(self._on_failed)
        thread.finished.connect(self._on_thread_finished)
        self._thread, self._poller = thread, poller
        self.storage = storage
        self._total, self._problem = 0, ""
        self.window.status_label.setText(f"Connecting to {storage_label(storage)}…")
        thread.start()
        self.watchingChanged.emit(True)

    def _on_loaded(self, loaded: LoadedStudy) -> None:
        self.show(loaded, self.storage)
        w = self.window
        w.redraw_timer.start()
        w.status_label.setText(self.status_text())

    def _on_trials(self, batch: list) -> None:
        if self.loaded is None or self.window.study_name != self.loaded.info.name:
            return
        store = self.window.store
        fresh = []
        for record in batch:
            if record.state == "running":
                # Read before this window's own search finished it: a finished trial never runs again.
                index = store.index_of(record.number)
                if index is not None and store[index].state != "running":
                    continue
            fresh.append(record)
        if fresh:
            store.add(fresh)

    def _on_total(self, total: int) -> None:
        self._total = total
        if not self.window.controller.is_running():
            self.window.status_label.setText(self.status_text())

    def _on_problem(self, problem: str) -> None:
        self._problem = problem
        self.window.status_label.setText(self.status_text())

    def _on_failed(self, message: str) -> None:
        self.window.show_message("Cannot watch the study", message, QMessageBox.Icon.Warning)
        self.window.status_label.setText("Not watching: the study could not be opened.")

    def _on_running_changed(self, running: bool) -> None:
        if not running and not self.watching and self.window.redraw_timer.isActive():
            self.window.redraw_timer.stop()
            self.window.redraw()

    def store_was_reset(self) -> None:
        if self._poller is not None:
            self._poller.resend()

    def join_args(self) -> tuple[str, str | None, Any] | None:
        """(study, storage, setup) for Start to join the watched study as one more worker."""
        if self._poller is None or self.loaded is None or self.loaded.setup is None:
            return None
        return self.loaded.info.name, self.storage, self.loaded.setup

    def stop_watching(self, wait_ms: int = 10_000) -> None:
        if self._poller is None:
            return
        self._poller.request_stop()
        thread = self._thread
        if thread is not None:
            thread.quit()
            thread.wait(wait_ms)
        self._on_thread_finished()

    def _on_thread_finished(self) -> None:
        if self._thread is None:
            return
        thread, poller = self._thread, self._poller
        self._thread = self._poller = None
        thread.wait()
        poller.deleteLater()
        thread.deleteLater()
        w = self.window
        if not w.controller.is_running():
            w.redraw_timer.stop()
            w.redraw()
            if self.loaded is not None:
                w.status_label.setText(f"Stopped watching study {self.loaded.info.name}: {len(w.store)} trials.")
        self.watchingChanged.emit(False)

    # -- export ----------------------------------------------------------------------------------
    def export(self, storage: str | None, name: str, folder: str | Path) -> None:
        """Write the same four files as the window's Export All, for a stored study."""
        from ..core.export import export_all
        from ..core.runner import Search

        def work() -> str:
            loaded = load_study(storage, name)
            if loaded.setup is None:
                raise LibraryError(f"study {name!r} was {loaded.setup_problem}, so there is no model to refit")
            if not loaded.setup.data_path.exists():
                raise LibraryError(self._moved_text(loaded))
            search = Search(loaded.setup, storage=storage, study_name=name)
            export_all(search, Path(folder), loaded.records)
            return f"Exported study {name} (best.json, trials.csv, best_pipeline.py, model.skops) to {folder}"

        self.window._in_background(work, f"Exporting study {name} (refitting its best model)…")

    def shutdown(self) -> None:
        self.cancel_open()
        self.stop_watching()
