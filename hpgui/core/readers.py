"""Files that are not plain CSV: spreadsheets, Parquet, Feather/Arrow and compressed CSV.

`dataset.read_table` hands any file whose bytes (or, failing that, name) say it is one of these
to :func:`read_other`, which returns the same :class:`~hpgui.core.dataset.Dataset` a CSV gives:
the frame, its column profiles, the file's sha256 and the options to read it again. Every way a
file can be broken ends in a DatasetError that names the file, the problem and what to do.

The exported script must read the file exactly as the search did, so each format's reading is
one pandas call with literal options (:func:`script_reader` writes it out) plus
:func:`tidy_frame`, whose source is copied into the script and therefore uses only ``pd``.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    import pandas as pd
    from .table import Dataset
else:
    from .lazy import lazy_module

    pd = lazy_module("pandas")

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
PARQUET_SUFFIXES = (".parquet", ".pq")
FEATHER_SUFFIXES = (".feather", ".arrow", ".ipc")
#: What the open dialog offers, besides CSV/TSV/TXT.
OTHER_SUFFIXES = SPREADSHEET_SUFFIXES + PARQUET_SUFFIXES + FEATHER_SUFFIXES + (".gz", ".zip")

# python-calamine reads xlsx, xlsm, xlsb, xls and ods with one fast engine.
EXCEL_ENGINE = "calamine"
_HEADER_SCAN_ROWS = 50
_CHUNK = 1 << 20
_CSV_MEMBER_SUFFIXES = (".csv", ".tsv", ".txt", ".tab")

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_ZIP_EMPTY = b"PK\x05\x06"
_GZIP = b"\x1f\x8b"
_PARQUET = b"PAR1"
_ARROW = b"ARROW1"
# Names pandas decompresses by; a file so named without the matching bytes is refused with a message.
_COMPRESSED_SUFFIXES = (".gz", ".zip", ".bz2", ".xz", ".zst", ".tar", ".tgz")


def detect(path: Path, head: bytes) -> str | None:
    """``"spreadsheet"``, ``"parquet"``, ``"feather"``, ``"gzip"``, ``"zip"`` or None for text.

    The bytes decide first (a Parquet file saved as data.csv still opens); the name only
    decides for formats without a signature we trust.
    """
    suffix = path.suffix.lower()
    if head.startswith(_PARQUET):
        return "parquet"
    if head.startswith(_ARROW):
        return "feather"
    if head.startswith(_GZIP):
        return "gzip"
    if head.startswith(_OLE):
        return "spreadsheet"  # an old .xls, or an encrypted .xlsx (Office wraps those in OLE too)
    if head.startswith((_ZIP, _ZIP_EMPTY)):
        return "spreadsheet" if suffix in SPREADSHEET_SUFFIXES or _zip_is_workbook(path) else "zip"
    if suffix in _COMPRESSED_SUFFIXES:
        return "misnamed"  # pandas would try to decompress it by its name and fail
    if suffix in SPREADSHEET_SUFFIXES:
        return "spreadsheet"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    if suffix in FEATHER_SUFFIXES:
        return "feather"
    return None


def _zip_is_workbook(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False
    return "xl/workbook.xml" in names or "xl/workbook.bin" in names or "content.xml" in names


def read_other(path: Path, kind: str, *, sheet: str | None = None, header_row: int | None = None,
               read_csv: Callable[[Path], "Dataset"]) -> "Dataset":
    """Read a file :func:`detect` recognised; raises DatasetError for anything wrong with it.
    ``read_csv`` (dataset.read_table) reads the CSV a compressed file holds."""
    from .table import DatasetError

    if kind != "spreadsheet" and (sheet is not None or header_row is not None):
        what = "a sheet" if sheet is not None else "a header row"
        raise DatasetError(f"{path.name} is not a spreadsheet, so {what} cannot be chosen for it. "
                           "Remove data.sheet and data.header_row from the setup, or choose the workbook.")
    if kind == "misnamed":
        raise DatasetError(f"{path.name} is named like a compressed file ({path.suffix}) but its bytes are not "
                           f"{path.suffix} data. If it is a plain CSV, rename it to end in .csv and open it again; "
                           "otherwise it may be damaged.")
    if kind == "spreadsheet":
        return _read_spreadsheet(path, sheet, header_row)
    if kind in ("parquet", "feather"):
        return _read_columnar(path, kind)
    return _read_compressed(path, kind, read_csv)


# ----------------------------------------------------------------------------- copied into scripts


def tidy_frame(frame: pd.DataFrame, spreadsheet: bool) -> pd.DataFrame:
    """The frame as hpgui uses it: a saved index becomes columns again, every column name is a
    string, and a sheet's empty formatted margins (blank unnamed columns, blank rows) are gone."""
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    frame.columns = [str(c) for c in frame.columns]
    if spreadsheet:
        blank = [c for c in frame.columns if c.startswith("Unnamed: ") and frame[c].isna().all()]
        frame = frame.drop(columns=blank)
        frame = frame[frame.notna().any(axis=1)].reset_index(drop=True)
    return frame


