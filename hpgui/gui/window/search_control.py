"""Start, pause, stop, widen and continue; and what the search controller reports back.

A search is started from the forms' setup (a new study), from a stored study's own setup (Resume),
or joins the watched study as one more worker. Its outcomes go to the session (trials, progress,
the end and why) and to the user through the notifier.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from ...core.process import Job
from ...core.session import StudyContext, StudyRef
from ...core.setup import SearchSetup
from ...core.formatting import clock, format_param

if TYPE_CHECKING:
    from .shell import MainWindow


class SearchControl(QObject):
    def __init__(self, window: "MainWindow"):
        super().__init__(window)
        self.window = window
        self.session = window.session
        c = window.controller
        c.started.connect(lambda study, storage, existing, baseline:
                          self.session.run_started_with(existing, baseline))
        c.trials.connect(self.session.add_trials)
        c.progress.connect(self.session.set_progress)
        c.trialStep.connect(self.session.trial_step)
        c.finished.connect(self._on_finished)
        c.failed.connect(self._on_failed)
        c.invalid.connect(self._on_invalid)
        c.fault.connect(self._on_fault)
        c.note.connect(lambda text: self.window.notifier.info("Study storage", text))
        c.crashed.connect(self._on_crashed)

    def start_search(self, study_name: str | None = None, storage: str | None = None,
                     setup: SearchSetup | None = None) -> bool:
        """Start a search with the forms' setup: a new study, or more trials of ``study_name`` in ``storage``.

        Continuing a study first shows every trial it already has (the child sends them). ``setup``
        (a stored study's own) replaces the forms', so a resumed study searches exactly what it did.
        While a study is watched, Start joins it as one more worker.
        """
        w, session = self.window, self.session
        if w.controller.is_running() or session.running:
            return False
        if study_name is None and setup is None:
            joined = session.join_target()
            if joined is not None:
                (study_name, storage), setup = (joined[0].name, joined[0].storage), joined[1]
        dataset = w.data_panel.dataset
        if setup is None:
            problems = w.binding.validate()
            setup = w.binding.build_setup()
            if problems or setup is None:
                return False
            task = w.binding.current_task()
        else:
            task = setup.task_or(w.binding.current_task())
            if dataset is None or Path(dataset.path).resolve() != setup.data_path.resolve():
                dataset = None  # the export reads the study's own file
        from ...core.runner import default_study_name  # the engine is imported when a search starts, not before

        study = StudyRef(study_name or default_study_name(setup), storage)
        if not session.begin_run(study, StudyContext.of(setup, task), setup, dataset):
            return False
        if session.watching:
            w.studies.store_was_reset()  # the joined study's trials are read again into the empty store
        job = Job(setup=setup.to_json(), base_dir=None, study_name=study.name, storage=storage,
                  workers=w.search_panel.workers())
        w.controller.start(job)
        w.progress_bar.setRange(0, setup.budget.trials or 0)
        w.progress_bar.setValue(0)
        w.progress_bar.show()
        w.pages.setCurrentWidget(w.main_splitter)
        workers = f" on {job.workers} workers" if job.workers > 1 else ""
        session.say(f"Searching with {setup.strategy.name}{workers}… (study {study.name})")
        return True

    def widen_and_continue(self, ranges: dict) -> bool:
        """Range advice: put the wider ``ranges`` in the Model tab and run as many trials again in this study."""
        w, session = self.window, self.session
        if session.widen_blocker() is not None or w.controller.is_running():
            return False
        for name, hp in ranges.items():
            w.model_panel.set_range(name, hp)
        panel = w.search_panel
        budget = session.widened_budget()
        if panel.trials_box.isChecked() and budget is not None:
            panel.trials_spin.setValue(budget)
        w.setup_tabs.setCurrentIndex(1)
        widened = ", ".join(f"{n} {format_param(h.low)}–{format_param(h.high)}" for n, h in ranges.items())
        study = session.study
        if not self.start_search(study_name=study.name, storage=study.storage):
            session.say(f"Widened {widened}; fix the problems shown before continuing.")
            return False
        session.say(f"Widened {widened}; continuing study {study.name}…")
        return True

    def set_paused(self, paused: bool) -> None:
        self.window.controller.pause(paused)
        self.session.set_paused(paused)
        self.session.say("Paused: the running trial finishes, then the search waits. Press Pause again to "
                         "resume." if paused else "Resumed.")

    def stop_search(self) -> None:
        if self.window.controller.is_running():
            self.session.say("Stopping… finished trials are kept.")
            self.window.controller.stop()

    # -- outcomes --------------------------------------------------------------------------------
    def _over(self, reason: str) -> None:
        w = self.window
        elapsed = self.session.elapsed()
        self.session.end_run(reason)
        if elapsed is not None:
            w.time_label.setText(f"took {clock(elapsed)}")
        w.progress_bar.hide()

    def _on_finished(self, reason: str, ran: int) -> None:
        self._over(reason)
        self._keep_snapshot()
        self.window.searchFinished.emit(reason)

    def _on_failed(self, message: str) -> None:
        self._over("failed")
        self.window.notifier.warn("Every trial failed", message + "\n\nThe failed trials and their errors are in "
                                  "the table. Check the ranges, the preprocessing or the model.")
        self.window.searchFinished.emit("failed")

    def _on_invalid(self, message: str) -> None:
        self._over("invalid")
        self.window.notifier.warn("The search could not start", message)
        self.window.searchFinished.emit("invalid")

    def _on_fault(self, message: str) -> None:
        # A full disk or a lost database: the finished trials are in the study; say what to fix.
        self._over("failed")
        self.window.notifier.warn("The study could not be written", message)
        self.window.searchFinished.emit("failed")

    def _on_crashed(self, details: str) -> None:
        self._over("crashed")
        self.window.notifier.unexpected("The search ended unexpectedly", details)
        self.window.searchFinished.emit("crashed")

    def _keep_snapshot(self) -> None:
        """A large study in the default storage gets its snapshot once its search has ended, in the
        background, so opening it from File → Studies… skips Optuna's journal replay."""
        session = self.session
        if session.study is None or session.study.storage is not None or session.watching:
            return
        from ...core.library import keep_snapshot

        self.window.background.start(keep_snapshot, None, session.study.name, len(session.store),
                                     on_error=lambda exc: None)  # a failure only costs the quick reopen
