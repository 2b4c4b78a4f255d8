"""What hpgui knows of a data file once it is read: the Dataset, each column's profile, the training
data a column choice makes, and DatasetError. The readers (dataset.py for CSV, readers.py for the
other formats) build these; nothing here reads a file."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
else:  # the window imports this module before it opens, and an empty window needs no pandas
    from .lazy import lazy_module

    pd = lazy_module("pandas")

TASKS = ("classification", "regression", "clustering")

# Explicit, so that a generated script reads the file the same way whatever the
# pandas defaults of the day are (hence keep_default_na=False next to it).
NA_VALUES = ["", "NA", "N/A", "n/a", "NaN", "nan", "-NaN", "-nan", "#N/A", "#NA", "<NA>",
             "null", "NULL", "Null", "None", "?", "-"]


# Profile thresholds (see _kind): categories must repeat and stay few enough to one-hot.
_CATEGORY_MIN_LIMIT = 50
_CATEGORY_MAX_LIMIT = 1000
_CATEGORY_SHARE = 0.05
_TEXT_MEAN_LENGTH = 40
_TEXT_MEAN_WORDS = 4
_DATETIME_SHARE = 0.95
_COUNTER_MIN_ROWS = 20
_PROFILE_SAMPLE = 1000
_CLASS_MAX_DISTINCT = 20
_ID_NAME = re.compile(r"(^id$)|([_\s.\-]id$)", re.IGNORECASE)
_ID_CAMEL = re.compile(r"[a-z0-9](Id|ID)$")
_DATE_SHAPE = r"\d{1,4}[-/.:]\d{1,2}"


class DatasetError(ValueError):
    """A problem with the user's file or column choice; str(err) is a message a person
    understands and can act on: it names the problem (and the file / column / row) and
    says what to do."""


@dataclass(frozen=True)
class ColumnProfile:
    name: str
    kind: str  # numeric, categorical, text, datetime, constant, id
    dtype: str
    missing: int
    distinct: int

    @property
    def usable(self) -> bool:
        return self.kind in ("numeric", "categorical")


@dataclass
class Dataset:
    path: Path
    frame: pd.DataFrame
    profiles: dict[str, ColumnProfile]
    read_options: dict
    encoding: str
    delimiter: str
    sha256: str
    warnings: list[str] = field(default_factory=list)
    row_count: int | None = None  # set by header_only(), whose frame has no rows left
    # Files other than plain CSV (hpgui.core.readers): "csv", "spreadsheet", "parquet", "feather",
    # "gzip" or "zip"; what was read ("sheet 'Data', header in row 3"); a workbook's sheets; a zip's CSV.
    format: str = "csv"
    description: str = ""
    sheets: tuple[str, ...] = ()
    member: str | None = None

    @property
    def rows(self) -> int:
        return self.row_count if self.row_count is not None else len(self.frame)

    @property
    def columns(self) -> list[str]:
        return list(self.frame.columns)

    def header_only(self) -> "Dataset":
        """This dataset without its rows: the columns, dtypes, profiles and facts of the file stay.

        A search keeps this once its feature matrix exists, so a worker does not hold the data twice.
        """
        # copy(): a zero-row slice is still a view that would keep every row's memory alive.
        return replace(self, frame=self.frame.iloc[:0].copy(), row_count=self.rows)


@dataclass
class TrainingData:
    X: pd.DataFrame
    y: pd.Series | None
    task: str
    target: str | None
    features: list[str]
    numeric: list[str]
    categorical: list[str]
    dropped_rows: int = 0
    warnings: list[str] = field(default_factory=list)
    # Positions in the file's frame of the rows kept (those with a target), so other columns of the
    # same rows (weights, groups, time order: hpgui.core.roles) line up with X and y.
    rows: np.ndarray | None = None
    dates: dict[str, tuple[str, ...]] = field(default_factory=dict)  # date column -> its parts

    @property
    def class_counts(self) -> dict | None:
        if self.task != "classification" or self.y is None:
            return None
        return {_native(k): int(v) for k, v in self.y.value_counts().sort_index().items()}


@lru_cache(maxsize=None)
def _use_system_allocator() -> None:
    """Let pyarrow allocate with the C library's malloc instead of its own mimalloc pool.

    The CSV parser's scratch (about four times the frame) then returns to the heap numpy and
    scikit-learn allocate from, instead of staying in a pool only pyarrow reuses: a worker's read
    of a 32 MB frame peaked at +205 MB and kept +67 MB with mimalloc, +165 MB and +37 MB with malloc.
    """
    try:
        import pyarrow

        pyarrow.set_memory_pool(pyarrow.system_memory_pool())
    except Exception:  # noqa: BLE001 - only an optimisation
        pass


def release_arrow_memory() -> None:
    """Hand back memory pyarrow's allocator has freed but kept (after a read, or once a frame
    whose columns pyarrow allocated is dropped), for the rest of the process's life."""
    try:
        import pyarrow

        pyarrow.default_memory_pool().release_unused()
    except Exception:  # noqa: BLE001 - only an optimisation
        pass