# ----------------------------------------------------------------------------- spreadsheets


def sheet_names(path: Path) -> list[str]:
    from .table import DatasetError

    try:
        with pd.ExcelFile(path, engine=EXCEL_ENGINE) as book:
            return [str(s) for s in book.sheet_names]
    except ImportError:
        raise DatasetError(f"{path.name} is a spreadsheet, and reading spreadsheets needs the python-calamine "
                           "package: pip install python-calamine (it comes with hpgui).") from None
    except Exception as err:  # noqa: BLE001 - the reader's errors are many and undocumented
        raise DatasetError(_broken_workbook(path, err)) from None


def _broken_workbook(path: Path, err: BaseException) -> str:
    detail = " ".join(str(err).split())[:200] or type(err).__name__
    with path.open("rb") as fh:
        ole = fh.read(8) == _OLE
    hint = (" If it is password-protected, remove the password in Excel (File > Info > Protect Workbook) "
            "and save it again." if ole and path.suffix.lower() != ".xls" else "")
    return (f"{path.name} could not be read as a spreadsheet ({detail}). The file may be damaged or only "
            f"partly copied: open it in Excel or LibreOffice and save it again.{hint}")


def detect_header_row(raw: pd.DataFrame) -> int:
    """Index (0-based sheet row) of the header: the first row as wide as the table whose filled
    cells are all text. Title and note rows above a table fill fewer cells, so they are skipped."""
    counts = raw.notna().sum(axis=1)
    width = int(counts.max()) if len(counts) else 0
    if width == 0:
        return 0
    wide = [i for i in range(len(raw)) if counts.iloc[i] >= max(1, -(-width * 6 // 10))]
    for i in wide:
        cells = raw.iloc[i].dropna()
        if all(isinstance(v, str) for v in cells):
            return i
    return wide[0]


def _read_spreadsheet(path: Path, sheet: str | None, header_row: int | None) -> "Dataset":
    from .table import DatasetError

    sheets = sheet_names(path)
    if not sheets:
        raise DatasetError(f"{path.name} has no sheets. Choose a workbook that holds a table.")
    if sheet is not None:
        if sheet not in sheets:
            raise DatasetError(f"{path.name} has no sheet named {sheet!r}. Its sheets are: "
                               f"{', '.join(repr(s) for s in sheets)}. Choose one of them.")
        return _read_sheet(path, sheets, sheet, header_row)
    # No sheet chosen: the first one that holds a table, so a cover or notes sheet is passed over.
    first_error = None
    for name in sheets:
        try:
            dataset = _read_sheet(path, sheets, name, header_row)
        except DatasetError as err:
            if len(sheets) == 1 or not getattr(err, "empty_sheet", False):
                raise
            first_error = first_error or err
            continue
        if name != sheets[0]:
            dataset.warnings.append(f"{path.name}: sheet {sheets[0]!r} holds no table, so sheet {name!r} was "
                                    "read; choose a sheet (data.sheet) to read another one.")
        return dataset
    raise first_error


def _empty(message: str) -> Exception:
    from .table import DatasetError

    err = DatasetError(message)
    err.empty_sheet = True
    return err


def _read_sheet(path: Path, sheets: list[str], sheet: str, header_row: int | None) -> "Dataset":
    from .table import NA_VALUES, DatasetError

    try:
        raw = pd.read_excel(path, sheet_name=sheet, header=None, engine=EXCEL_ENGINE, nrows=_HEADER_SCAN_ROWS)
    except Exception as err:  # noqa: BLE001
        raise DatasetError(_broken_workbook(path, err)) from None
    where = f"{path.name}, sheet {sheet!r}"
    others = [s for s in sheets if s != sheet]
    hint = f" Its other sheets are: {', '.join(repr(s) for s in others)}." if others else ""
    if raw.notna().sum().sum() == 0:
        raise _empty(f"{where} is empty (no filled cells in its first {_HEADER_SCAN_ROWS} rows).{hint}")
    if header_row is None:
        header = detect_header_row(raw)
    else:
        if not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 1:
            raise DatasetError(f"The header row must be a row number of at least 1 (got {header_row!r}).")
        header = header_row - 1
    names = raw.iloc[header].dropna().astype(str).tolist() if header < len(raw) else []
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise DatasetError(f"{where} has duplicate column names in row {header + 1}: "
                           f"{', '.join(repr(d) for d in dupes)}. Rename the columns so every header name is "
                           "unique, then open the file again.")
    options = {"sheet_name": sheet, "header": header, "engine": EXCEL_ENGINE, "na_values": list(NA_VALUES),
               "keep_default_na": False}
    try:
        frame = pd.read_excel(path, **options)
    except ValueError as err:
        if "Passed header=" not in str(err):  # pandas' words for a header row below the last row
            raise DatasetError(_broken_workbook(path, err)) from None
        raise _empty(f"{where} has no data rows below row {header + 1}: the header row is under the table. "
                     "Choose a header row inside the table, or leave it to be detected.") from None
    except Exception as err:  # noqa: BLE001
        raise DatasetError(_broken_workbook(path, err)) from None
    frame = tidy_frame(frame, spreadsheet=True)
    if len(frame) == 0:
        raise _empty(f"{where} has a header row (row {header + 1}) but no data rows below it. Choose the sheet "
                     f"that holds the data, or set the header row.{hint}")
    dataset = _dataset(path, frame, "spreadsheet", options, f"sheet {sheet!r}, header in row {header + 1}")
    dataset.sheets = tuple(sheets)
    return dataset


# ----------------------------------------------------------------------------- Parquet, Feather/Arrow


_COLUMNAR_NAMES = {"parquet": "Parquet", "feather": "Feather/Arrow"}


def _read_columnar(path: Path, kind: str) -> "Dataset":
    from .table import DatasetError, release_arrow_memory

    label = _COLUMNAR_NAMES[kind]
    try:
        frame = pd.read_parquet(path, engine="pyarrow") if kind == "parquet" else pd.read_feather(path)
    except ImportError as err:
        raise DatasetError(f"{path.name} is a {label} file, and reading it needs pyarrow ({err}). "
                           "Install it with: pip install pyarrow") from None
    except Exception as err:  # noqa: BLE001 - pyarrow's errors are many (ArrowInvalid, OSError, ...)
        detail = " ".join(str(err).split())[:200] or type(err).__name__
        stream = " It may be an Arrow stream rather than an Arrow file: save it with " \
                 "pyarrow.feather.write_feather or DataFrame.to_feather." if kind == "feather" else ""
        raise DatasetError(f"{path.name} could not be read as a {label} file ({detail}). The file may be "
                           f"damaged or only partly copied; write it again.{stream}") from None
    release_arrow_memory()
    frame = tidy_frame(frame, spreadsheet=False)
    dupes = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if dupes:
        raise DatasetError(f"{path.name} has duplicate column names: {', '.join(repr(d) for d in dupes)}. "
                           "Rename the columns so every name is unique, then open the file again.")
    if frame.shape[1] == 0:
        raise DatasetError(f"{path.name} has no columns. Choose a file that holds a table.")
    if len(frame) == 0:
        raise DatasetError(f"{path.name} has columns but no data rows. "
                           "Choose a file with at least one row of data.")
    return _dataset(path, frame, kind, {}, label)


# ----------------------------------------------------------------------------- compressed CSV


def _read_compressed(path: Path, kind: str, read_table: Callable[[Path], "Dataset"]) -> "Dataset":
    """Decompress into a scratch file and read that with the CSV reader, so a zipped CSV gets
    every check and message a plain one does (separator, encoding, ragged rows)."""
    from .table import DatasetError

    member = _csv_member(path) if kind == "zip" else None
    inner = member.rpartition("/")[2] if member else (path.stem if path.suffix.lower() == ".gz" else path.name)
    inner = inner or "data.csv"
    with tempfile.TemporaryDirectory(prefix="hpgui-unpack-") as scratch:
        target = Path(scratch) / inner
        try:
            if kind == "zip":
                with zipfile.ZipFile(path) as archive, archive.open(member) as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst, _CHUNK)
            else:
                import gzip

                with gzip.open(path, "rb") as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst, _CHUNK)
        except (OSError, EOFError, zipfile.BadZipFile, RuntimeError) as err:
            detail = " ".join(str(err).split())[:200] or type(err).__name__
            if isinstance(err, OSError) and err.errno is not None and "space" in str(err).lower():
                raise DatasetError(f"{path.name} could not be unpacked: the disk holding the temporary folder is "
                                   "full. Free some space, or unpack the file yourself and open the CSV.") from None
            raise DatasetError(f"{path.name} could not be unpacked ({detail}). The archive may be damaged, "
                               "only partly copied or password-protected: unpack it yourself and open the CSV "
                               "inside.") from None
        try:
            inner_ds = read_table(target)
        except DatasetError as err:
            raise DatasetError(f"In {path.name}: {err}") from None
    if inner_ds.format != "csv":
        raise DatasetError(f"{path.name} holds {inner!r}, which is not a CSV text file. Unpack it and open "
                           "that file itself.")
    options = dict(inner_ds.read_options)
    if kind == "gzip":
        options["compression"] = "gzip"
    dataset = _dataset(path, inner_ds.frame, kind, options, f"{inner} inside")
    dataset.encoding, dataset.delimiter = inner_ds.encoding, inner_ds.delimiter
    dataset.warnings = [f"In {path.name}: {w}" for w in inner_ds.warnings]
    dataset.member = member
    return dataset


def _csv_member(path: Path) -> str:
    from .table import DatasetError

    try:
        with zipfile.ZipFile(path) as archive:
            entries = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError) as err:
        raise DatasetError(f"{path.name} looks like a zip archive (or an Excel workbook) but cannot be opened "
                           f"({' '.join(str(err).split())[:200]}). It may be damaged or only partly copied; "
                           "copy it again, or unpack it yourself and open the CSV inside.") from None
    # Archives made on a Mac carry resource forks; hidden files are never the data.
    entries = [i for i in entries if not i.filename.startswith("__MACOSX/")
               and not i.filename.rpartition("/")[2].startswith(".")]
    tables = [i.filename for i in entries if i.filename.lower().endswith(_CSV_MEMBER_SUFFIXES)]
    if len(tables) == 1:
        return tables[0]
    if not tables and len(entries) == 1:
        return entries[0].filename
    listed = ", ".join(repr(i.filename) for i in entries[:10]) + (" …" if len(entries) > 10 else "")
    if not entries:
        raise DatasetError(f"{path.name} is an empty zip archive. Choose the archive that holds the CSV file.")
    what = f"{len(tables)} CSV files" if tables else "no CSV file"
    raise DatasetError(f"{path.name} holds {what} ({listed}); hpgui opens a zip with exactly one CSV in it. "
                       "Unpack it and open the CSV you want.")


