"""Which models to search: the main model, others to compare it with, and a form per model.

The model combo stays the one-click choice for a single model. Ticking other
models under "Compare with" searches them in the same study (see
hpgui/core/choice.py); each ticked model gets its own hyperparameter form in a
tab. With nothing ticked the tab bar hides and the Model tab looks exactly as
it does for one model.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QTabWidget, QWidget
from superqt import QFlowLayout

from ..core.catalog import ModelSpec, get_model
from ..core.space import Hyperparameter, Problem
from .space_form import SpaceForm


class CompareList(QWidget):
    """A wrapping row of checkboxes, one per model the main model can be compared with."""

    toggled = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.boxes: dict[str, QCheckBox] = {}
        self._flow = QFlowLayout(self)
        self._flow.setContentsMargins(0, 0, 0, 0)
        self._flow.setHorizontalSpacing(14)
        self._flow.setVerticalSpacing(4)
        self.setAccessibleName("Compare with other models")

    def set_models(self, models: Iterable[ModelSpec], main: str | None) -> None:
        """Offer ``models`` but the main one; ticks of models still offered are kept."""
        wanted = [m for m in models if m.name != main]
        if [m.name for m in wanted] == list(self.boxes):
            return
        checked = set(self.checked())
        for box in self.boxes.values():
            self._flow.removeWidget(box)
            box.deleteLater()
        self.boxes = {}
        for model in wanted:
            box = QCheckBox(model.label, self)
            box.setObjectName(f"compare_{model.name}")
            box.setToolTip(f"Search {model.label} in the same study: {model.summary}")
            box.setAccessibleName(f"Compare with {model.label}")
            box.setChecked(model.name in checked)
            box.toggled.connect(self.toggled)
            self._flow.addWidget(box)
            self.boxes[model.name] = box

    def checked(self) -> list[str]:
        return [name for name, box in self.boxes.items() if box.isChecked()]

    def set_checked(self, names: Iterable[str]) -> None:
        names = set(names)
        for name, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(name in names)
            box.blockSignals(False)
        self.toggled.emit()


class ModelForms(QTabWidget):
    """One :class:`SpaceForm` per searched model, as tabs; the main model's form comes first."""

    changed = Signal()

    def __init__(self, main_form: SpaceForm, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("modelForms")
        self.setTabBarAutoHide(True)  # one model: no tab bar, the form as it always was
        self.setDocumentMode(True)
        self.main_form = main_form
        self.extra: dict[str, SpaceForm] = {}
        self.addTab(main_form, "")

    def set_main_label(self, label: str) -> None:
        self.setTabText(0, label)

    def set_models(self, names: list[str], task: str, defaults_ready: bool,
                   spaces: Mapping[str, Mapping[str, Hyperparameter] | None] | None = None) -> None:
        """Keep one extra form per name, in order; a form already there keeps its edits unless ``spaces`` has it."""
        spaces = spaces or {}
        for name in [n for n in self.extra if n not in names]:
            form = self.extra.pop(name)
            self.removeTab(self.indexOf(form))
            form.deleteLater()
        for name in names:
            form = self.extra.get(name)
            model = get_model(name)
            if form is None or form.task != task or name in spaces:
                if form is None:
                    form = SpaceForm()
                    form.setObjectName(f"spaceForm_{name}")
                    form.changed.connect(self.changed)
                    self.extra[name] = form
                form.set_model(model, task, spaces.get(name))
                if defaults_ready:
                    form.load_estimator_defaults()
        for i, name in enumerate(names, start=1):
            form = self.extra[name]
            if self.indexOf(form) != i:
                if self.indexOf(form) >= 0:
                    self.removeTab(self.indexOf(form))
                self.insertTab(i, form, get_model(name).label)
        self.changed.emit()

    def forms(self) -> dict[str, SpaceForm]:
        main = self.main_form.model
        out = {main.name: self.main_form} if main is not None else {}
        out.update(self.extra)
        return out

    def load_estimator_defaults(self) -> None:
        for form in self.extra.values():
            form.load_estimator_defaults()

    def set_problems(self, problems: list[Problem], multi: bool) -> None:
        """Each form gets its own ``space.…`` problems; with several models they read ``space.<model>.…``."""
        forms = self.forms()
        if not multi:
            self.main_form.set_problems(problems)
            for form in self.extra.values():
                form.set_problems([])
            return
        per_model: dict[str, list[Problem]] = {name: [] for name in forms}
        general = []
        for p in problems:
            parts = p.field.split(".")
            if len(parts) >= 2 and parts[1] in per_model:
                per_model[parts[1]].append(Problem(".".join(["space", *parts[2:]]), p.message))
            else:
                general.append(p)
        for i, (name, form) in enumerate(forms.items()):
            form.set_problems(per_model[name] + (general if i == 0 else []))
            index = self.indexOf(form)
            label = get_model(name).label
            self.setTabText(index, f"{label}  ⚠" if per_model[name] else label)
