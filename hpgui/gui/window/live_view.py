"""The one owner of the redraw timer: views, table, best panel and progress follow the session's store.

Trials pile up in the store as they arrive; while trials may still come (a search runs or a study is
watched) a 10 Hz timer redraws what is shown, never once per trial (friture's analyzer pulls the
newest data on a clock the same way). When the session's study changes, every view is pointed at
the new one here, and only here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from ...core.fidelity import savings
from ...core.formatting import clock

if TYPE_CHECKING:
    from ...core.session import Mode, StudyContext
    from .shell import MainWindow

REDRAW_MS = 100  # 10 Hz: the low end of the 10–20 Hz the design allows; painting is the cost


class LiveView(QObject):
    def __init__(self, window: "MainWindow"):
        super().__init__(window)
        self.window = window
        self.session = window.session
        self._best_number: int | None = None
        self.timer = QTimer(self)
        self.timer.setObjectName("redrawTimer")
        self.timer.setInterval(REDRAW_MS)
        self.timer.timeout.connect(self.redraw)
        events = self.session.events
        events.reset.connect(self._on_reset)
        events.trials_added.connect(self._on_trials_added)
        events.mode_changed.connect(self._on_mode_changed)
        events.baseline.connect(self._on_baseline)
        window.chart_tabs.currentChanged.connect(lambda _: self._refresh_current_view())
        self._list_applicable()

    def views(self) -> list:
        tabs = self.window.chart_tabs
        return [tabs.widget(i) for i in range(tabs.count())]

    def _on_reset(self, context: "StudyContext | None") -> None:
        w = self.window
        if context is None:
            from ...core.metrics import get_metric

            names, space, metric, specs = (), {}, get_metric("accuracy"), {}
            w.best_panel.clear()
        else:
            names, space, metric, specs = context.names, dict(context.space), context.metric, dict(context.specs)
        strategy = self.session.setup.strategy if self.session.setup is not None else None
        stops_early = strategy is not None and (strategy.pruner != "none" or strategy.resource != "folds")
        w.table.source.set_params(list(names), resource=stops_early)
        for view in self.views():
            view.set_context(space, metric)
        setup = self.session.setup
        w.history.set_trial_budget(setup.budget.trials if setup is not None else None)
        w.compare_view().set_current(self.session.study.name if self.session.study is not None else None)
        w.best_panel.set_metric(metric)
        w.best_panel.clear()
        self._on_baseline(self.session.baseline)
        w.best_panel.advice.set_context(space, specs, metric.greater_is_better)
        self._best_number = None
        self.redraw()

    def _list_applicable(self) -> None:
        """List the views that apply to the study on screen (the Lineage view only for a population);
        asked on every redraw, so a study that turns out to hold one shows it as its trials arrive."""
        tabs, store = self.window.chart_tabs, self.session.store
        for i in range(tabs.count()):
            applies = getattr(tabs.widget(i), "applies", None)
            if applies is not None:
                tabs.set_shown(i, applies(store))

    def _on_baseline(self, baseline) -> None:
        for view in self.views():
            set_baseline = getattr(view, "set_baseline", None)
            if set_baseline is not None:
                set_baseline(baseline)
        self.window.best_panel.set_baseline(baseline)

    def _on_trials_added(self, _count: int) -> None:
        if not self.timer.isActive():
            self.redraw()  # a stored study shown at once: no clock runs for it

    def _on_mode_changed(self, mode: "Mode", _old: "Mode") -> None:
        if self.session.live:
            if not self.timer.isActive():
                self.timer.start()
        elif self.timer.isActive():
            self.timer.stop()
            self.redraw()

    def stop(self) -> None:
        self.timer.stop()

    def redraw(self) -> None:
        """Bring what is shown up to date with the store."""
        w, store = self.window, self.session.store
        self._list_applicable()
        self._refresh_current_view()
        w.table.source.sync()
        best = store.best
        number = best.number if best is not None else None
        if number != self._best_number:
            self._best_number = number
            w.best_panel.show_best(best, len(store))
        w.best_panel.set_trial_count(len(store))
        w.best_panel.advice.refresh(store)
        for view in self.views():
            keep_up = getattr(view, "keep_up", None)  # work a hidden view owes other widgets (the table)
            if keep_up is not None:
                keep_up(store)
        self._update_progress()
        self._update_savings()
        w.actions.update()

    def _update_savings(self) -> None:
        """The Search tab's budget: the fits and seconds stopping early saved (computed once per change)."""
        store, label = self.session.store, self.window.search_panel.savings_label
        if getattr(self, "_savings_version", None) == (id(store), store.version):
            return
        self._savings_version = (id(store), store.version)
        text = savings(store.records).describe()
        label.setText(text)
        label.setVisible(bool(text))

    def _refresh_current_view(self) -> None:
        # Hidden charts wait: each catches up when it is shown (with 100,000 trials a hidden history
        # chart would cost a live redraw 100 ms or more for nothing).
        view = self.window.chart_tabs.currentWidget()
        if view is not None and hasattr(view, "refresh"):
            view.refresh(self.session.store)

    def _update_progress(self) -> None:
        w, session = self.window, self.session
        if session.setup is None or session.run_started is None:
            return
        done = len(session.store) - session.store.count("running")
        budget = session.setup.budget.trials
        bar = w.progress_bar
        if budget:
            bar.setMaximum(budget)
            bar.setValue(min(done, budget))
            bar.setFormat(f"{done} / {budget} trials")
        else:
            bar.setFormat(f"{done} trials")
        elapsed = session.active_elapsed()
        if elapsed is not None and session.running:
            # The run's own clock, paused time left out, and the folds of trials under way: the estimate
            # moves during a long trial and holds still (with the elapsed time) while paused.
            text = f"{clock(elapsed)} elapsed"
            remaining = session.remaining()
            if session.paused_since is not None:
                text += " · paused"
            elif remaining is not None:
                text += f" · ~{clock(remaining)} left"
            running = session.running_text()
            if running:
                text = f"{running} · {text}"
            w.time_label.setText(text)
