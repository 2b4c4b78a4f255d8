"""Columns with a part other than feature or target: sample weights, groups, time order, dates.

The setup names them (``data.weight``, ``data.dates``, ``evaluation.group``,
``evaluation.order``); here they are checked against the file and turned into arrays that line
up with the training rows (:attr:`TrainingData.rows`). Every mistake is a DatasetError that names
the column, what is wrong with it and what to do.

Kept free of scikit-learn so the setup's checks (:func:`check_parts`) cost nothing to import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
    from .dataset import Dataset, TrainingData
else:
    from .lazy import lazy_module

    pd = lazy_module("pandas")

#: The parts a date column can give, and what each is (tooltips, `hpgui` messages, docs).
DATE_PARTS = {
    "year": "the year (2024), for a trend from year to year",
    "month": "the month, 1 to 12, for seasons",
    "day": "the day of the month, 1 to 31 (pay days, month ends)",
    "day_of_week": "Monday 0 to Sunday 6, for weekly rhythms",
    "day_of_year": "1 to 366, for seasons finer than months",
    "hour": "the hour, 0 to 23, for daily rhythms (only where the column has times)",
    "days": "days since 1970-01-01, a steady count for a trend over time",
}


def check_parts(column: str, parts: Any) -> str | None:
    """What is wrong with a column's chosen date parts, or None."""
    if not isinstance(parts, (list, tuple)) or not all(isinstance(p, str) for p in parts):
        return f"the parts of {column!r} must be a list such as [\"year\", \"month\"] (an empty list ignores it)"
    unknown = [p for p in parts if p not in DATE_PARTS]
    if unknown:
        return f"{', '.join(map(repr, unknown))}: not a date part; choose from {', '.join(DATE_PARTS)}"
    if len(set(parts)) != len(parts):
        return f"a part of {column!r} is listed twice"
    return None


@dataclass
class Roles:
    """Per training row (in the file's order): its weight, group and time-order key."""

    weight: np.ndarray | None = None
    groups: np.ndarray | None = None
    order: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)


def features_for(dataset: "Dataset", target: str | None, features: list[str] | None, *, weight: str | None,
                 group: str | None, dates: Mapping[str, Any]) -> tuple[list[str] | None, list[str]]:
    """The plain (non-date) features to hand to ``prepare``, and notes on what was left out.

    Left to the defaults, the weight and group columns are never features (a model must not learn
    the group it is tested on), and identifier and date columns are left out with a note saying
    how to use them.
    """
    from .dataset import default_features

    notes: list[str] = []
    special = {c for c in (weight, group) if c is not None}
    date_columns = [c for c, parts in dates.items() if parts]
    if features is None:
        chosen = [c for c in default_features(dataset, target) if c not in special and c not in dates]
        ids = [n for n, p in dataset.profiles.items() if p.kind == "id" and n not in (target, *special)]
        if ids:
            notes.append(f"Left out as identifiers (every value differs, so they say nothing about other rows): "
                         f"{_names(ids)}. Choose them as features to use them anyway.")
        unused = [n for n, p in dataset.profiles.items() if p.kind == "datetime" and n not in dates
                  and n not in (target, *special)]
        if unused:
            notes.append(f"Date columns left out: {_names(unused)}. Choose their parts (year, month, day of "
                         "week, hour: data.dates) to use them as features.")
        if not chosen and not date_columns:
            return None, notes  # prepare() explains why nothing is usable
        return chosen, notes
    chosen = [c for c in dict.fromkeys(features) if c not in dates]
    if weight in chosen:
        chosen.remove(weight)
        notes.append(f"The weight column {weight!r} was removed from the features; it weighs the rows instead.")
    if group is not None and group in chosen:
        notes.append(f"The group column {group!r} is also a feature: group folds never test on a group the model "
                     "has seen, so what it learns from the group itself does not carry over.")
    return chosen, notes


def attach_dates(dataset: "Dataset", data: "TrainingData", dates: Mapping[str, Any]) -> None:
    """Add each date column with parts to X (as datetime64) and to the features."""
    from .dataset import DatasetError
    from .dates import coerce_date

    for column, parts in dates.items():
        if not parts:
            continue
        values = dataset.frame[_column(dataset, column, "date")].iloc[data.rows].reset_index(drop=True)
        parsed = coerce_date(values)
        if parsed.notna().sum() == 0:
            raise DatasetError(f"The column {column!r} has no readable dates (such as {_first(values)!r}), so its "
                               "parts cannot be used. Remove it from data.dates, or choose a date column.")
        data.X[column] = parsed
        data.features = [f for f in data.features if f != column] + [column]
        data.dates[column] = tuple(parts)