def profile_column(series: pd.Series) -> ColumnProfile:
    missing = int(series.isna().sum())
    distinct = int(series.nunique(dropna=True))
    kind = _kind(series, len(series) - missing, distinct)
    return ColumnProfile(str(series.name), kind, str(series.dtype), missing, distinct)


def _looks_like_id_name(name: object) -> bool:
    name = str(name).strip()
    return bool(_ID_NAME.search(name) or _ID_CAMEL.search(name))


def _sample(series: pd.Series) -> pd.Series:
    """Evenly spaced rather than the head, because files are often sorted."""
    values = series.dropna()
    if len(values) > _PROFILE_SAMPLE:
        values = values.iloc[np.linspace(0, len(values) - 1, _PROFILE_SAMPLE).astype(np.int64)]
    return values


def _kind(series: pd.Series, present: int, distinct: int) -> str:
    if distinct <= 1:
        return "constant"
    all_distinct = distinct == present
    if all_distinct and _looks_like_id_name(series.name):
        return "id"
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "categorical"
    if pd.api.types.is_datetime64_any_dtype(dtype) or isinstance(dtype, pd.PeriodDtype):
        return "datetime"
    if pd.api.types.is_numeric_dtype(dtype):
        if (all_distinct and pd.api.types.is_integer_dtype(dtype) and present >= _COUNTER_MIN_ROWS
                and int(series.max()) - int(series.min()) == present - 1):
            return "id"  # a permutation of consecutive integers: a row counter
        return "numeric"
    sample = _sample(series)
    inferred = pd.api.types.infer_dtype(sample, skipna=True)
    if inferred in ("date", "datetime", "datetime64"):
        return "datetime"  # pyarrow turns ISO dates into datetime.date objects
    if inferred == "boolean":
        return "categorical"
    text = sample.astype(str)
    if _looks_like_dates(text):
        return "datetime"
    wordy = (text.str.len().mean() >= _TEXT_MEAN_LENGTH
             or text.str.count(r"\s+").mean() + 1 >= _TEXT_MEAN_WORDS)
    if all_distinct:
        return "text" if wordy else "id"
    limit = max(_CATEGORY_MIN_LIMIT, min(_CATEGORY_MAX_LIMIT, int(_CATEGORY_SHARE * present)))
    if distinct <= limit and distinct <= max(2, present // 2):  # each category repeats on average
        return "categorical"
    return "text"


def _looks_like_dates(text: pd.Series) -> bool:
    if len(text) == 0 or text.str.contains(_DATE_SHAPE, regex=True).mean() < _DATETIME_SHARE:
        return False  # the shape test keeps dateutil from reading words like "May" as dates
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(text, errors="coerce", format="mixed")
    return parsed.notna().mean() >= _DATETIME_SHARE


def default_target(profiles: dict[str, ColumnProfile]) -> str | None:
    """The column a new file's target defaults to: the last one a model could predict.

    Files usually end with what they are about, but often with an ID or a date instead; those, text
    and constant columns are never the default (an ID as target made thousands of one-row classes).
    None when no column qualifies: the user picks, or clusters.
    """
    return next((name for name, p in reversed(profiles.items()) if p.usable), None)


def infer_task(series: pd.Series) -> str:
    values = series.dropna()
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        return "classification"
    numbers = values.to_numpy(dtype="float64")
    if len(numbers) == 0:
        return "classification"
    if not np.all(np.isfinite(numbers)) or not np.all(numbers == np.round(numbers)):
        return "regression"
    distinct = len(np.unique(numbers))
    if distinct <= 2 or (distinct <= _CLASS_MAX_DISTINCT and distinct * 5 <= len(numbers)):
        return "classification"
    return "regression"


def _native(value):
    return value.item() if isinstance(value, np.generic) else value


# ----------------------------------------------------------------------------- copied into scripts
