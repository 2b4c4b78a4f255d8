"""Spreadsheets, Parquet, Feather/Arrow and compressed CSV: each opens with the right shape and
dtypes, each broken one gives a message, and the exported script's reader reads the same frame."""

from __future__ import annotations

import datetime as dt
import gzip
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hpgui.core.dataset import DatasetError, prepare, read_table
from hpgui.core.readers import script_reader

FRAME = pd.DataFrame({
    "count": [1, 2, 3, 4, 5, 6],
    "size": [1.5, np.nan, 2.5, 3.5, 4.0, 0.25],
    "colour": ["red", "blue", None, "red", "blue", "red"],
    "when": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01", "2024-06-01"]),
    "label": ["a", "b", "a", "b", "a", "b"],
})
KINDS = {"count": "numeric", "size": "numeric", "colour": "categorical", "when": "datetime", "label": "categorical"}


def error_of(fn, *args, **kwargs) -> str:
    with pytest.raises(DatasetError) as info:
        fn(*args, **kwargs)
    return str(info.value)


def reread(ds) -> pd.DataFrame:
    """What the exported script's read_data gives for this dataset."""
    source, imports = script_reader(ds)
    namespace = {"pd": pd, "READ_OPTIONS": ds.read_options}
    for line in imports:
        exec(line, namespace)
    exec(source, namespace)
    return namespace["read_data"](ds.path)


def write_xls(path: Path, rows: list[list], sheet: str = "Sheet1") -> Path:
    import xlwt  # only a writer for the test file (a test dependency); hpgui reads it with python-calamine
    book = xlwt.Workbook()
    ws = book.add_sheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
    book.save(str(path))
    return path


@pytest.mark.parametrize("name, write", [
    ("data.xlsx", lambda f, p: f.to_excel(p, index=False, engine="openpyxl")),
    ("data.ods", lambda f, p: f.to_excel(p, index=False, engine="odf")),
    ("data.parquet", lambda f, p: f.to_parquet(p)),
    ("data.feather", lambda f, p: f.to_feather(p)),
    ("data.arrow", lambda f, p: f.to_feather(p)),
])
def test_binary_formats_open_with_shape_dtypes_and_profiles(tmp_path, name, write):
    path = tmp_path / name
    write(FRAME, path)
    ds = read_table(path)
    assert ds.frame.shape == FRAME.shape
    assert list(ds.frame.columns) == list(FRAME.columns)
    assert {c: p.kind for c, p in ds.profiles.items()} == KINDS
    assert pd.api.types.is_integer_dtype(ds.frame["count"])
    assert pd.api.types.is_float_dtype(ds.frame["size"]) and ds.frame["size"].isna().sum() == 1
    assert pd.api.types.is_datetime64_any_dtype(ds.frame["when"])
    assert ds.frame["colour"].isna().sum() == 1
    assert len(ds.sha256) == 64
    pd.testing.assert_frame_equal(reread(ds), ds.frame)
    data = prepare(ds, "label", folds=3)
    assert data.task == "classification" and set(data.features) == {"count", "size", "colour"}


def test_xls_opens(tmp_path):
    rows = [["count", "size", "label"]] + [[i, i / 4, "ab"[i % 2]] for i in range(8)]
    ds = read_table(write_xls(tmp_path / "old.xls", rows))
    assert ds.frame.shape == (8, 3) and ds.format == "spreadsheet"
    assert pd.api.types.is_numeric_dtype(ds.frame["size"])
    pd.testing.assert_frame_equal(reread(ds), ds.frame)