def resolve(dataset: "Dataset", data: "TrainingData", *, weight: str | None, group: str | None,
            order: str | None, folds: int) -> Roles:
    from .dataset import DatasetError

    roles = Roles()
    rows = data.rows
    if weight is not None:
        values = dataset.frame[_column(dataset, weight, "weight")].iloc[rows]
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        text = values[np.isnan(numbers) & values.notna().to_numpy()]
        if len(text):
            raise DatasetError(f"The weight column {weight!r} holds text such as {str(text.iloc[0])!r}; weights must "
                               "be numbers. Choose a numeric column, or none.")
        if np.isnan(numbers).any():
            raise DatasetError(f"The weight column {weight!r} is empty in {int(np.isnan(numbers).sum())} of the "
                               f"{len(numbers)} rows. Fill those cells (1 is a neutral weight), or choose another "
                               "column.")
        if not np.isfinite(numbers).all() or (numbers < 0).any():
            raise DatasetError(f"The weight column {weight!r} has negative or infinite values (the smallest is "
                               f"{numbers.min():g}); weights must be 0 or more. Fix them, or choose another column.")
        if not numbers.any():
            raise DatasetError(f"Every weight in {weight!r} is 0, so no row would count. Choose another column.")
        roles.weight = numbers
    if group is not None:
        values = dataset.frame[_column(dataset, group, "group")].iloc[rows]
        missing = int(values.isna().sum())
        if missing:
            raise DatasetError(f"The group column {group!r} is empty in {missing} of the {len(values)} rows, so "
                               "those rows belong to no group. Fill them, or choose another column.")
        codes, uniques = pd.factorize(values, sort=True)
        if len(uniques) < folds:
            raise DatasetError(f"The group column {group!r} has {len(uniques)} groups, fewer than the {folds} folds "
                               f"(each fold needs at least one whole group). Lower the folds to {len(uniques)} or "
                               "fewer, or choose a column with more groups." if len(uniques) >= 2 else
                               f"The group column {group!r} has only one group, so nothing can be held out. "
                               "Choose a column with several groups.")
        roles.groups = codes
    if order is not None:
        from .dates import order_key

        values = dataset.frame[_column(dataset, order, "order")].iloc[rows].reset_index(drop=True)
        keys = order_key(values)
        bad = np.isnan(keys) if keys.dtype.kind == "f" else keys == np.iinfo(np.int64).min
        if bad.any():
            where = int(np.flatnonzero(bad)[0])
            shown = values.iloc[where]
            what = "is empty" if pd.isna(shown) else f"holds {str(shown)!r}, which is neither a number nor a date"
            raise DatasetError(f"The order column {order!r} {what} in {int(bad.sum())} row(s) (the first is data "
                               f"row {int(rows[where]) + 1}). Time-ordered folds need a number or a date in every "
                               "row: fill or fix those cells, or choose another column.")
        roles.order = keys
    return roles


def prepare_study_data(dataset: "Dataset", setup: Any) -> tuple["TrainingData", Roles]:
    """``dataset.prepare`` for a whole setup: its features, then its date, weight, group and order columns."""
    from .dataset import prepare

    spec, evaluation = setup.data, setup.evaluation
    dates = spec.date_parts
    plain, notes = features_for(dataset, spec.target, list(spec.features) if spec.features else None,
                                weight=spec.weight, group=evaluation.group, dates=dates)
    data = prepare(dataset, spec.target, plain, task=spec.task, folds=evaluation.min_class_size)
    attach_dates(dataset, data, dates)
    roles = resolve(dataset, data, weight=spec.weight, group=evaluation.group, order=evaluation.order,
                    folds=evaluation.folds)
    data.warnings = notes + data.warnings
    return data, roles


def _column(dataset: "Dataset", name: str, role: str) -> str:
    from .dataset import DatasetError, _list_columns, _suggest

    if name not in dataset.frame.columns:
        raise DatasetError(f"There is no column named {name!r} (the {role} column) in {dataset.path.name}."
                           f"{_suggest(name, dataset.frame.columns)} The columns are: "
                           f"{_list_columns(dataset.frame.columns)}.")
    return name


def _names(columns: list[str], limit: int = 8) -> str:
    shown = ", ".join(repr(c) for c in columns[:limit])
    return shown + (f" and {len(columns) - limit} more" if len(columns) > limit else "")


def _first(values: "pd.Series") -> Any:
    present = values.dropna()
    return present.iloc[0] if len(present) else None


def check_roles(dataset: "Dataset", target: str | None, *, weight: str | None, group: str | None,
                order: str | None, folds: int) -> list:
    """The checks :func:`resolve` makes, as problems tied to the field of each column (for the
    window, which shows them next to the picker) instead of one DatasetError for the first."""
    from .dataset import DatasetError
    from .space import Problem

    frame = dataset.frame
    if target is not None and target in frame.columns:
        rows = np.flatnonzero(frame[target].notna().to_numpy())
    else:
        rows = np.arange(len(frame))
    data = _Rows(rows)
    problems = []
    for field_name, kwargs in (("data.weight", {"weight": weight}), ("evaluation.group", {"group": group}),
                               ("evaluation.order", {"order": order})):
        if next(iter(kwargs.values())) is None:
            continue
        try:
            resolve(dataset, data, **{"weight": None, "group": None, "order": None, **kwargs},
                    folds=folds if isinstance(folds, int) and folds >= 2 else 2)
        except DatasetError as err:
            problems.append(Problem(field_name, str(err)))
    return problems


@dataclass
class _Rows:
    """The one attribute of TrainingData that :func:`resolve` reads."""

    rows: np.ndarray
