"""The hyperparameter form: one row per hyperparameter, exact round trips, inline problems."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QScrollArea, QSpinBox

from hpgui.core.catalog import get_model
from hpgui.core.setup import SearchSetup
from hpgui.core.space import Hyperparameter, Problem
from hpgui.core.formatting import exact_number
from hpgui.gui.space_form import ParamRow, ScientificSpinBox, SpaceForm

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "iris-svm-grid.json"
TASK = "classification"


@pytest.fixture
def svm():
    return get_model("svm")


@pytest.fixture
def form(qtbot, svm):
    widget = SpaceForm()
    qtbot.addWidget(widget)
    widget.set_model(svm, TASK)
    widget.resize(700, 600)
    widget.show()
    return widget


def _feed(form: SpaceForm, model, strategy: str | None = None) -> list[Problem]:
    problems = model.validate_space(TASK, form.space(), strategy=strategy)
    form.set_problems(problems)
    return problems


def test_one_row_per_hyperparameter_with_the_defaults(form, svm):
    names = [p.name for p in svm.params_for(TASK)]
    assert [r.name for r in form.rows()] == names
    assert "epsilon" not in names  # regression only
    assert form.space() == svm.default_space(TASK)
    c, default = form.row("C"), svm.param(TASK, "C").default
    assert (c.low.value(), c.high.value(), c.log_box.isChecked()) == (default.low, default.high, default.log)
    # legible, exact text: 0.01 and 1000, not 1.000000e-02 or 1000.000000
    assert c.low.text() == exact_number(default.low) and "e+" not in c.high.text() and "." not in c.high.text()
    c.low.setValue(0.0001)
    assert c.low.text() == "0.0001"
    assert form.findChild(QScrollArea) is not None


def test_rows_explain_themselves(form, svm):
    gamma = form.row("gamma")
    spec = svm.param(TASK, "gamma")
    assert gamma.toolTip().startswith(spec.doc)
    assert "Only used when kernel is rbf, poly or sigmoid." in gamma.toolTip()
    assert form.row("C").toolTip() == svm.param(TASK, "C").doc
    assert gamma.condition_label is not None and "kernel" in gamma.condition_label.text()
    assert gamma.layout().contentsMargins().left() > form.row("C").layout().contentsMargins().left()  # indented
    assert form.row("C").enabled_box.text() == "Regularisation C"
    assert form.row("C").name_label.text() == "C"
    for row in form.rows():
        assert row.enabled_box.accessibleName()
        assert row.reset_button.accessibleName()
        for widget in (row.low, row.high, row.log_box, row.step, row.values_edit):
            if widget is not None:
                assert widget.accessibleName()


def test_low_above_high_shows_the_core_message_on_its_row_and_clears_when_fixed(form, svm):
    row = form.row("C")
    row.low.setValue(5000.0)
    problems = _feed(form, svm)
    assert [p.field for p in problems] == ["space.C.low"]
    assert row.error_label.isVisible()
    assert "greater than high" in row.error_label.text()
    assert row.low.property("invalid") is True
    assert not form.row("gamma").error_label.isVisible()

    row.low.setValue(0.5)
    assert _feed(form, svm) == []
    assert not row.error_label.isVisible()
    assert row.error_label.text() == ""
    assert not row.low.property("invalid")


def test_form_level_problems_go_above_the_list(form, svm):
    for row in form.rows():
        row.enabled_box.setChecked(False)
    setup = SearchSetup.load(EXAMPLE).with_(space=form.space())
    problems = setup.validate()
    assert any(p.field == "space" for p in problems)
    form.set_problems(problems)
    assert form.message_label.isVisible()
    assert "no hyperparameter is switched on" in form.message_label.text()
    form.set_problems([])
    assert not form.message_label.isVisible()


def test_unticking_greys_the_row_and_disables_the_range(form):
    form.load_estimator_defaults()
    row = form.row("gamma")
    row.enabled_box.setChecked(False)
    assert not row.low.isEnabled() and not row.high.isEnabled() and not row.values_edit.isEnabled()
    assert form.space()["gamma"].enabled is False
    assert form.space()["gamma"].low == 1e-4  # the range is kept for when it is ticked again
    assert row.name_label.text() == "gamma = 'scale'"  # what the estimator uses instead
    row.enabled_box.setChecked(True)
    assert row.low.isEnabled()
    assert row.name_label.text() == "gamma"


def test_explicit_values_replace_the_range(form, svm):
    row = form.row("C")
    row.values_edit.setText("1, 10")
    assert form.space()["C"] == Hyperparameter(type="float", values=(1.0, 10.0))
    assert not row.low.isEnabled()
    assert _feed(form, svm, strategy="grid") != []  # gamma is still continuous
    assert not row.error_label.isVisible()
    row.values_edit.setText("1, ten")
    problems = _feed(form, svm)
    assert any(p.field == "space.C.values" for p in problems)
    assert "'ten' is not a number" in row.error_label.text()


def test_a_step_that_is_no_number_is_left_for_the_core_to_explain(form, svm):
    row = form.row("coef0")
    row.enabled_box.setChecked(True)
    row.step.setText("abc")
    _feed(form, svm)
    assert "step must be a positive number" in row.error_label.text()
    row.step.setText("0.25")
    assert form.space()["coef0"].step == 0.25
    assert _feed(form, svm, strategy="grid") != []
    assert not row.error_label.text()


def test_unticking_a_choice_removes_it(form):
    kernel = form.row("kernel")
    assert [b.text() for b in kernel.choices.boxes] == ["linear", "poly", "rbf", "sigmoid"]
    kernel.choices.box("rbf").setChecked(False)
    assert form.space()["kernel"].choices == ("linear",)
    kernel.choices.box("poly").setChecked(True)
    assert form.space()["kernel"].choices == ("linear", "poly")


def test_conditional_row_says_when_it_can_never_apply(form):
    degree = form.row("degree")
    assert "not used" in degree.condition_label.text()  # default kernels: linear, rbf
    form.row("kernel").choices.box("poly").setChecked(True)
    assert "not used" not in degree.condition_label.text()


def test_reset_restores_the_default(form, svm, qtbot):
    row = form.row("C")
    row.low.setValue(3.0)
    row.log_box.setChecked(False)
    row.enabled_box.setChecked(False)
    with qtbot.waitSignal(form.changed, timeout=1000):
        row.reset_button.click()
    assert form.space()["C"] == svm.param(TASK, "C").default

    form.row("kernel").choices.box("linear").setChecked(False)
    form.reset_all()
    assert form.space() == svm.default_space(TASK)


def test_changed_on_edits_but_not_while_filling(qtbot, svm):
    form = SpaceForm()
    qtbot.addWidget(form)
    seen = []
    form.changed.connect(lambda: seen.append(1))
    form.set_model(svm, TASK)
    form.set_model(get_model("mlp"), TASK, get_model("mlp").default_space(TASK))
    form.set_model(svm, TASK)
    assert seen == []
    form.row("gamma").set_hyperparameter(Hyperparameter("float", 0.1, 1.0))
    assert seen == []

    form.row("C").high.setValue(10.0)
    assert len(seen) == 1
    form.row("kernel").choices.box("poly").setChecked(True)
    form.row("degree").step.setText("1")
    form.row("coef0").enabled_box.setChecked(True)
    assert len(seen) == 4


def test_int_hyperparameters_give_ints(form):
    degree = form.row("degree")
    assert isinstance(degree.low, QSpinBox) and not isinstance(degree.low, ScientificSpinBox)
    degree.high.setValue(4)
    hp = form.space()["degree"]
    assert (hp.low, hp.high) == (2, 4)
    assert type(hp.low) is int and type(hp.high) is int
    degree.values_edit.setText("2, 3")
    hp = form.space()["degree"]
    assert hp.values == (2, 3) and all(type(v) is int for v in hp.values)
    degree.values_edit.clear()
    degree.step.setText("2")
    assert form.space()["degree"].step == 2 and type(form.space()["degree"].step) is int


def test_a_setup_file_space_round_trips(qtbot, svm):
    setup = SearchSetup.load(EXAMPLE)
    form = SpaceForm()
    qtbot.addWidget(form)
    form.set_model(svm, TASK, setup.space)
    space = form.space()
    for name, hp in setup.space.items():
        assert space[name] == hp, name
    # names the file leaves out are shown, switched off, with the default range
    assert space["degree"] == replace(svm.param(TASK, "degree").default, enabled=False)
    assert form.row("gamma").enabled_box.isChecked() is False


def test_unknown_names_are_left_out_with_a_note(qtbot, svm):
    form = SpaceForm()
    qtbot.addWidget(form)
    form.set_model(svm, TASK, {"C": Hyperparameter("float", 1.0, 2.0), "bogus": Hyperparameter("int", 1, 2)})
    form.show()
    assert "bogus" not in form.space()
    assert form.note_label.isVisible() and "bogus" in form.note_label.text()


def test_mlp_builds_with_open_ended_choices(qtbot):
    mlp = get_model("mlp")
    form = SpaceForm()
    qtbot.addWidget(form)
    form.set_model(mlp, TASK)
    assert form.space() == mlp.default_space(TASK)
    layers = form.row("hidden_layer_sizes")
    assert layers.choices.add_edit is not None
    layers.choices.add_edit.setText("256,128")
    layers.choices.add_edit.returnPressed.emit()
    assert form.space()["hidden_layer_sizes"].choices[-1] == "256,128"
    assert mlp.validate_space(TASK, form.space()) == []
    # booleans are choices of their own, not 1 and 0
    nesterov = form.row("nesterovs_momentum")
    assert form.space()["nesterovs_momentum"].choices == (True, False)
    nesterov.choices.box(False).setChecked(False)
    assert form.space()["nesterovs_momentum"].choices == (True,)
    assert form.row("alpha").low.text() == "1e-6"


def test_choice_order_from_a_file_is_kept(qtbot, svm):
    form = SpaceForm()
    qtbot.addWidget(form)
    form.set_model(svm, TASK, {"kernel": Hyperparameter("categorical", choices=("rbf", "linear"))})
    assert form.space()["kernel"].choices == ("rbf", "linear")


def test_scientific_spin_box_reads_and_writes_every_digit(qtbot):
    spin = ScientificSpinBox()
    qtbot.addWidget(spin)
    for value in (1e-6, 0.0001, 0.01, 0.5, 1000.0, 123456.0, 1.2345678901234e-7):
        spin.setValue(value)
        assert spin.value() == value
        assert spin.valueFromText(spin.text()) == value
    spin.setValue(0.1)
    spin.stepBy(2)
    assert spin.value() == 0.3
    spin.set_log_steps(True)
    spin.setValue(0.001)
    spin.stepBy(1)
    assert spin.value() == 0.01
    assert [exact_number(v) for v in (1e-6, 0.0001, 1000.0, 2.5, 3)] == ["1e-6", "0.0001", "1000", "2.5", "3"]


def test_row_set_problem_directly(qtbot, svm):
    row = ParamRow(svm.param(TASK, "C"))
    qtbot.addWidget(row)
    row.show()
    row.set_problem("something is off", parts=("high",))
    assert row.error_label.isVisible() and row.high.property("invalid") is True
    row.set_problem(None)
    assert not row.error_label.isVisible() and not row.high.property("invalid")


def test_tab_goes_through_a_row_in_reading_order(form):
    row = form.row("C")
    chain, widget = [], row.enabled_box
    for _ in range(6):
        widget = widget.nextInFocusChain()
        # skip labels, containers and the line edit inside each spin box
        while (widget.focusPolicy() == Qt.FocusPolicy.NoFocus or not widget.isEnabled()
               or isinstance(widget.parentWidget(), QAbstractSpinBox)):
            widget = widget.nextInFocusChain()
        chain.append(widget)
    assert chain == [row.low, row.high, row.log_box, row.step, row.values_edit, row.reset_button]


def test_scrolling_over_an_unfocused_spin_box_leaves_its_value(form, qtbot):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    spin = form.row("degree").low
    before = spin.value()
    event = QWheelEvent(QPointF(5, 5), QPointF(spin.mapToGlobal(QPoint(5, 5))), QPoint(0, 0), QPoint(0, 120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    QApplication.sendEvent(spin, event)
    assert spin.value() == before
