"""Read a user's CSV into a Dataset and turn a column choice into training data.

Everything a person can get wrong here (the file, the target, the features, the
folds) raises DatasetError with a message that names the problem and the fix,
because the GUI shows it verbatim and the headless runner prints it.

`coerce_features` and `coerce_target` are copied with `inspect.getsource` into the
exported reproducing script, so they use only `pd` and `np` and nothing else from
this module: the script must turn the CSV into exactly the arrays the search saw.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import hashlib
import io
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import readers
from .formatting import capped_list
from .table import (NA_VALUES, TASKS, ColumnProfile, Dataset, DatasetError, TrainingData, _native,
                    _use_system_allocator, default_target, infer_task, profile_column, release_arrow_memory)

# The data model moved to table.py; these names stay importable from here, where callers know them.
__all__ = ["NA_VALUES", "TASKS", "ColumnProfile", "Dataset", "DatasetError", "TrainingData", "default_target",
           "infer_task", "profile_column", "release_arrow_memory", "read_table", "prepare", "check_columns",
           "default_features", "coerce_features", "coerce_target"]

if TYPE_CHECKING:
    import pandas as pd
else:  # the window imports this module before it opens, and an empty window needs no pandas
    from .lazy import lazy_module

    pd = lazy_module("pandas")

DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}

_SNIFF_BYTES = 64 * 1024
_BINARY_PROBE = 8 * 1024
_CHUNK = 1 << 20
# Bytes Python's cp1252 codec leaves undefined; if any occurs, only latin-1 can decode the file.
_CP1252_HOLES = (0x81, 0x8D, 0x8F, 0x90, 0x9D)
_SAVE_AS_CSV = "Open it in Excel or LibreOffice and use File > Save As > CSV, then open the .csv file."
_SAVE_AS_UTF8 = "Save it again as CSV UTF-8 (in Excel: Save As > CSV UTF-8)."
_MAGIC = (  # file signatures people pick by mistake, and what to do instead
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another zip archive", _SAVE_AS_CSV),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel workbook (.xls)", _SAVE_AS_CSV),
    (b"\x1f\x8b", "a gzip-compressed file", "Decompress it first and open the .csv inside."),
    (b"PAR1", "a Parquet file", "Export it to CSV first."),
    (b"\xff\xfe", "UTF-16 text", _SAVE_AS_UTF8),
    (b"\xfe\xff", "UTF-16 text", _SAVE_AS_UTF8),
)



@lru_cache(maxsize=None)
def _needs_round_trip() -> bool:
    """Before pandas 3.1 the C engine's default float parser could be off by one ulp;
    3.1 made every mode exact and deprecated the option, so it is only passed where needed."""
    return tuple(int(p) for p in re.findall(r"\d+", pd.__version__)[:2]) < (3, 1)

# ----------------------------------------------------------------------------- reading


def read_table(path: str | os.PathLike, *, sheet: str | None = None, header_row: int | None = None) -> Dataset:
    """Read a data file. ``sheet`` and ``header_row`` (1-based, None to detect) are for spreadsheets."""
    path = Path(path)
    try:
        if not path.exists():
            raise DatasetError(f"File not found: {path}. Check the name and folder, or choose the file again.")
        if path.is_dir():
            raise DatasetError(f"{path} is a folder, not a file. Choose a CSV file inside it.")
        if not path.is_file():  # a named pipe or a device: reading it could wait forever
            raise DatasetError(f"{path} is not a regular file (it is a pipe, socket or device). "
                               "Save the data to a file and choose that file.")
        with path.open("rb") as fh:
            head = fh.read(_SNIFF_BYTES)
        size = path.stat().st_size
    except PermissionError:
        raise DatasetError(f"{path} cannot be read: permission denied. Copy it somewhere you can read, "
                           "or fix its permissions.") from None
    name = path.name
    if size == 0:
        raise DatasetError(f"{name} is empty (0 bytes). Choose a CSV file that has a header row and data.")
    # Spreadsheets, Parquet, Feather and compressed CSV have their own readers (hpgui.core.readers).
    kind = readers.detect(path, head)
    if kind is not None or sheet is not None or header_row is not None:
        return readers.read_other(path, kind or "csv", sheet=sheet, header_row=header_row, read_csv=read_table)
    for magic, what, fix in _MAGIC:
        if head.startswith(magic):
            raise DatasetError(f"{name} looks like {what}, not a CSV text file. {fix}")
    if b"\r" in head and b"\n" not in head:
        raise DatasetError(f"{name} ends its lines with a lone carriage return (an old Mac format) that the CSV "
                           "reader cannot split. Save it again with ordinary line endings (LF or CRLF), for "
                           "example from a spreadsheet or a text editor.")
    if b"\x00" in head[:_BINARY_PROBE]:
        raise DatasetError(f"{name} is not a text file (it contains NUL bytes, as binary files do). "
                           "Choose a CSV or TSV file, or export your data to CSV first.")

    digest, encoding, blank, warning = _scan_bytes(path)
    if blank:
        raise DatasetError(f"{name} is empty (it holds only blank space). "
                           "Choose a CSV file that has a header row and data.")
    warnings_ = [warning] if warning else []

    text = head.decode(encoding, errors="replace")
    if encoding == "utf-8-sig":
        text = text.lstrip("\ufeff")
    if size > len(head) and "\n" in text:
        text = text[: text.rindex("\n") + 1]  # the last line of the sample may be cut mid-way
    delimiter = _sniff_delimiter(text, name)
    header = next((row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if not _blank(row)), [])
    seen, dupes = set(), []
    for col in header:
        if col in seen and col not in dupes:
            dupes.append(col)
        seen.add(col)
    if dupes:
        listed = capped_list(repr(d) for d in dupes)
        raise DatasetError(f"{name} has duplicate column names: {listed}. "
                           "Rename the columns so every header name is unique, then open the file again.")

    options = {"sep": delimiter, "encoding": encoding, "na_values": list(NA_VALUES),
               "keep_default_na": False, "engine": "pyarrow"}
    if _decimal_comma(text, delimiter):
        options["decimal"] = ","
    try:
        _use_system_allocator()
        frame = pd.read_csv(path, **options)
        release_arrow_memory()
    except (ValueError, NotImplementedError, TypeError, ImportError):
        # pyarrow refuses some files the C parser takes (and pandas raises its parse errors
        # as ValueError subclasses); a ragged row is the usual cause, so look for one first.
        _check_ragged(path, encoding, delimiter, len(header))
        options = {k: v for k, v in options.items() if k != "engine"}
        options.update(engine="c", low_memory=False)  # low_memory=False: one dtype per column
        if _needs_round_trip():
            options["float_precision"] = "round_trip"
        try:
            frame = pd.read_csv(path, **options)
        except (pd.errors.ParserError, csv.Error, ValueError) as err:
            raise DatasetError(f"{name} could not be read as a {_DELIMITER_NAMES[delimiter]}-separated file: "
                               f"{err}. Check the file in a text editor (unbalanced quotes are a common cause) "
                               "and save it again as CSV.") from None

    if len(frame) == 0:
        raise DatasetError(f"{name} has a header row but no data rows. "
                           "Choose a file with at least one row of data.")
    profiles = {col: profile_column(frame[col]) for col in frame.columns}
    return Dataset(path=path, frame=frame, profiles=profiles, read_options=options, encoding=encoding,
                   delimiter=delimiter, sha256=digest, warnings=warnings_)


def _scan_bytes(path: Path) -> tuple[str, str, bool, str | None]:
    """One streaming pass for the hash, the encoding and blankness, so a multi-GB file
    is neither held in memory nor read twice."""
    sha = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8_ok, cp1252_ok, blank, bad_at, offset, bom = True, True, True, None, 0, False
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            sha.update(chunk)
            if offset == 0 and chunk.startswith(codecs.BOM_UTF8):
                bom = True
                blank = blank and chunk[3:].isspace() if len(chunk) > 3 else blank
            else:
                blank = blank and chunk.isspace()
            if utf8_ok:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as err:
                    utf8_ok, bad_at = False, offset + err.start
            if cp1252_ok:
                cp1252_ok = not any(b in chunk for b in _CP1252_HOLES)
            offset += len(chunk)
    if utf8_ok:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok, bad_at = False, offset - 1
    if utf8_ok:
        return sha.hexdigest(), ("utf-8-sig" if bom else "utf-8"), blank, None
    encoding, label = ("cp1252", "Windows-1252 (cp1252)") if cp1252_ok else ("latin-1", "Latin-1 (ISO-8859-1)")
    warning = (f"{path.name} is not valid UTF-8 (first invalid byte at offset {bad_at}); it was read as "
               f"{label}. If accented letters look wrong, save the file as CSV UTF-8 and open it again.")
    return sha.hexdigest(), encoding, blank, warning


def _delimiter_score(text: str, delimiter: str) -> tuple[float, int]:
    """(share of rows as wide as the header, header width): quoting-aware, unlike a raw count."""
    rows = []
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        if row:
            rows.append(len(row))
        if len(rows) >= 200:
            break
    if not rows or rows[0] < 2:
        return 0.0, rows[0] if rows else 0
    return sum(w == rows[0] for w in rows) / len(rows), rows[0]


def _sniff_delimiter(text: str, name: str) -> str:
    try:
        sniffed = csv.Sniffer().sniff(text, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    # The Sniffer is easily fooled (a stray ';' in a text column), so its answer is only
    # taken if it splits the header and the rows agree with it.
    if sniffed is not None:
        consistency, width = _delimiter_score(text, sniffed)
        if consistency >= 0.9 and width >= 2:
            return sniffed
    best = max(DELIMITERS, key=lambda d: _delimiter_score(text, d))
    if _delimiter_score(text, best)[1] >= 2:
        return best
    first = text.splitlines()[0] if text.strip() else ""
    tried = ", ".join(_DELIMITER_NAMES[d] for d in DELIMITERS)
    raise DatasetError(f"{name} has only one column: none of the separators tried ({tried}) splits its header "
                       f"line {first[:80]!r}. Save the file as CSV with one of these separators, or check that "
                       "this is the right file.")


def _blank(row: list[str]) -> bool:
    return not row or (len(row) == 1 and not row[0].strip())


_COMMA_NUMBER = re.compile(r"[-+]?\d*,\d+([eE][-+]?\d+)?")
_DOT_NUMBER = re.compile(r"[-+]?\d*\.\d+([eE][-+]?\d+)?")


def _decimal_comma(text: str, delimiter: str) -> bool:
    """Spreadsheets in much of Europe write 3,5 in ;-separated files; without decimal=","
    every such column would silently become text."""
    if delimiter == ",":
        return False
    comma = dot = 0
    for i, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter)):
        if i > 200:
            break
        for cell in row:
            cell = cell.strip()
            comma += bool(_COMMA_NUMBER.fullmatch(cell))
            dot += bool(_DOT_NUMBER.fullmatch(cell))
    return comma > 0 and dot == 0


def _check_ragged(path: Path, encoding: str, delimiter: str, width: int) -> None:
    """Only called after a parser failure, so the slow Python pass costs nothing on good files."""
    try:
        with path.open("r", encoding=encoding, newline="") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            data_row = -1  # the first non-blank record is the header
            for row in reader:
                if _blank(row):
                    continue  # blank lines are skipped by both parsers
                data_row += 1
                if data_row and len(row) != width:
                    more = "more" if len(row) > width else "fewer"
                    raise DatasetError(
                        f"{path.name}: line {reader.line_num} (data row {data_row}) has {len(row)} fields but "
                        f"the header has {width} ({more} fields than columns). Fix that row (look for a missing "
                        f"or extra {_DELIMITER_NAMES[delimiter]}, or a value that should be quoted) and open the "
                        "file again.")
    except csv.Error:
        return  # leave the message to the parser that gets the final say


# ----------------------------------------------------------------------------- profiles


def default_features(dataset: Dataset, target: str | None) -> list[str]:
    return [name for name, p in dataset.profiles.items() if p.usable and name != target]


# ----------------------------------------------------------------------------- training data


@dataclass
class ColumnCheck:
    """A column choice that passed every check, before X is built (see :func:`check_columns`)."""

    task: str
    target: str | None
    features: list[str]
    numeric: list[str]
    categorical: list[str]
    y: pd.Series | None
    keep: Any                 # the rows with a target: a boolean array, or slice(None) for all
    dropped_rows: int
    notes: list[str]


def prepare(dataset: Dataset, target: str | None, features: list[str] | None = None,
            task: str | None = None, folds: int = 5) -> TrainingData:
    """Validate a column choice and build X / y.

    Features named explicitly are trusted: a text, id or datetime column the caller
    asked for is used as a categorical feature (with a warning), because the user may
    know it is a code rather than free text. Constant columns are always dropped,
    since they cannot inform any model.
    """
    c = check_columns(dataset, target, features, task, folds)
    X = coerce_features(dataset.frame.loc[c.keep, c.features], c.numeric, c.categorical).reset_index(drop=True)
    rows = np.arange(len(dataset.frame)) if isinstance(c.keep, slice) else np.flatnonzero(c.keep)
    return TrainingData(X=X, y=c.y, task=c.task, target=c.target, features=c.features, numeric=c.numeric,
                        categorical=c.categorical, dropped_rows=c.dropped_rows, warnings=c.notes, rows=rows)


def check_columns(dataset: Dataset, target: str | None, features: list[str] | None = None,
                  task: str | None = None, folds: int = 5) -> ColumnCheck:
    """Every check of :func:`prepare` (raising the same DatasetError), without building X: what the
    window runs, off its GUI thread, when the target, the features, the task or the folds change."""
    frame, name = dataset.frame, dataset.path.name
    if task is not None and task not in TASKS:
        raise DatasetError(f"Unknown task {task!r}. Choose one of: {', '.join(TASKS)}.")
    if not isinstance(folds, (int, np.integer)) or isinstance(folds, bool) or folds < 2:
        raise DatasetError(f"The number of cross-validation folds must be a whole number of at least 2 "
                           f"(got {folds!r}).")
    if target is not None and target not in frame.columns:
        raise DatasetError(f"There is no column named {target!r} in {name}.{_suggest(target, frame.columns)} "
                           f"The columns are: {_list_columns(frame.columns)}.")
    if target is None and task not in (None, "clustering"):
        raise DatasetError(f"Choose a target column for {task}; only clustering works without one.")
    if target is not None and task != "clustering" and not frame[target].notna().any():
        raise DatasetError(f"The target column {target!r} has no values: all {len(frame)} cells are missing. "
                           "Choose another target column.")
    if task is None:
        task = "clustering" if target is None else infer_task(frame[target])

    features, notes = _choose_features(dataset, target, features)
    numeric = [f for f in features if pd.api.types.is_numeric_dtype(frame[f].dtype)
               and not pd.api.types.is_bool_dtype(frame[f].dtype)]
    categorical = [f for f in features if f not in numeric]

    _check_finite(frame, numeric, target if task == "regression" else None, name)
    y, dropped, keep = None, 0, slice(None)
    if task != "clustering":
        raw = frame[target]
        present = raw.notna()
        dropped = int(len(raw) - present.sum())
        if dropped:
            keep = present.to_numpy()
            notes.append(f"{_count(dropped, 'row')} with a missing target {target!r} left out.")
        raw = raw[keep]
        if task == "regression":
            bad = raw[pd.to_numeric(raw, errors="coerce").isna()]
            if len(bad):
                raise DatasetError(f"The target column {target!r} holds text such as {str(bad.iloc[0])!r}, which "
                                   "regression cannot predict. Choose classification, or a numeric target column.")
        y = coerce_target(raw, task).reset_index(drop=True)

    rows = len(frame) - dropped
    if rows < folds:
        fix = f"Lower the number of folds to {rows} or fewer" if rows >= 2 else "Use a file with more rows"
        after = " after dropping rows with a missing target" if dropped else ""
        raise DatasetError(f"Only {_count(rows, 'row')} left{after}, but {folds} cross-validation folds need at "
                           f"least one row each. {fix}.")
    if task == "classification":
        _check_classes(y, target, folds)
    return ColumnCheck(task=task, target=target, features=features, numeric=numeric, categorical=categorical,
                       y=y, keep=keep, dropped_rows=dropped, notes=notes)


def _choose_features(dataset: Dataset, target: str | None, features: list[str] | None):
    profiles, columns, notes = dataset.profiles, dataset.frame.columns, []
    if features is None:
        chosen = default_features(dataset, target)
        if not chosen:
            kinds = capped_list(f"{n!r} is {_KIND_WORDS[p.kind]}" for n, p in profiles.items() if n != target)
            raise DatasetError(f"No usable feature: no column of {dataset.path.name} can be used as a feature by "
                               f"default ({kinds or 'there is no column besides the target'}). Choose the feature "
                               "columns yourself, or use a file with numeric or categorical columns.")
        return chosen, notes
    chosen = list(dict.fromkeys(features))
    unknown = [f for f in chosen if f not in columns]
    if unknown:
        hints = "".join(_suggest(f, columns) for f in unknown)
        raise DatasetError(f"No column named {capped_list(map(repr, unknown))} in {dataset.path.name}.{hints} "
                           f"The columns are: {_list_columns(columns)}.")
    if target in chosen:
        chosen.remove(target)
        notes.append(f"The target {target!r} was removed from the features: a model must not see its answer.")
    constant = [f for f in chosen if profiles[f].kind == "constant"]
    if constant:
        chosen = [f for f in chosen if f not in constant]
        notes.append(f"Constant columns left out of the features (they carry no information): "
                     f"{capped_list(map(repr, constant))}.")
    if not chosen:
        what = "are all constant" if constant else "are empty"
        raise DatasetError(f"No usable feature: the chosen feature columns {what}. "
                           "Choose at least one column with varying values to learn from.")
    odd = [f"{f!r} ({profiles[f].kind})" for f in chosen if profiles[f].kind in ("text", "id", "datetime")]
    if odd:
        notes.append(f"Used as categories because you chose them, although they look like {capped_list(odd)}: "
                     "many distinct values make many one-hot columns and rarely help.")
    return chosen, notes


def _check_finite(frame: pd.DataFrame, numeric: list[str], target: str | None, name: str) -> None:
    """Infinite numbers are refused before any trial: every fit would fail on them."""
    columns = [*numeric, *([target] if target is not None and target not in numeric else [])]
    bad = []
    for column in columns:
        values = pd.to_numeric(frame[column], errors="coerce") if column == target else frame[column]
        if pd.api.types.is_float_dtype(values.dtype):
            n = int(np.isinf(values.to_numpy(dtype="float64", na_value=np.nan)).sum())
            if n:
                bad.append(f"{column!r} ({_count(n, 'row')})")
    if bad:
        raise DatasetError(f"{name} has infinite values (inf) in {capped_list(bad)}, which no model can fit. Replace "
                           "them with numbers, or empty those cells so they count as missing, then open the file "
                           "again.")


def _check_classes(y: pd.Series, target: str, folds: int) -> None:
    counts = y.value_counts()
    if len(counts) < 2:
        raise DatasetError(f"The target column {target!r} has only one class ({_native(counts.index[0])!r}), "
                           "so there is nothing to tell apart. Choose another target column, or regression.")
    small = counts[counts < folds].sort_values()
    if len(small):
        listed = capped_list(f"{_native(c)!r} has {_count(n, 'row')}" for c, n in small.items())
        fix = (f"Lower the number of folds to {int(small.min())} or fewer, or drop or merge that class"
               if small.min() >= 2 else "Drop or merge that class (a class needs at least 2 rows)")
        raise DatasetError(f"Too few rows of some class in the target {target!r} for {folds}-fold "
                           f"cross-validation (every fold needs at least one of each class): {listed}. {fix}.")


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


_KIND_WORDS = {"text": "free text", "id": "an identifier", "datetime": "a date/time", "constant": "constant",
               "numeric": "numeric", "categorical": "categorical"}


def _suggest(name: str, columns) -> str:
    columns = [str(c) for c in columns]
    folded = [c for c in columns if c.casefold() == str(name).casefold()]
    close = folded or difflib.get_close_matches(str(name), columns, n=3, cutoff=0.6)
    return f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def _list_columns(columns, limit: int = 40) -> str:
    shown = ", ".join(repr(str(c)) for c in list(columns)[:limit])
    return shown + (f", ... ({len(columns) - limit} more)" if len(columns) > limit else "")


def coerce_features(X: pd.DataFrame, numeric: list[str], categorical: list[str]) -> pd.DataFrame:
    """Numbers as float64 and categories as Python str in object columns, missing as np.nan:
    the one representation scikit-learn's imputers and encoders handle on every pandas version
    (pd.NA and the pandas 3 string dtype are not reliably supported)."""
    out = X.copy()
    for name in numeric:
        values = pd.to_numeric(X[name], errors="coerce")
        out[name] = pd.Series(values.to_numpy(dtype="float64", na_value=np.nan), index=X.index, dtype="float64")
    for name in categorical:
        column = X[name]
        missing = column.isna().to_numpy()
        values = np.array(column.astype(str).to_numpy(dtype=object), dtype=object, copy=True)
        values[missing] = np.nan  # pandas < 3 turns missing cells into the string "nan" above
        out[name] = pd.Series(values, index=X.index, dtype=object)
    return out


def coerce_target(y: pd.Series, task: str) -> pd.Series:
    """Integer class labels stay integers (so predictions look like the file), any other
    label becomes str; regression targets become float64. Rows with a missing target must
    already be gone."""
    if task == "regression":
        return pd.to_numeric(y, errors="raise").astype("float64")
    if task != "classification":
        return y
    if pd.api.types.is_numeric_dtype(y.dtype) and not pd.api.types.is_bool_dtype(y.dtype):
        numbers = y.to_numpy(dtype="float64", na_value=np.nan)
        if np.all(np.isfinite(numbers)) and np.all(numbers == np.round(numbers)):
            return pd.Series(numbers.astype("int64"), index=y.index, name=y.name)
    values = np.array(y.astype(str).to_numpy(dtype=object), dtype=object, copy=True)
    return pd.Series(values, index=y.index, name=y.name, dtype=object)
