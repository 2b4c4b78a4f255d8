"""The Data tab's leakage hints: each feature scored alone against the target, in the background.

Every change of target, features or task starts the check again (the latest request wins, so a
stale answer never lands on a new choice) and clears the hints shown until it answers. The scoring
is ``core.leakage``'s; here it is only run off the GUI thread and its lines handed to the data panel.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from ...core.leakage import leakage_hints, summary
from ..tasks import BackgroundTask

if TYPE_CHECKING:
    from .shell import MainWindow


class LeakCheck(QObject):
    def __init__(self, window: "MainWindow"):
        super().__init__(window)
        self.window = window
        self.task = BackgroundTask(self, notifier=None)
        self.last: list = []  # the hints of the latest finished check
        window.data_panel.selectionChanged.connect(self.check)

    def check(self) -> None:
        panel = self.window.data_panel
        panel.set_hints([])
        dataset, target, task = panel.dataset, panel.target(), panel.task()
        if dataset is None or target is None or task not in ("classification", "regression"):
            self.task.cancel()
            return
        features = panel.features()

        def work(state):
            return leakage_hints(dataset.frame, target, task, features, should_stop=lambda: state.report(None))

        # A hint that cannot be computed is no reason to bother the user: it goes to the log only.
        self.task.start(work, with_state=True, on_result=self._show,
                        on_error=lambda exc: logging.getLogger(__name__).warning("leakage check failed: %r", exc))

    def _show(self, hints: list) -> None:
        self.last = hints
        self.window.data_panel.set_hints(summary(hints))
