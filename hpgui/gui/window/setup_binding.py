"""Forms → setup → problems → widgets: the setup the forms describe, and what is wrong with it.

Every edit restarts a short timer; when it fires, the forms are read into one ``SearchSetup``,
``validate()`` lists every problem at once, and each problem goes to the widget its field names
(``space.C.low`` to the C row, ``budget`` to the Search tab, data problems to the banner); a ⚠ counts
them on each setup tab. The column checks (``dataset.check_columns``, which builds no X) run once per
change of target, features, task or folds, here and nowhere else.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from ...core.dataset import DatasetError, check_columns
from ...core.gradient_strategy import unavailable
from ...core.pbt import unavailable as pbt_unavailable
from ...core.metrics import default_metric
from ...core.roles import check_roles
from ...core.pipeline import check_preprocessing
from ...core.setup import DataSpec, SearchSetup
from ...core.space import Problem

if TYPE_CHECKING:
    from .shell import MainWindow

VALIDATE_MS = 120
TAB_TITLES = ("1 · Data", "2 · Model", "3 · Search")
#: Problems the Data tab's roles box shows under its pickers.
ROLE_PROBLEM_FIELDS = ("data.weight", "data.dates", "evaluation.group", "evaluation.order")


class SetupBinding(QObject):
    validated = Signal(list)  # the problems, after each check

    def __init__(self, window: "MainWindow"):
        super().__init__(window)
        self.window = window
        self.problems: list[Problem] = []
        self._check_key: tuple | None = None
        self._check_problem: Problem | None = None
        self._categorical: list[str] = []
        self._roles_key: tuple | None = None
        self._roles_problems: list[Problem] = []
        self.timer = QTimer(self)
        self.timer.setObjectName("validateTimer")
        self.timer.setSingleShot(True)
        self.timer.setInterval(VALIDATE_MS)
        self.timer.timeout.connect(self.validate)
        window.model_panel.changed.connect(self.timer.start)
        window.search_panel.changed.connect(self.timer.start)
        window.data_panel.selectionChanged.connect(self.task_changed)
        window.data_panel.rolesChanged.connect(self.roles_changed)

    def task_changed(self) -> None:
        """Target, features or task changed: offer the task's models and metrics, then check again."""
        task = self.current_task()
        self.window.model_panel.set_task(task)
        self.window.search_panel.set_task(task)
        self._offer_default_metric(task)
        self.roles_changed()

    def roles_changed(self) -> None:
        """Weight, group, time order or date parts changed: offer the validation methods they allow."""
        dp = self.window.data_panel
        self.window.search_panel.set_columns(dp.group(), dp.order())
        self.timer.start()

    def _offer_default_metric(self, task: str) -> None:
        dp = self.window.data_panel
        target = dp.target()
        y = dp.dataset.frame[target] if dp.dataset is not None and target is not None else None
        name, why = default_metric(task, y if task == "classification" else None)
        self.window.search_panel.set_default_metric(name, why)

    def current_task(self) -> str:
        return self.window.data_panel.task() or "classification"

    def build_setup(self) -> SearchSetup | None:
        w = self.window
        dataset = w.data_panel.dataset
        if dataset is None or w.model_panel.model() is None:
            return None
        sp, dp = w.search_panel, w.data_panel
        sp.set_columns(dp.group(), dp.order())
        model, space = w.model_panel.space()
        return SearchSetup(
            data=DataSpec(path=str(Path(dataset.path).resolve()), target=dp.target(),
                          task=self.current_task(), features=tuple(dp.features()), sheet=dp.sheet(),
                          header_row=dp.header_row(), weight=dp.weight(), dates=dp.dates() or None),
            model=model, space=space, preprocessing=sp.preprocessing(), strategy=sp.strategy(),
            evaluation=sp.evaluation(), metric=sp.metric(), budget=sp.budget(),
        )

    def validate(self) -> list[Problem]:
        """Check the whole setup, mark every problem where it belongs, and enable Start only when clean."""
        w = self.window
        self.timer.stop()
        setup = self.build_setup()
        if setup is None:
            problems = [Problem("data.path", "Open a CSV file to start (File → Open, or drop it on the window).")]
        else:
            task = self.current_task()
            w.search_panel.set_space(setup.space_for(task))
            space = setup.model_space(setup.models[0], task) if len(setup.models) == 1 else {}
            w.search_panel.set_strategy_unavailable("gradient", unavailable(setup.models, task, space))
            w.search_panel.set_strategy_unavailable("pbt", pbt_unavailable(setup.models, task, space))
            problems = setup.validate(task=task)
            problems += self._data_problems(setup, task)
            grid = None
            if setup.strategy.name == "grid" and not any(p.field.startswith("space") for p in problems):
                grid = setup.choice(task).grid_size()
            w.search_panel.set_grid_size(grid)
        self.problems = problems
        w.model_panel.model_forms.set_problems([p for p in problems if p.field.startswith("space.")],
                                               multi=setup is not None and setup.is_multi)
        w.search_panel.set_problems([p for p in problems if p.field.split(".")[0] in
                                     ("strategy", "evaluation", "budget", "metric", "preprocessing")])
        w.data_panel.rolesBox.set_problems([p for p in problems if p.field in ROLE_PROBLEM_FIELDS])
        self._mark_tabs(problems)
        # the roles box shows its own problems under its pickers
        general = [p for p in problems if p.field.split(".")[0] in ("data", "model", "study", "space", "")
                   and not p.field.startswith("space.") and p.field not in ("data.weight", "data.dates")]
        if general:
            w.problem_label.setText("\n".join(f"⚠ {p.message}" for p in general))
            w.problem_label.show()
        else:
            w.problem_label.hide()
        if not w.session.running and setup is not None:
            if problems:
                where = {p.field.split(".")[0] for p in problems}
                w.notifier.say(f"{len(problems)} problem(s) to fix before starting ({', '.join(sorted(where))}).")
            else:
                w.notifier.say("Ready: press Start (F5).")
        self.validated.emit(problems)
        return problems

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
        tabs = self.window.setup_tabs
        for i, title in enumerate(TAB_TITLES):
            tabs.setTabText(i, f"{title}  ⚠ {counts[i]}" if counts[i] else title)

    def _data_problems(self, setup: SearchSetup, task: str) -> list[Problem]:
        dataset = self.window.data_panel.dataset
        key = (id(dataset), setup.data.target, setup.data.features, task, setup.evaluation.min_class_size)
        if key != self._check_key:
            self._check_key = key
            try:
                checked = check_columns(dataset, setup.data.target, list(setup.data.features), task=task,
                                        folds=setup.evaluation.min_class_size)
            except DatasetError as exc:
                self._check_problem = Problem("data", str(exc))
                self._categorical = []
            else:
                self._check_problem = None
                self._categorical = checked.categorical
        problems = [self._check_problem] if self._check_problem is not None else []
        if self._check_problem is None:
            problems += self._role_problems(setup)
        return problems + check_preprocessing(setup.preprocessing, self._categorical)

    def _role_problems(self, setup: SearchSetup) -> list[Problem]:
        """The core's checks of the weight, group and time-order columns (roles.resolve), one field each."""
        dataset, spec, evaluation = self.window.data_panel.dataset, setup.data, setup.evaluation
        key = (id(dataset), spec.target, spec.weight, evaluation.group, evaluation.order, evaluation.folds)
        if key != self._roles_key:
            self._roles_key = key
            self._roles_problems = check_roles(dataset, spec.target, weight=spec.weight, group=evaluation.group,
                                               order=evaluation.order, folds=evaluation.folds)
        return list(self._roles_problems)
