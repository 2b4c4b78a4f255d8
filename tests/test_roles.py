"""Columns with a part to play: notes on what the defaults leave out, date parts as a pipeline step,
weights checked, and balanced accuracy as the default metric for a strongly imbalanced target."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hpgui.core.dataset import DatasetError, read_table
from hpgui.core.dates import DateParts, coerce_date
from hpgui.core.metrics import default_metric
from hpgui.core.roles import check_parts
from hpgui.core.runner import Search
from hpgui.core.setup import SearchSetup, SetupError


def _search(path, **data):
    return Search(SearchSetup.from_json({
        "format": "hpgui-setup/1",
        "data": {"path": str(path), "target": "y", **data},
        "model": "decision_tree",
        "space": {"max_depth": {"type": "int", "values": [2, 3]}},
        "strategy": {"name": "grid"},
        "evaluation": {"folds": 3},
    }), study_name="roles")


@pytest.fixture
def orders(tmp_path):
    rng = np.random.default_rng(5)
    n = 120
    frame = pd.DataFrame({
        "order_id": [f"A{i:05d}" for i in range(n)],
        "placed": pd.date_range("2024-01-01 08:00", periods=n, freq="17h").strftime("%Y-%m-%d %H:%M"),
        "amount": rng.gamma(2, 20, size=n).round(2),
        "y": np.where(np.arange(n) % 10 == 0, "returned", "kept"),
    })
    path = tmp_path / "orders.csv"
    frame.to_csv(path, index=False)
    return path


def test_identifier_and_date_columns_are_left_out_with_a_note(orders):
    search = _search(orders)
    assert search.data.features == ["amount"]
    notes = " ".join(search.data.warnings)
    assert "identifiers" in notes and "'order_id'" in notes
    assert "Date columns left out: 'placed'" in notes and "data.dates" in notes


def test_date_parts_become_features_through_a_pipeline_step(orders):
    search = _search(orders, dates={"placed": ["month", "day_of_week", "hour"]})
    assert search.data.features == ["amount", "placed"]
    assert pd.api.types.is_datetime64_any_dtype(search.X["placed"])
    fitted = search.fit_best({"max_depth": 2})
    step = fitted.named_steps["preprocess"].named_transformers_["dates0"].named_steps["parts"]
    assert isinstance(step, DateParts) and step.parts == ("month", "day_of_week", "hour")
    raw = pd.read_csv(orders)
    expected = pd.to_datetime(raw["placed"])
    parts = step.transform(search.X[["placed"]])
    np.testing.assert_array_equal(parts[:, 0], expected.dt.month.to_numpy()[: len(parts)])
    np.testing.assert_array_equal(parts[:, 2], expected.dt.hour.to_numpy()[: len(parts)])
    assert list(step.get_feature_names_out()) == ["placed_month", "placed_day_of_week", "placed_hour"]
    # The fitted pipeline takes the raw column at prediction time; an unreadable date becomes missing.
    batch = search.X.head(3).copy()
    batch["placed"] = coerce_date(pd.Series(["2024-05-01 10:00", "not a date", None]))
    assert len(fitted.predict(batch)) == 3


def test_date_choices_are_checked():
    assert check_parts("d", ["year", "hour"]) is None
    assert "not a date part" in check_parts("d", ["yr"])
    assert "listed twice" in check_parts("d", ["year", "year"])
    with pytest.raises(SetupError, match="data.dates"):
        SearchSetup.from_json({"data": {"path": "x.csv", "target": "y", "dates": {"d": "year"}}, "model": "svm"})


def test_dates_with_mixed_formats_and_time_zones_are_read(tmp_path):
    values = pd.Series(["2024-01-05T10:00:00+02:00", "2024-01-06 09:30", "06/01/2024", None])
    parsed = coerce_date(values)
    assert parsed.dtype == "datetime64[ns]" and parsed.isna().sum() == 1
    assert parsed.iloc[0] == pd.Timestamp("2024-01-05 08:00")  # to UTC, then naive


@pytest.mark.parametrize("cells, words", [
    (["1", "x", "2"], "holds text such as 'x'"),
    (["1", "", "2"], "empty in 10 of the 30 rows"),
    (["1", "-3", "2"], "negative"),
    (["0", "0", "0"], "Every weight"),
])
def test_bad_weights_get_a_message(tmp_path, cells, words):
    frame = pd.DataFrame({"a": [i * 7 % 13 for i in range(30)], "y": [i % 2 for i in range(30)],
                          "w": (cells * 10)})
    path = tmp_path / "w.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DatasetError, match=words):
        _search(path, weight="w")


def test_a_column_cannot_be_target_and_weight(orders):
    problems = SearchSetup.from_json({"data": {"path": str(orders), "target": "y", "weight": "y"},
                                      "model": "svm"}).validate("classification")
    assert any(p.field == "data.weight" and "two parts" in p.message for p in problems)


def test_imbalanced_targets_default_to_balanced_accuracy_with_the_reason(orders):
    name, reason = default_metric("classification", pd.Series(["kept"] * 95 + ["returned"] * 5))
    assert name == "balanced_accuracy"
    assert "'returned'" in reason and "5.0%" in reason and "95.0%" in reason and "F1" in reason
    name, reason = default_metric("classification", pd.Series(["a"] * 60 + ["b"] * 40))
    assert name == "accuracy" and "balanced" in reason
    assert default_metric("regression")[0] == "r2"
    search = _search(orders)  # 10 % returned: the search picks balanced accuracy itself
    assert search.metric.name == "balanced_accuracy" and "rarest" in search.metric_reason
    chosen = Search(SearchSetup.from_json({"data": {"path": str(orders), "target": "y"}, "model": "decision_tree",
                                           "metric": "accuracy", "evaluation": {"folds": 3}}), study_name="r2")
    assert chosen.metric.name == "accuracy" and chosen.metric_reason is None


def test_a_workbook_sheet_and_header_row_reach_the_search(tmp_path):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"note": ["see the other sheet"]}).to_excel(writer, sheet_name="About", index=False)
        pd.DataFrame({"a": [i * 7 % 13 for i in range(30)], "y": [i % 2 for i in range(30)]}).to_excel(
            writer, sheet_name="Rows", index=False, startrow=2)
    search = _search(path, sheet="Rows", header_row=3)
    assert search.dataset.rows == 30 and search.data.features == ["a"]
    assert search.dataset.read_options["sheet_name"] == "Rows"
    with pytest.raises(DatasetError, match="no sheet named 'rows'"):
        _search(path, sheet="rows")
    assert read_table(path).read_options["sheet_name"] == "About"  # the first sheet with a table
