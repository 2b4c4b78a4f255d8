"""Date and time columns as features: the parts of a date a model can use.

A date used as a category teaches a model nothing about the next month; its year, month, day of
week or hour can. Which parts a column gives is the user's choice (``data.dates`` in the setup),
and the parts are computed by :class:`DateParts`, a pipeline step, so the fitted model takes raw
dates at prediction time and the exported script rebuilds exactly this step.

``coerce_date`` and ``DateParts`` are copied with ``inspect.getsource`` into the exported
script, so they use only ``pd``, ``np`` and scikit-learn's base classes. The parts themselves and
their checks are in :mod:`hpgui.core.roles`, which imports no scikit-learn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

if TYPE_CHECKING:
    import pandas as pd
else:
    from .lazy import lazy_module

    pd = lazy_module("pandas")

def coerce_date(values: pd.Series) -> pd.Series:
    """A column of dates as naive datetime64 (time zones converted to UTC), unreadable cells as NaT."""
    import warnings

    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        parsed = values
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = pd.to_datetime(values, errors="coerce")  # one format, inferred from the first value
            if parsed.notna().sum() < values.notna().sum():  # a file mixing formats: each cell on its own
                parsed = pd.to_datetime(values, errors="coerce", format="mixed", utc=True)
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    return pd.Series(parsed.to_numpy(dtype="datetime64[ns]"), index=values.index, name=values.name)


class DateParts(TransformerMixin, BaseEstimator):
    """Turn each date column into the chosen parts (float columns, missing dates as NaN)."""

    def __init__(self, parts=("year", "month", "day_of_week")):
        self.parts = parts

    def fit(self, X, y=None):
        self.feature_names_in_ = np.asarray([str(c) for c in getattr(X, "columns", range(np.shape(X)[1]))],
                                            dtype=object)
        self.n_features_in_ = len(self.feature_names_in_)
        return self

    def transform(self, X):
        frame = X if hasattr(X, "columns") else pd.DataFrame(X)
        columns = []
        for name in frame.columns:
            when = pd.to_datetime(frame[name], errors="coerce")
            for part in self.parts:
                if part == "days":
                    value = (when - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)
                else:  # year, month, day, day_of_week, day_of_year, hour: pandas' own names
                    value = getattr(when.dt, part)
                columns.append(value.to_numpy(dtype="float64", na_value=np.nan))
        return np.column_stack(columns) if columns else np.empty((len(frame), 0))

    def get_feature_names_out(self, input_features=None):
        names = self.feature_names_in_ if input_features is None else input_features
        return np.asarray([f"{n}_{p}" for n in names for p in self.parts], dtype=object)


def order_key(values: pd.Series) -> np.ndarray:
    """What rows are sorted by for time-ordered folds: numbers as they are, dates as nanoseconds."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return values.to_numpy(dtype="float64", na_value=np.nan)
    return coerce_date(values).to_numpy(dtype="datetime64[ns]").astype("int64")
