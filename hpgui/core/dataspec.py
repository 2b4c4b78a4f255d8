"""The ``data`` part of a setup: the file, the target and the columns with other parts to play.

``sheet`` and ``header_row`` say how to read a spreadsheet; ``weight`` names a column of sample
weights; ``dates`` maps date columns to the parts they give as features. The group and time-order
columns belong to ``evaluation`` (hpgui.core.evaluate), but which columns may play which part
together with which models is checked here, by :func:`column_problems`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from .catalog import get_model
from .space import Problem


@dataclass(frozen=True)
class DataSpec:
    path: str
    target: str | None = None
    task: str | None = None
    features: tuple[str, ...] | None = None
    sheet: str | None = None  # a workbook's sheet; None: the first that holds a table
    header_row: int | None = None  # a sheet's header row, 1 for the first; None: detected
    weight: str | None = None  # a column of sample weights
    dates: Mapping[str, tuple[str, ...]] | None = None  # date column -> parts (hpgui.core.roles.DATE_PARTS)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "target": self.target}
        if self.task is not None:
            out["task"] = self.task
        if self.features is not None:
            out["features"] = list(self.features)
        for key in ("sheet", "header_row", "weight"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.dates:
            out["dates"] = {column: list(parts) for column, parts in self.dates.items()}
        return out

    @property
    def date_parts(self) -> dict[str, tuple[str, ...]]:
        return {column: tuple(parts) for column, parts in (self.dates or {}).items()}


def column_problems(setup: Any, task: str) -> list[Problem]:
    """Weights, groups and time order that cannot work with this task or these models."""
    problems = []
    data, evaluation = setup.data, setup.evaluation
    if evaluation.method == "stratified_group_kfold" and task != "classification":
        problems.append(Problem("evaluation.method", "stratified group folds keep the class mix of each fold, "
                                                     "so they are for classification; use group_kfold"))
    if data.weight is not None and task == "clustering":
        problems.append(Problem("data.weight", "sample weights are for classification and regression"))
    roles = {"data.target": data.target, "data.weight": data.weight, "evaluation.group": evaluation.group}
    for key, column in roles.items():
        for other, value in roles.items():
            if key < other and column is not None and column == value:
                problems.append(Problem(other, f"{column!r} is already the {key.split('.')[1]} column; "
                                               "one column cannot play two parts"))
    if data.weight is not None and task != "clustering" and not problems:
        from sklearn.utils.validation import has_fit_parameter

        for name in setup.models:
            model = get_model(name)
            if model.supports(task) and not has_fit_parameter(model.estimator_class(task), "sample_weight"):
                problems.append(Problem("data.weight", f"{model.label} cannot weigh rows (its fit takes no "
                                                       "sample weights); choose another model or no weight"))
    return problems


def data_spec_from_json(data: Any) -> DataSpec:
    if not isinstance(data, Mapping):
        raise ValueError("data must be an object with at least \"path\" and \"target\"")
    unknown = set(data) - {"path", "target", "task", "features", "sheet", "header_row", "weight", "dates"}
    if unknown:
        raise ValueError(f"unknown data key(s): {', '.join(sorted(unknown))}")
    for key in ("sheet", "weight"):
        if data.get(key) is not None and (not isinstance(data[key], str) or not data[key]):
            raise ValueError(f"data.{key} must be a {'sheet' if key == 'sheet' else 'column'} name, or null")
    header_row = data.get("header_row")
    if header_row is not None and (not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 1):
        raise ValueError("data.header_row must be a row number, 1 for the first row, or null to detect it")
    dates = data.get("dates")
    if dates is not None:
        from .roles import check_parts

        if not isinstance(dates, Mapping):
            raise ValueError("data.dates must map each date column to its parts, such as "
                             "{\"order_date\": [\"year\", \"month\", \"day_of_week\"]}")
        for column, parts in dates.items():
            wrong = check_parts(column, parts)
            if wrong:
                raise ValueError(f"data.dates: {wrong}")
    if not isinstance(data.get("path"), str) or not data.get("path"):
        raise ValueError("data.path must name the CSV file")
    features = data.get("features")
    if features is not None and not (isinstance(features, list) and all(isinstance(f, str) for f in features)):
        raise ValueError("data.features must be a list of column names")
    target = data.get("target")
    if target is not None and not isinstance(target, str):
        raise ValueError("data.target must be a column name")
    return DataSpec(path=data["path"], target=target, task=data.get("task"),
                    features=tuple(features) if features is not None else None, sheet=data.get("sheet"),
                    header_row=header_row, weight=data.get("weight"),
                    dates={c: tuple(p) for c, p in dates.items()} if dates else None)
