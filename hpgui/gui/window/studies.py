"""Stored studies in the window: open, resume and watch them.

Opening reads the study on a background task (Optuna may replay a long journal), with a busy bar
and Cancel in the status bar; the session then shows it, and its setup goes into the forms when
its data file is still there. Watching keeps a poller (``gui/watch.py``) feeding the session.
Storage URLs are shown only through ``redact``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QProgressBar, QToolButton

from ...core.library import LibraryError, LoadedStudy, load_study, scrub
from ...core.session import Mode, StudyRef
from ..tasks import BackgroundTask
from ..watch import StudyPoller

if TYPE_CHECKING:
    from .shell import MainWindow


def moved_text(loaded: LoadedStudy) -> str:
    return (f"Study {loaded.info.name!r} was searched on {loaded.setup.data_path}, which is not there any more. "
            "Its trials are shown. To resume or export it, put the file back at that path (the stored setup "
            "names it).")


class StoredStudies(QObject):
    shown = Signal(str)            # a stored study is now in the window (its name)
    watchingChanged = Signal(bool)

    def __init__(self, window: "MainWindow"):
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.loading = BackgroundTask(self, notifier=window.notifier, title="Cannot open the study")
        self._poller: StudyPoller | None = None
        self._load_bar: QProgressBar | None = None
        self._load_cancel_button: QToolButton | None = None
        self._opening_name: str | None = None
        self.session.events.mode_changed.connect(self._on_mode_changed)

    # -- state -----------------------------------------------------------------------------------
    @property
    def watching(self) -> bool:
        return self._poller is not None

    @property
    def opening(self) -> bool:
        return self.loading.busy

    @property
    def storage(self) -> str | None:
        study = self.session.study
        return study.storage if study is not None else None

    def status_text(self) -> str:
        poller = self._poller
        return self.session.watch_text(StudyRef(poller.name, poller.storage) if poller is not None else None)

    def _on_mode_changed(self, mode: Mode, old: Mode) -> None:
        # The session moved on (a new dataset, another study): work for the old study stops here.
        if not self.session.watching and self._poller is not None:
            self._drop_poller()
        if not self.session.opening and self.loading.busy:
            self.loading.cancel()
            self._end_load()

    # -- open, resume ----------------------------------------------------------------------------
    def open(self, storage: str | None, name: str, then: Callable[[LoadedStudy], None] | None = None) -> None:
        """Read a study in the background, then show it (and call ``then``). Opening another study cancels
        this one; the window stays usable meanwhile."""
        self.stop_watching()
        self._opening_name = name
        self.session.set_opening(True)

        def work(state, storage, name):
            return load_study(storage, name, progress=state.report, defer_snapshot=True)

        def loaded(study: LoadedStudy) -> None:
            self._end_load()
            self.session.set_opening(False)
            self.show(study, storage)
            if study.keep_snapshot is not None:  # errors only cost the quick reopen
                self.window.background.start(study.keep_snapshot, on_error=lambda exc: None)
            if then is not None:
                then(study)

        def failed(exc: BaseException) -> None:
            self._end_load()
            self.session.set_opening(False)
            text = str(exc) if isinstance(exc, LibraryError) else f"{type(exc).__name__}: {scrub(str(exc), storage)}"
            self.window.notifier.warn("Cannot open the study", text)
            self.session.say(f"Could not open study {name}.")

        self.loading.start(work, storage, name, with_state=True, on_result=loaded, on_error=failed,
                           on_progress=self._show_load)
        self._show_load(None, f"Reading study {name}…")

    def cancel_open(self) -> None:
        """Stop reading the study being opened (it stops at its next progress report)."""
        if self.loading.busy:
            self.loading.cancel()
            self._end_load()
            self.session.set_opening(False)
            self.session.say("Opening the study was cancelled." if self._opening_name is None
                             else f"Opening study {self._opening_name} was cancelled.")

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

    def _show_load(self, fraction: float | None, text: str) -> None:
        bar, button = self._load_widgets()
        if fraction is None:
            bar.setRange(0, 0)  # busy: how long this step takes is not known
        else:
            bar.setRange(0, 1000)
            bar.setValue(int(round(fraction * 1000)))
        bar.show()
        button.show()
        self.session.say(text)

    def _end_load(self) -> None:
        if self._load_bar is not None:
            self._load_bar.hide()
            self._load_cancel_button.hide()

    def resume(self, storage: str | None, name: str) -> None:
        """Open a study, then run the rest of its budget with its own stored setup."""
        self.open(storage, name, then=self.continue_search)

    def continue_search(self, loaded: LoadedStudy) -> bool:
        notifier, setup = self.window.notifier, loaded.setup
        if setup is None:
            notifier.info("Cannot resume this study", f"Study {loaded.info.name!r} was {loaded.setup_problem}, so "
                          "hpgui does not know what to search. It can be watched and compared.")
            return False
        if not setup.data_path.exists():
            notifier.warn("The dataset has moved", moved_text(loaded))
            return False
        return self.window.search.start_search(loaded.info.name, loaded.info.storage, setup=setup)

    def show(self, loaded: LoadedStudy, storage: str | None) -> None:
        """Put a stored study into the window: trials into the session, setup into the forms."""
        w, setup = self.window, loaded.setup
        data_there = setup is not None and setup.data_path.exists()
        w.pages.setCurrentWidget(w.main_splitter)  # a stored study shows even without its data file
        self.session.show_loaded(loaded, storage, data_follows=data_there)
        w.update_title()
        if data_there:
            w.opener.load_setup_into_forms(setup, for_study=True)
        elif setup is not None and not self.watching:
            w.notifier.warn("The dataset has moved", moved_text(loaded))
        self.shown.emit(loaded.info.name)

    # -- watching --------------------------------------------------------------------------------
    def watch(self, storage: str | None, name: str) -> None:
        """Show a study and keep it live while other workers fill it."""
        if self.session.running:
            self.window.notifier.info("A search is running", "Stop the running search before watching another "
                                      "study.")
            return
        self.stop_watching()
        self.cancel_open()
        poller = StudyPoller(storage, name)
        signals = poller.signals
        signals.loaded.connect(self._on_loaded)
        signals.trials.connect(lambda batch: self.session.add_trials(batch, StudyRef(name, storage)))
        signals.total.connect(lambda total: self.session.watch_update(total=total))
        signals.problem.connect(lambda problem: self.session.watch_update(problem=problem))
        signals.failed.connect(self._on_failed)
        self._poller = poller
        self.session.say(f"Connecting to {StudyRef(name, storage).label()}…")
        poller.start()
        self.watchingChanged.emit(True)

    def _on_loaded(self, loaded: LoadedStudy) -> None:
        poller = self._poller
        if poller is None:
            return
        self.show(loaded, poller.storage)
        self.session.set_watching(True)
        self.session.say(self.status_text())

    def _on_failed(self, message: str) -> None:
        self.window.notifier.warn("Cannot watch the study", message)
        self._drop_poller()
        self.session.say("Not watching: the study could not be opened.")

    def store_was_reset(self) -> None:
        if self._poller is not None:
            self._poller.resend()

    def stop_watching(self) -> None:
        """Stop following the watched study at once; a poller stuck on the network is left to end alone."""
        if self._poller is None:
            return
        self._drop_poller()
        self.session.set_watching(False)
        study = self.session.study
        if study is not None and not self.session.running:
            self.session.say(f"Stopped watching study {study.name}: {len(self.session.store)} trials.")

    def _drop_poller(self) -> None:
        poller, self._poller = self._poller, None
        if poller is None:
            return
        poller.request_stop()
        for signal in (poller.signals.loaded, poller.signals.trials, poller.signals.total, poller.signals.problem,
                       poller.signals.failed):
            try:
                signal.disconnect()
            except (RuntimeError, TypeError):
                pass
        self.watchingChanged.emit(False)

    def shutdown(self) -> None:
        self.cancel_open()
        self.stop_watching()
