"""Gradient descent from the window: offered only where it applies, and its descent on the charts."""

from __future__ import annotations

from sklearn.datasets import load_diabetes

from hpgui.core.records import CHAIN_ATTR

from test_main_window import SEARCH_TIMEOUT_MS, load, pick_model, set_trials


def _strategy_item(window):
    combo = window.search_panel.strategy_combo
    index = combo.findData("gradient")
    return combo, index, combo.model().item(index)


def test_gradient_descent_is_greyed_out_with_the_reason_then_runs_and_draws_its_descent(qtbot, window, tmp_path):
    csv = tmp_path / "diabetes.csv"
    load_diabetes(as_frame=True).frame.to_csv(csv, index=False)
    load(qtbot, window, csv, target="target")
    pick_model(window, "knn")
    window.validate()
    combo, index, item = _strategy_item(window)
    assert not item.isEnabled()
    assert "knn is not one of them" in combo.itemData(index, 3)  # Qt.ToolTipRole

    pick_model(window, "ridge")
    window.validate()
    assert item.isEnabled()
    combo.setCurrentIndex(index)
    set_trials(window, 30)
    window.validate()
    assert window.actions.start.isEnabled(), window.problems
    with qtbot.waitSignal(window.searchFinished, timeout=SEARCH_TIMEOUT_MS) as finished:
        window.actions.start.trigger()
    assert finished.args == ["converged"]
    assert "gradient descent converged" in window.status_label.text()

    store = window.store
    paths = store.chain_paths()
    assert 0 in paths and len(paths[0]) >= 2 and set(paths) <= {0, 1, 2}
    x, y = window.history._descent.getData()
    steps = sum(len(p) for p in paths.values())
    assert len(x) == steps + len(paths) - 1  # one line per descent, a gap between them
    chart = window.best_chart
    assert list(chart.plotted()) == ["alpha"]  # built (it is drawn when its tab is shown)
    chart.refresh(store)
    px, py = chart._rows["alpha"].path.getData()
    assert sorted(v for v in py if v == v) == sorted(float(r.number) for p in paths.values() for r in p)

    # With a categorical hyperparameter searched beside alpha, it cannot descend: the reason says which.
    pick_model(window, "elastic_net")
    window.validate()
    assert item.isEnabled()
    window.model_panel.space_form.row("selection").enabled_box.setChecked(True)
    window.validate()
    assert not item.isEnabled()
    assert "selection" in combo.itemData(index, 3)
    assert any(p.field == "space.selection" for p in window.problems)
    assert not window.actions.start.isEnabled()


def test_every_step_is_a_trial_in_storage_with_its_descent(qtbot, window, tmp_path):
    import optuna

    from hpgui.core.storage import open_storage

    csv = tmp_path / "diabetes.csv"
    load_diabetes(as_frame=True).frame.to_csv(csv, index=False)
    load(qtbot, window, csv, target="target")
    pick_model(window, "ridge")
    combo, index, _ = _strategy_item(window)
    combo.setCurrentIndex(index)
    set_trials(window, 6)
    with qtbot.waitSignal(window.searchFinished, timeout=SEARCH_TIMEOUT_MS):
        window.actions.start.trigger()
    study = optuna.load_study(study_name=window.study_name, storage=open_storage(None, window.study_name))
    trials = study.get_trials()
    assert len(trials) == 6 == len(window.store)
    assert all(t.user_attrs.get(CHAIN_ATTR) is not None for t in trials)
    assert all("descent" in t.user_attrs["hpgui"] for t in trials if t.state.name == "COMPLETE")
