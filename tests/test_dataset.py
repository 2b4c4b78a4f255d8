"""Behaviour of hpgui.core.dataset: reading files, profiling columns, preparing training data."""

from __future__ import annotations

import hashlib
import inspect
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hpgui.core.dataset import (
    DatasetError,
    coerce_features,
    coerce_target,
    default_features,
    infer_task,
    prepare,
    read_table,
)

PENGUINS = Path(__file__).resolve().parents[1] / "resources" / "examples" / "penguins.csv"


def write(tmp_path: Path, text: str | bytes, name: str = "data.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    return path


def assert_round_trip(ds) -> None:
    pd.testing.assert_frame_equal(pd.read_csv(ds.path, **ds.read_options), ds.frame)


def error_of(fn, *args, **kwargs) -> str:
    with pytest.raises(DatasetError) as info:
        fn(*args, **kwargs)
    return str(info.value)


def frame_file(tmp_path: Path, frame: pd.DataFrame, name: str = "frame.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


# ----------------------------------------------------------------------------- bad files


def test_missing_file(tmp_path):
    msg = error_of(read_table, tmp_path / "nope.csv")
    assert "not found" in msg and "nope.csv" in msg


def test_directory(tmp_path):
    msg = error_of(read_table, tmp_path)
    assert "folder" in msg and "Choose a CSV file" in msg


@pytest.mark.parametrize("content", [b"", b"  \n\t\r\n  ", b"\xef\xbb\xbf\n"])
def test_empty_or_blank_file(tmp_path, content):
    msg = error_of(read_table, write(tmp_path, content))
    assert "empty" in msg and "data.csv" in msg


@pytest.mark.parametrize("content", ["a,b,c\n", "a,b,c", "a;b;c\r\n\r\n"])
def test_header_only(tmp_path, content):
    msg = error_of(read_table, write(tmp_path, content))
    assert "no data rows" in msg


def test_binary_file(tmp_path):
    msg = error_of(read_table, write(tmp_path, b"\x7fELF\x02\x01\x01\x00\x00\x00" * 50, "prog.csv"))
    assert "not a text file" in msg and "NUL" in msg


def test_excel_file_is_named(tmp_path):
    # A zip signature is read as a workbook or a zipped CSV (tests/test_readers.py); a broken one says so.
    msg = error_of(read_table, write(tmp_path, b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 100, "book.csv"))
    assert "Excel" in msg and "damaged" in msg and "book.csv" in msg


def test_single_column_names_the_separators_tried(tmp_path):
    msg = error_of(read_table, write(tmp_path, "value\n1\n2\n3\n"))
    assert "one column" in msg
    for word in ("comma", "semicolon", "tab", "pipe"):
        assert word in msg


@pytest.mark.parametrize("bad_row, fields, more", [("4,5,6,7", 4, "more"), ("4,5", 2, "fewer")])
def test_ragged_row_names_line_and_counts(tmp_path, bad_row, fields, more):
    text = "a,b,c\n1,2,3\n1,2,3\n" + bad_row + "\n7,8,9\n"
    msg = error_of(read_table, write(tmp_path, text))
    assert "line 4" in msg and "data row 3" in msg
    assert f"has {fields} fields" in msg and "header has 3" in msg and more in msg


def test_ragged_row_counts_lines_after_leading_blank_lines(tmp_path):
    msg = error_of(read_table, write(tmp_path, "\n\na;b\n1;2\n3;4;5\n"))
    assert "line 5 (data row 2) has 3 fields but the header has 2" in msg


def test_duplicate_columns_are_named(tmp_path):
    msg = error_of(read_table, write(tmp_path, "x,y,x,z,y\n1,2,3,4,5\n"))
    assert "duplicate" in msg and "'x'" in msg and "'y'" in msg and "'z'" not in msg


# ----------------------------------------------------------------------------- good files


@pytest.mark.parametrize("sep", ["\t", ";", "|"])
def test_other_separators(tmp_path, sep):
    text = sep.join(["name", "score", "group"]) + "\n" + "".join(
        sep.join([f"n{i}", f"{i * 0.5}", "ab"[i % 2]]) + "\n" for i in range(30))
    ds = read_table(write(tmp_path, text, "data.tsv"))
    assert ds.delimiter == sep and ds.read_options["sep"] == sep
    assert ds.columns == ["name", "score", "group"] and ds.rows == 30
    assert ds.frame["score"].dtype == np.float64 and ds.frame["score"].iloc[3] == 1.5
    assert_round_trip(ds)


def test_semicolon_file_with_decimal_commas_in_quotes(tmp_path):
    text = 'city;note;n\n"Paris";"a, b, c";1\n"Lyon";"d, e";2\n"Nice";"f";3\n'
    ds = read_table(write(tmp_path, text))
    assert ds.delimiter == ";" and ds.frame["note"].tolist() == ["a, b, c", "d, e", "f"]


def test_semicolon_file_with_decimal_commas(tmp_path):
    ds = read_table(write(tmp_path, "Gewicht;Stadt;Anzahl\r\n1,5;Köln;3\r\n-2,25;Bonn;4\r\n"))
    assert ds.read_options["decimal"] == ","
    assert ds.frame["Gewicht"].tolist() == [1.5, -2.25] and ds.frame["Anzahl"].dtype == np.int64
    assert_round_trip(ds)


def test_cp1252_file_warns_and_reads_the_right_text(tmp_path):
    path = write(tmp_path, "drink,price\ncafé,2.5\nthé,3\n", encoding="cp1252")
    ds = read_table(path)
    assert ds.encoding == "cp1252"
    assert ds.frame["drink"].tolist() == ["café", "thé"]
    assert len(ds.warnings) == 1 and "UTF-8" in ds.warnings[0] and "cp1252" in ds.warnings[0]
    assert_round_trip(ds)


def test_latin1_when_cp1252_cannot_decode(tmp_path):
    path = write(tmp_path, b"a,b\ncaf\xe9,1\nx\x81y,2\n")  # 0x81 is undefined in cp1252
    ds = read_table(path)
    assert ds.encoding == "latin-1" and ds.frame["a"].iloc[0] == "café"
    assert "Latin-1" in ds.warnings[0]
    assert_round_trip(ds)


def test_utf8_bom(tmp_path):
    ds = read_table(write(tmp_path, "name,n\ncafé,1\nbar,2\n", encoding="utf-8-sig"))
    assert ds.encoding == "utf-8-sig" and ds.warnings == []
    assert ds.columns == ["name", "n"]  # no BOM glued to the first name
    assert ds.frame["name"].iloc[0] == "café"
    assert_round_trip(ds)


def test_sha256_is_of_the_file_bytes(tmp_path):
    path = write(tmp_path, "a,b\n1,2\n3,4\n")
    assert read_table(path).sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_missing_markers(tmp_path):
    markers = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "?", "-"]
    text = "num,word\n" + "".join(f"{m},{m}\n" for m in markers) + "1.5,real\n"
    ds = read_table(write(tmp_path, text))
    assert ds.frame["num"].dtype == np.float64
    assert ds.frame["num"].isna().sum() == len(markers) and ds.frame["num"].iloc[-1] == 1.5
    assert ds.frame["word"].isna().sum() == len(markers)
    assert ds.profiles["num"].missing == len(markers) and ds.profiles["word"].missing == len(markers)
    assert ds.read_options["keep_default_na"] is False
    assert_round_trip(ds)


def test_blank_line_falls_back_to_c_engine_and_round_trips(tmp_path):
    # pyarrow rejects a whitespace-only line; the C parser skips it like an empty line.
    ds = read_table(write(tmp_path, "a,b\n1,0.1\n   \n2,0.3\n"))
    assert ds.read_options["engine"] == "c" and ds.rows == 2
    assert ds.frame["b"].tolist() == [0.1, 0.3]
    assert_round_trip(ds)


def test_read_options_are_plain_json(tmp_path):
    import json
    ds = read_table(PENGUINS)
    assert json.loads(json.dumps(ds.read_options)) == ds.read_options


def test_penguins():
    ds = read_table(PENGUINS)
    assert (ds.rows, len(ds.columns)) == (344, 8)
    assert ds.frame["bill_length_mm"].dtype == np.float64 and ds.frame["year"].dtype == np.int64
    assert {n: p.missing for n, p in ds.profiles.items()} == {
        "species": 0, "island": 0, "bill_length_mm": 2, "bill_depth_mm": 2,
        "flipper_length_mm": 2, "body_mass_g": 2, "sex": 11, "year": 0}
    assert ds.profiles["island"].kind == "categorical" and ds.profiles["sex"].kind == "categorical"
    assert ds.profiles["body_mass_g"].kind == "numeric"
    assert_round_trip(ds)

    assert infer_task(ds.frame["species"]) == "classification"
    assert default_features(ds, "species") == [c for c in ds.columns if c != "species"]
    data = prepare(ds, "species")
    assert data.task == "classification" and data.target == "species"
    assert data.class_counts == {"Adelie": 152, "Chinstrap": 68, "Gentoo": 124}
    assert "species" not in data.features and data.categorical == ["island", "sex"]
    assert data.X.shape == (344, 7) and data.dropped_rows == 0


# ----------------------------------------------------------------------------- profiles


def test_profile_kinds(tmp_path):
    n = 200
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "measure": rng.normal(size=n),
        "colour": [["red", "green", "blue"][i % 3] for i in range(n)],
        "comment": [f"the customer wrote a rather long remark number {i} about the order" for i in range(n)],
        "iso_day": pd.date_range("2020-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
        "us_day": pd.date_range("2020-01-01", periods=n, freq="D").strftime("%m/%d/%Y"),
        "stamp": pd.date_range("2020-01-01", periods=n, freq="h").strftime("%Y-%m-%d %H:%M"),
        "always": ["same"] * n,
        "code": [f"K{i:05d}" for i in range(n)],
        "row": rng.permutation(n) + 1,
        "customer_id": rng.choice(10**9, size=n, replace=False),
        "flag": [True, False] * (n // 2),
        "count": rng.integers(0, 5, size=n),
    })
    ds = read_table(frame_file(tmp_path, frame))
    kinds = {name: p.kind for name, p in ds.profiles.items()}
    assert kinds == {
        "measure": "numeric", "colour": "categorical", "comment": "text", "iso_day": "datetime",
        "us_day": "datetime", "stamp": "datetime", "always": "constant", "code": "id", "row": "id",
        "customer_id": "id", "flag": "categorical", "count": "numeric"}
    assert [n for n, p in ds.profiles.items() if p.usable] == ["measure", "colour", "flag", "count"]
    assert ds.profiles["colour"].distinct == 3 and ds.profiles["always"].distinct == 1
    assert_round_trip(ds)


def test_high_cardinality_strings_are_not_categories(tmp_path):
    n = 400
    frame = pd.DataFrame({"ticket": [f"T{i % 300}" for i in range(n)], "y": np.arange(n) % 2})
    ds = read_table(frame_file(tmp_path, frame))
    assert ds.profiles["ticket"].kind == "text" and not ds.profiles["ticket"].usable


def test_infer_task():
    assert infer_task(pd.Series(["a", "b", "a"])) == "classification"
    assert infer_task(pd.Series([True, False, True])) == "classification"
    assert infer_task(pd.Series(["x", "y"], dtype="category")) == "classification"
    assert infer_task(pd.Series([0.5, 1.25, 3.0])) == "regression"
    assert infer_task(pd.Series([0, 1, 2] * 20)) == "classification"
    assert infer_task(pd.Series([0.0, 1.0, np.nan] * 20)) == "classification"
    assert infer_task(pd.Series([0, 1] * 2)) == "classification"
    assert infer_task(pd.Series(range(100))) == "regression"
    assert infer_task(pd.Series(np.arange(60) % 15)) == "regression"  # 15 classes of 4: too few rows each
    assert infer_task(pd.Series(np.arange(300) % 15)) == "classification"


def test_sklearn_iris_and_diabetes(tmp_path):
    from sklearn.datasets import load_diabetes, load_iris

    iris = load_iris(as_frame=True)
    frame = iris.data.assign(species=iris.target_names[iris.target])
    ds = read_table(frame_file(tmp_path, frame, "iris.csv"))
    data = prepare(ds, "species")
    assert data.task == "classification" and len(data.class_counts) == 3
    assert data.numeric == list(iris.data.columns) and data.categorical == []

    diabetes = load_diabetes(as_frame=True)
    ds = read_table(frame_file(tmp_path, diabetes.frame, "diabetes.csv"))
    data = prepare(ds, "target")
    assert data.task == "regression" and data.y.dtype == np.float64 and data.class_counts is None
    assert data.X.shape == (442, 10)
    assert_round_trip(ds)


# ----------------------------------------------------------------------------- prepare


@pytest.fixture
def penguins():
    return read_table(PENGUINS)


def test_unknown_target_suggests_and_lists(penguins):
    msg = error_of(prepare, penguins, "specie")
    assert "'specie'" in msg and "Did you mean 'species'" in msg
    assert all(repr(c) in msg for c in penguins.columns)


def test_unknown_target_case_insensitive_suggestion(penguins):
    assert "Did you mean 'species'" in error_of(prepare, penguins, "SPECIES")


def test_target_all_missing(tmp_path):
    ds = read_table(write(tmp_path, "x,y\n1,NA\n2,NA\n3,\n"))
    msg = error_of(prepare, ds, "y")
    assert "'y'" in msg and "all 3 cells are missing" in msg


def test_bad_task(penguins):
    msg = error_of(prepare, penguins, "species", task="classify")
    assert "'classify'" in msg and "classification, regression, clustering" in msg


def test_target_required_unless_clustering(penguins):
    assert "Choose a target column" in error_of(prepare, penguins, None, task="regression")


def test_one_class(tmp_path):
    ds = read_table(write(tmp_path, "x,label\n" + "".join(f"{i},yes\n" for i in range(10)) + "11,NA\n"))
    msg = error_of(prepare, ds, "label", task="classification")
    assert "only one class" in msg and "'yes'" in msg


def test_small_class_is_named_with_its_count(tmp_path):
    rows = [f"{i},big" for i in range(20)] + [f"{i},rare" for i in range(3)]
    ds = read_table(write(tmp_path, "x,label\n" + "\n".join(rows) + "\n"))
    msg = error_of(prepare, ds, "label", folds=5)
    assert "'rare' has 3 rows" in msg and "Lower the number of folds to 3" in msg and "merge" in msg
    assert prepare(ds, "label", folds=3).class_counts == {"big": 20, "rare": 3}


def test_fewer_rows_than_folds(tmp_path):
    ds = read_table(write(tmp_path, "x,y\n1,0.5\n2,1.5\n3,2.25\n"))
    msg = error_of(prepare, ds, "y", folds=5)
    assert "Only 3 rows" in msg and "5 cross-validation folds" in msg and "Lower the number of folds" in msg


def test_bad_folds(penguins):
    assert "at least 2" in error_of(prepare, penguins, "species", folds=1)


def test_no_usable_default_feature(tmp_path):
    rows = [f"K{i:04d},the customer wrote a long remark number {i} about it,{i % 2}" for i in range(30)]
    ds = read_table(write(tmp_path, "code,remark,label\n" + "\n".join(rows) + "\n"))
    msg = error_of(prepare, ds, "label")
    assert "feature" in msg and "'code' is an identifier" in msg and "'remark' is free text" in msg


def test_no_feature_chosen(penguins):
    assert "No usable feature" in error_of(prepare, penguins, "species", features=[])


def test_only_constant_features_chosen(tmp_path):
    ds = read_table(write(tmp_path, "c,x,y\n" + "".join(f"1,{i},{i % 2}\n" for i in range(10))))
    msg = error_of(prepare, ds, "y", features=["c"])
    assert "constant" in msg


def test_unknown_feature_names(penguins):
    msg = error_of(prepare, penguins, "species", features=["island", "bill_lenght_mm", "colour"])
    assert "'bill_lenght_mm'" in msg and "'colour'" in msg and "Did you mean 'bill_length_mm'" in msg


def test_regression_on_text_target(penguins):
    msg = error_of(prepare, penguins, "species", task="regression")
    assert "'Adelie'" in msg and "classification" in msg


def test_missing_target_rows_are_dropped(penguins):
    data = prepare(penguins, "sex")
    assert data.dropped_rows == 11 and len(data.X) == len(data.y) == 333
    assert data.y.notna().all() and data.class_counts == {"female": 165, "male": 168}
    assert any("11 rows" in w for w in data.warnings)
    assert list(data.X.index) == list(range(333))


def test_explicit_features_and_target_exclusion(penguins):
    data = prepare(penguins, "species", features=["species", "island", "bill_depth_mm", "island"])
    assert data.features == ["island", "bill_depth_mm"]
    assert data.numeric == ["bill_depth_mm"] and data.categorical == ["island"]
    assert any("removed from the features" in w for w in data.warnings)


def test_explicit_text_feature_becomes_categorical(tmp_path):
    rows = [f"K{i:04d},{i * 0.5},{i % 2}" for i in range(30)]
    ds = read_table(write(tmp_path, "code,x,label\n" + "\n".join(rows) + "\n"))
    assert default_features(ds, "label") == ["x"]
    data = prepare(ds, "label", features=["code", "x"])
    assert data.categorical == ["code"] and data.X["code"].dtype == object
    assert any("'code' (id)" in w for w in data.warnings)


def test_clustering(penguins):
    data = prepare(penguins, None)
    assert data.task == "clustering" and data.y is None and data.target is None
    assert data.features == default_features(penguins, None) and "species" in data.features
    data = prepare(penguins, "species", task="clustering")
    assert data.y is None and "species" not in data.features and len(data.X) == 344


def test_integer_class_labels_stay_integers(tmp_path):
    ds = read_table(write(tmp_path, "x,grade\n" + "".join(f"{i * 0.5},{i % 3}\n" for i in range(30))))
    data = prepare(ds, "grade")
    assert data.task == "classification" and data.y.dtype == np.int64
    assert data.class_counts == {0: 10, 1: 10, 2: 10}


# ----------------------------------------------------------------------------- coercion


def test_coerce_features_dtypes_and_missing():
    X = pd.DataFrame({
        "n": pd.Series([1, 2, 3], dtype="int64"),
        "f": [0.5, np.nan, 1.5],
        "nullable": pd.array([1, None, 3], dtype="Int64"),
        "s": pd.Series(["a", None, "b"], dtype="str"),
        "b": pd.Series([True, None, False], dtype=object),
        "flag": [True, False, True],
    })
    out = coerce_features(X, ["n", "f", "nullable"], ["s", "b", "flag"])
    assert list(out.columns) == list(X.columns)
    assert all(out[c].dtype == np.float64 for c in ["n", "f", "nullable"])
    assert all(out[c].dtype == object for c in ["s", "b", "flag"])
    assert out["s"].iloc[0] == "a" and type(out["s"].iloc[0]) is str
    for col in ["f", "nullable", "s", "b"]:
        cell = out[col].iloc[1]
        assert isinstance(cell, float) and np.isnan(cell), col
    assert out["flag"].tolist() == ["True", "False", "True"]
    assert X["n"].dtype == np.int64  # the input is left alone


def test_coerced_features_work_with_sklearn(penguins):
    from sklearn.compose import make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    data = prepare(penguins, "species")
    encode = make_column_transformer(
        (SimpleImputer(), data.numeric),
        (make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder()), data.categorical))
    assert encode.fit_transform(data.X).shape == (344, 5 + 3 + 2)


