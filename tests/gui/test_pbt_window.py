"""Population-based training from the window: offered only where it applies, and every round a trial."""

from __future__ import annotations

from hpgui.core.pbt import DEFAULT_POPULATION, DEFAULT_ROUNDS

from test_main_window import SEARCH_TIMEOUT_MS, load, pick_model


def test_pbt_is_greyed_out_with_the_reason_then_trains_its_population(qtbot, window, iris_csv):
    load(qtbot, window, iris_csv, target="species")
    combo = window.search_panel.strategy_combo
    index = combo.findData("pbt")
    item = combo.model().item(index)
    pick_model(window, "knn")
    window.validate()
    assert not item.isEnabled()
    assert "knn is not one of them" in combo.itemData(index, 3)  # Qt.ToolTipRole

    pick_model(window, "sgd")
    window.validate()
    assert item.isEnabled()
    combo.setCurrentIndex(index)
    window.validate()
    assert window.actions.start.isEnabled(), window.problems
    with qtbot.waitSignal(window.searchFinished, timeout=SEARCH_TIMEOUT_MS) as finished:
        window.actions.start.trigger()
    assert finished.args == ["population complete"]
    records = window.store.records
    assert len(records) == DEFAULT_POPULATION * DEFAULT_ROUNDS
    slots = {(r.pbt["member"], r.pbt["round"]) for r in records if r.state == "complete"}
    assert slots == {(m, k) for m in range(DEFAULT_POPULATION) for k in range(DEFAULT_ROUNDS)}


def test_an_opened_pbt_setup_keeps_its_population_through_the_form(qtbot, window, iris_csv):
    from hpgui.core.setup import SearchSetup

    setup = SearchSetup.from_json({"data": {"path": str(iris_csv), "target": "species"}, "model": "sgd",
                                   "strategy": {"name": "pbt", "population": 3, "rounds": 4, "quantile": 0.5}})
    panel = window.search_panel
    panel.apply(setup)
    spec = panel.strategy()
    assert (spec.name, spec.population, spec.rounds, spec.quantile) == ("pbt", 3, 4, 0.5)
    panel.strategy_combo.setCurrentIndex(panel.strategy_combo.findData("tpe"))
    assert panel.strategy().population is None  # not carried into a strategy it does not belong to