# ----------------------------------------------------------------------------- shared


def file_sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def _dataset(path: Path, frame: pd.DataFrame, kind: str, options: dict, description: str) -> "Dataset":
    from .table import Dataset, profile_column

    profiles = {col: profile_column(frame[col]) for col in frame.columns}
    return Dataset(path=path, frame=frame, profiles=profiles, read_options=options, encoding="", delimiter="",
                   sha256=file_sha256(path), format=kind, description=description)


def script_reader(dataset: "Dataset") -> tuple[str, set[str]]:
    """Source of ``read_data(path)`` for the exported script, and the imports it needs.

    The options are the dataset's own ``read_options``, printed as literals by the caller
    (``READ_OPTIONS``); only the member of a zip is spelled here, through ``repr``.
    """
    kind = getattr(dataset, "format", "csv")
    tidy = ""
    if kind in ("spreadsheet", "parquet", "feather"):
        import inspect

        tidy = inspect.getsource(tidy_frame).rstrip() + "\n\n\n"
    if kind == "spreadsheet":
        body = "    return tidy_frame(pd.read_excel(path, **READ_OPTIONS), spreadsheet=True)\n"
    elif kind == "parquet":
        body = "    return tidy_frame(pd.read_parquet(path, engine=\"pyarrow\"), spreadsheet=False)\n"
    elif kind == "feather":
        body = "    return tidy_frame(pd.read_feather(path), spreadsheet=False)\n"
    elif kind == "zip":
        body = (f"    with zipfile.ZipFile(path) as archive, archive.open({dataset.member!r}) as fh:\n"
                "        return pd.read_csv(fh, **READ_OPTIONS)\n")
        return tidy + "def read_data(path):\n" + body, {"import zipfile"}
    else:
        body = "    return pd.read_csv(path, **READ_OPTIONS)\n"
    return tidy + "def read_data(path):\n" + body, set()


