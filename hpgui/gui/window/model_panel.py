"""The Model tab: the model to tune, the models to compare it with, and one range form per model."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from ...core.catalog import get_model, models_for
from ...core.setup import SearchSetup
from ..model_picker import CompareList, ModelForms
from ..space_form import SpaceForm

DEFAULT_MODEL = {"classification": "random_forest", "regression": "random_forest", "clustering": "kmeans"}


class ModelPanel(QWidget):
    changed = Signal()  # a model, a ticked comparison or a range changed

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.defaults_ready = False  # the estimators are imported: forms may read their defaults
        self.task = "classification"
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
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.addRow("&Model:", self.model_combo)
        form.addRow(self.compare_label, self.compare_list)
        layout.addLayout(form)
        layout.addWidget(self.model_summary)
        layout.addWidget(self.model_forms, 1)
        self.model_combo.currentIndexChanged.connect(self._on_model_changed)
        self.compare_list.toggled.connect(self._on_compare_changed)
        self.space_form.changed.connect(self.changed)
        self.model_forms.changed.connect(self.changed)

    def set_controls_enabled(self, enabled: bool) -> None:
        for widget in (self.model_forms, self.model_combo, self.compare_list):
            widget.setEnabled(enabled)

    def model(self) -> str | None:
        return self.model_combo.currentData()

    def selected_models(self) -> list[str]:
        """The main model, then every ticked model to compare it with."""
        main = self.model()
        return ([main] if main is not None else []) + [m for m in self.compare_list.checked() if m != main]

    def space(self) -> tuple[str | tuple[str, ...], dict]:
        """(model, space) as a SearchSetup takes them: one model and its ranges, or several and theirs."""
        models = self.selected_models()
        if len(models) > 1:
            forms = self.model_forms.forms()
            return tuple(models), {m: forms[m].space() for m in models}
        return self.model(), self.space_form.space()

    def set_task(self, task: str) -> None:
        before = self.model()
        self.task = task
        self._fill_models(task)
        if self.model() != before or self.space_form.property("task") != task:
            self._on_model_changed()
        else:
            self.changed.emit()

    def apply(self, setup: SearchSetup, task: str) -> None:
        """Show a setup's models and ranges."""
        self.task = task
        main, *others = setup.models
        self._fill_models(task, main)
        model = get_model(main)
        self.space_form.set_model(model, task, setup.model_space(main, task))
        self.space_form.setProperty("task", task)
        self.model_summary.setText(model.summary)
        self.model_forms.set_main_label(model.label)
        self.compare_list.blockSignals(True)
        self.compare_list.set_checked(others)
        self.compare_list.blockSignals(False)
        given = {m: setup.model_space(m, task) for m in others}
        self.model_forms.set_models(self.compare_list.checked(), task, self.defaults_ready, given)

    def start_afresh(self, task: str) -> None:
        """A new dataset without a setup: the task's default model, nothing ticked to compare, default
        ranges. What was ticked for the last dataset silently made the next study multi-model."""
        self.task = task
        self._fill_models(task, DEFAULT_MODEL.get(task, ""))
        self.compare_list.blockSignals(True)
        self.compare_list.set_checked([])
        self.compare_list.blockSignals(False)
        self._on_model_changed()

    def defaults_loaded(self) -> None:
        """The estimators are imported: show their defaults in the forms."""
        self.defaults_ready = True
        self.space_form.load_estimator_defaults()
        self.model_forms.load_estimator_defaults()

    def set_range(self, name: str, hp) -> None:
        """Put a widened range into its row: "svm.C" is the C row of the SVM's form in a multi-model study."""
        forms = self.model_forms.forms()
        model, _, own = name.partition(".")
        if own and model in forms and len(forms) > 1:
            forms[model].row(own).set_hyperparameter(hp)
        else:
            self.space_form.row(name).set_hyperparameter(hp)

    def _fill_models(self, task: str, wanted: str | None = None) -> None:
        current = wanted or self.model()
        models = models_for(task)
        names = [m.name for m in models]
        self.model_combo.blockSignals(True)
        self.model_combo.clear()
        for model in models:
            self.model_combo.addItem(model.label, model.name)
            self.model_combo.setItemData(self.model_combo.count() - 1, model.summary, Qt.ItemDataRole.ToolTipRole)
        choice = current if current in names else DEFAULT_MODEL.get(task, names[0])
        self.model_combo.setCurrentIndex(names.index(choice))
        self.model_combo.blockSignals(False)
        self.compare_list.blockSignals(True)
        self.compare_list.set_models(models, choice)
        self.compare_list.blockSignals(False)
        # Clustering has one model: nothing to compare.
        self.compare_label.setVisible(len(names) > 1)
        self.compare_list.setVisible(len(names) > 1)

    def _on_model_changed(self) -> None:
        name = self.model()
        if name is None:
            return
        model = get_model(name)
        task = self.task
        self.model_summary.setText(model.summary)
        self.space_form.set_model(model, task)
        self.space_form.setProperty("task", task)
        if self.defaults_ready:
            self.space_form.load_estimator_defaults()
        self.model_forms.set_main_label(model.label)
        self.compare_list.blockSignals(True)
        self.compare_list.set_models(models_for(task), name)
        self.compare_list.blockSignals(False)
        self._on_compare_changed()

    def _on_compare_changed(self) -> None:
        self.model_forms.set_models(self.compare_list.checked(), self.task, self.defaults_ready)
        self.changed.emit()