def test_coerce_target():
    assert coerce_target(pd.Series([1.0, 2.0]), "classification").dtype == np.int64
    labels = coerce_target(pd.Series([0.5, 2.0]), "classification")
    assert labels.dtype == object and labels.tolist() == ["0.5", "2.0"]
    labels = coerce_target(pd.Series(["a", "b"], dtype="str"), "classification")
    assert labels.dtype == object and type(labels.iloc[0]) is str
    assert coerce_target(pd.Series([True, False]), "classification").tolist() == ["True", "False"]
    assert coerce_target(pd.Series([1, 2]), "regression").dtype == np.float64
    assert coerce_target(pd.Series(["1.5", "2"]), "regression").tolist() == [1.5, 2.0]


def test_coercers_are_self_contained(penguins):
    """The exported script copies their source and runs it with only pd and np defined."""
    namespace = {"pd": pd, "np": np}
    for fn in (coerce_features, coerce_target):
        exec(compile(inspect.getsource(fn), "<script>", "exec"), namespace)
    data = prepare(penguins, "species")
    frame = penguins.frame
    X = namespace["coerce_features"](frame[data.features], data.numeric, data.categorical)
    pd.testing.assert_frame_equal(X, data.X)
    pd.testing.assert_series_equal(namespace["coerce_target"](frame["species"], "classification"), data.y)


def test_core_module_does_not_import_qt():
    code = ("import sys, hpgui.core.dataset; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6')]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1])


# ----------------------------------------------------------------------------- property


_cells = st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.integers(1, 15), data=st.data())
def test_numeric_frames_round_trip(tmp_path, rows, data):
    columns = {}
    for i in range(data.draw(st.integers(2, 4))):
        if data.draw(st.booleans()):
            columns[f"c{i}"] = pd.Series(data.draw(st.lists(st.integers(-2**62, 2**62), min_size=rows,
                                                            max_size=rows)), dtype="int64")
        else:
            values = data.draw(st.lists(_cells, min_size=rows, max_size=rows))
            columns[f"c{i}"] = pd.Series([np.nan if v is None else v for v in values], dtype="float64")
    frame = pd.DataFrame(columns)
    ds = read_table(frame_file(tmp_path, frame))
    pd.testing.assert_frame_equal(ds.frame, frame, check_exact=True)
    assert_round_trip(ds)