@pytest.mark.parametrize("name", ["data.csv.gz", "data.zip"])
def test_compressed_csv_reads_like_the_plain_file(tmp_path, name):
    text = "a;b;c\n1,5;x;2024-01-01\n2,5;y;2024-01-02\n3,5;x;2024-01-03\n"
    plain = tmp_path / "plain.csv"
    plain.write_text(text)
    path = tmp_path / name
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("export/data.csv", text)
            archive.writestr("__MACOSX/export/._data.csv", b"\x00\x05junk")
    ds, ref = read_table(path), read_table(plain)
    pd.testing.assert_frame_equal(ds.frame, ref.frame)
    assert ds.delimiter == ";" and ds.read_options["decimal"] == ","
    assert {c: p.kind for c, p in ds.profiles.items()} == {c: p.kind for c, p in ref.profiles.items()}
    pd.testing.assert_frame_equal(reread(ds), ds.frame)
    assert ds.sha256 != ref.sha256  # the archive's own bytes identify it


def test_header_row_detected_below_a_title_and_notes(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    notes = book.active
    notes.title = "Read me"  # a cover sheet without a table is passed over
    book.create_sheet("Sales, 'Q1'\n\"final\"")  # a hostile name: quotes, comma and a newline
    ws = book["Sales, 'Q1'\n\"final\""]
    ws["A1"] = "Quarterly sales"
    ws["A2"] = "Source: the shop system"
    ws.append(["region", "units", "day"])
    for i in range(5):
        ws.append([f"r{i % 2}", i * 10, dt.datetime(2024, 1, i + 1)])
    ws.append([None, None, None])
    path = tmp_path / "book.xlsx"
    book.save(path)
    ds = read_table(path)
    assert list(ds.frame.columns) == ["region", "units", "day"] and len(ds.frame) == 5
    assert ds.read_options["header"] == 2 and ds.read_options["sheet_name"] == "Sales, 'Q1'\n\"final\""
    assert "Read me" in ds.warnings[0]
    assert ds.sheets == ("Read me", "Sales, 'Q1'\n\"final\"")
    pd.testing.assert_frame_equal(reread(ds), ds.frame)
    # An explicit header row wins over detection.
    chosen = read_table(path, sheet="Sales, 'Q1'\n\"final\"", header_row=4)
    assert chosen.read_options["header"] == 3 and chosen.frame.columns[0] == "r0" and len(chosen.frame) == 4


def test_missing_and_empty_sheets_name_the_others(tmp_path):
    with pd.ExcelWriter(tmp_path / "b.xlsx") as writer:
        FRAME.to_excel(writer, sheet_name="Data", index=False)
        pd.DataFrame().to_excel(writer, sheet_name="Blank", index=False)
    msg = error_of(read_table, tmp_path / "b.xlsx", sheet="Dta")
    assert "no sheet named 'Dta'" in msg and "'Data'" in msg and "'Blank'" in msg
    msg = error_of(read_table, tmp_path / "b.xlsx", sheet="Blank")
    assert "empty" in msg and "'Data'" in msg


def test_duplicate_headers_in_a_sheet_are_refused(tmp_path):
    frame = pd.DataFrame([[1, 2, 3], [4, 5, 6]], columns=["a", "b", "c"])
    frame.to_excel(tmp_path / "d.xlsx", index=False, header=["x", "y", "x"])
    msg = error_of(read_table, tmp_path / "d.xlsx")
    assert "duplicate column names" in msg and "'x'" in msg


def test_a_saved_index_becomes_a_column(tmp_path):
    FRAME.set_index("when").to_parquet(tmp_path / "i.parquet")
    ds = read_table(tmp_path / "i.parquet")
    assert "when" in ds.frame.columns and ds.frame.shape == FRAME.shape


def test_a_parquet_file_named_csv_still_opens(tmp_path):
    FRAME.to_parquet(tmp_path / "wrong.csv")
    assert read_table(tmp_path / "wrong.csv").frame.shape == FRAME.shape


# ----------------------------------------------------------------------------- broken files


def _truncated(tmp_path, name, write) -> Path:
    path = tmp_path / name
    write(FRAME, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize("name, write, words", [
    ("t.parquet", lambda f, p: f.to_parquet(p), ("Parquet", "damaged")),
    ("t.feather", lambda f, p: f.to_feather(p), ("Feather", "damaged")),
    ("t.xlsx", lambda f, p: f.to_excel(p, index=False), ("damaged",)),
    ("t.ods", lambda f, p: f.to_excel(p, index=False, engine="odf"), ("damaged",)),
    ("t.csv.gz", lambda f, p: p.write_bytes(gzip.compress(f.to_csv(index=False).encode() * 50)),
     ("unpacked", "damaged")),
    ("t.zip", lambda f, p: zipfile.ZipFile(p, "w").writestr("t.csv", f.to_csv(index=False) * 50),
     ("damaged",)),
])
def test_truncated_files_get_a_message(tmp_path, name, write, words):
    msg = error_of(read_table, _truncated(tmp_path, name, write))
    assert name in msg
    for word in words:
        assert word in msg


@pytest.mark.parametrize("name, content", [
    ("junk.xlsx", b"this is not a workbook at all\n" * 10),
    ("junk.parquet", b"PAR1 but nothing after it"),
    ("junk.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
])
def test_files_that_are_not_what_they_say(tmp_path, name, content):
    (tmp_path / name).write_bytes(content)
    msg = error_of(read_table, tmp_path / name)
    assert name in msg and "could not be read" in msg


@pytest.mark.parametrize("name", ["plain.csv.gz", "plain.zip", "plain.csv.bz2"])
def test_a_plain_csv_named_like_an_archive_gets_a_message(tmp_path, name):
    (tmp_path / name).write_text("a,b\n1,2\n3,4\n")
    msg = error_of(read_table, tmp_path / name)
    assert name in msg and "rename it" in msg


def test_password_protected_workbook_is_named(tmp_path):
    (tmp_path / "secret.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert "password" in error_of(read_table, tmp_path / "secret.xlsx")


def test_zip_archives_need_exactly_one_csv(tmp_path):
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as archive:
        archive.writestr("a.csv", "x,y\n1,2\n")
        archive.writestr("b.csv", "x,y\n1,2\n")
    msg = error_of(read_table, two)
    assert "2 CSV files" in msg and "'a.csv'" in msg and "'b.csv'" in msg
    none = tmp_path / "none.zip"
    with zipfile.ZipFile(none, "w") as archive:
        archive.writestr("a.png", b"\x89PNG")
        archive.writestr("b.txt.bak", b"x")
    assert "no CSV file" in error_of(read_table, none)
    empty = tmp_path / "empty.zip"
    zipfile.ZipFile(empty, "w").close()
    assert "empty zip" in error_of(read_table, empty)


def test_a_ragged_csv_inside_an_archive_names_the_archive_and_the_line(tmp_path):
    path = tmp_path / "rows.csv.gz"
    path.write_bytes(gzip.compress(b"a,b,c\n1,2,3\n4,5\n6,7,8\n"))
    msg = error_of(read_table, path)
    assert msg.startswith("In rows.csv.gz:") and "line 3" in msg


def test_empty_tables(tmp_path):
    FRAME.iloc[:0].to_parquet(tmp_path / "e.parquet")
    assert "no data rows" in error_of(read_table, tmp_path / "e.parquet")
    FRAME.iloc[:0].to_excel(tmp_path / "e.xlsx", index=False)
    assert "no data rows" in error_of(read_table, tmp_path / "e.xlsx")


def test_sheet_options_on_a_csv_are_refused(tmp_path):
    (tmp_path / "p.csv").write_text("a,b\n1,2\n3,4\n")
    assert "not a spreadsheet" in error_of(read_table, tmp_path / "p.csv", sheet="Data")


def test_a_header_row_below_the_table_is_named_not_called_damage(tmp_path):
    from hpgui.core.dataset import DatasetError, read_table

    path = tmp_path / "short.xlsx"
    pd.DataFrame({"a": [1, 2, 3], "b": [4, 5, 6]}).to_excel(path, index=False)
    with pytest.raises(DatasetError) as caught:
        read_table(path, header_row=40)
    message = str(caught.value)
    assert "no data rows below row 40" in message and "damaged" not in message
