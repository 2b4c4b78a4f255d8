"""Preprocessing and estimator as one scikit-learn Pipeline.

Every trial fits the object that :func:`pipeline_recipe` describes, and the
exported script prints the source of the same recipe, so the two cannot differ.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Mapping

from .catalog import ModelSpec
from .recipe import Call
from .space import Problem

SCALERS = {
    "standard": "sklearn.preprocessing.StandardScaler",
    "minmax": "sklearn.preprocessing.MinMaxScaler",
    "robust": "sklearn.preprocessing.RobustScaler",
}
SCALER_CHOICES = ("auto", "standard", "minmax", "robust", "none")
NUMERIC_IMPUTE = ("median", "mean", "most_frequent")
CATEGORICAL_IMPUTE = ("most_frequent", "constant")
ENCODINGS = ("onehot", "ordinal")


@dataclass(frozen=True)
class Preprocessing:
    """How features are prepared before the estimator sees them.

    ``mode="none"`` passes the features straight to the estimator, which only
    works when every feature is numeric; ``"auto"`` imputes, encodes and scales
    as the model needs; ``"custom"`` uses the individual choices.
    """

    mode: str = "auto"
    impute_numeric: str = "median"
    impute_categorical: str = "most_frequent"
    scaler: str = "auto"
    encode: str = "onehot"

    def to_json(self) -> Any:
        if self.mode in ("auto", "none") and self == Preprocessing(mode=self.mode):
            return self.mode
        data = asdict(self)
        data.pop("mode")
        return data

    @classmethod
    def from_json(cls, value: Any) -> "Preprocessing":
        if value is None or value == "auto":
            return cls()
        if value == "none":
            return cls(mode="none")
        if isinstance(value, Mapping):
            unknown = set(value) - {"impute_numeric", "impute_categorical", "scaler", "encode"}
            if unknown:
                raise ValueError(f"unknown preprocessing key(s): {', '.join(sorted(unknown))}")
            return cls(mode="custom", **dict(value))
        raise ValueError('preprocessing must be "auto", "none" or an object of choices')

    def validate(self) -> list[Problem]:
        problems = []
        for key, allowed in (("impute_numeric", NUMERIC_IMPUTE), ("impute_categorical", CATEGORICAL_IMPUTE),
                             ("scaler", SCALER_CHOICES), ("encode", ENCODINGS)):
            value = getattr(self, key)
            if value not in allowed:
                problems.append(Problem(f"preprocessing.{key}",
                                        f"{value!r} is not one of {', '.join(allowed)}"))
        return problems

    def scaler_for(self, model: ModelSpec) -> str:
        if self.scaler == "auto":
            return "standard" if model.scale_sensitive else "none"
        return self.scaler


def pipeline_recipe(model: ModelSpec, task: str, params: Mapping[str, Any], *, numeric: list[str],
                    categorical: list[str], preprocessing: Preprocessing, seed: int | None,
                    needs_proba: bool = False, dates: Mapping[str, tuple[str, ...]] | None = None) -> Call:
    """The whole model, preprocessing included, as a buildable description.

    ``dates`` maps each date column to the parts it gives (hpgui.core.dates.DateParts), imputed and
    scaled like the numeric columns.
    """
    estimator = model.recipe(task, params, seed, needs_proba)
    if preprocessing.mode == "none":
        return estimator

    numeric_steps: list = [("impute", Call("sklearn.impute.SimpleImputer",
                                           kwargs={"strategy": preprocessing.impute_numeric}))]
    scaler = preprocessing.scaler_for(model)
    if scaler != "none":
        numeric_steps.append(("scale", Call(SCALERS[scaler])))

    dates = {c: tuple(p) for c, p in (dates or {}).items() if p}
    if not categorical and not dates:
        return Call("sklearn.pipeline.Pipeline", kwargs={"steps": [*numeric_steps, ("model", estimator)]})

    impute_kwargs: dict[str, Any] = {"strategy": preprocessing.impute_categorical}
    if preprocessing.impute_categorical == "constant":
        impute_kwargs["fill_value"] = "missing"
    if preprocessing.encode == "onehot":
        # Categories first seen at predict time become all-zero rows instead of an error.
        encoder = Call("sklearn.preprocessing.OneHotEncoder",
                       kwargs={"handle_unknown": "ignore", "sparse_output": False})
    else:
        encoder = Call("sklearn.preprocessing.OrdinalEncoder",
                       kwargs={"handle_unknown": "use_encoded_value", "unknown_value": -1})
    categorical_steps = [("impute", Call("sklearn.impute.SimpleImputer", kwargs=impute_kwargs)),
                         ("encode", encoder)]
    transformers = []
    if numeric:
        transformers.append(("numeric", Call("sklearn.pipeline.Pipeline", kwargs={"steps": numeric_steps}),
                             list(numeric)))
    if categorical:
        transformers.append(("categorical", Call("sklearn.pipeline.Pipeline", kwargs={"steps": categorical_steps}),
                             list(categorical)))
    for i, (column, parts) in enumerate(dates.items()):
        # Numbered, not named after the column: a column name may hold "__", which set_params splits on.
        steps = [("parts", Call("hpgui.core.dates.DateParts", kwargs={"parts": parts})), *numeric_steps]
        transformers.append((f"dates{i}", Call("sklearn.pipeline.Pipeline", kwargs={"steps": steps}), [column]))
    preprocess = Call("sklearn.compose.ColumnTransformer", kwargs={"transformers": transformers})
    return Call("sklearn.pipeline.Pipeline", kwargs={"steps": [("preprocess", preprocess), ("model", estimator)]})


def weight_kwargs(estimator: Any, weight: Any) -> dict[str, Any]:
    """The keyword that hands sample weights to ``estimator.fit``: a pipeline routes them to its last step."""
    if weight is None:
        return {}
    if hasattr(estimator, "steps"):
        return {f"{estimator.steps[-1][0]}__sample_weight": weight}
    return {"sample_weight": weight}


def split_recipe(recipe: Call) -> tuple[Call | None, Call]:
    """``(preprocessing, model)``: the steps before the model as one Pipeline (None if there are
    none) and the model itself. Fitting the first on a fold and the second on its output is what
    fitting the whole recipe does, so the first can be fitted once per fold and kept."""
    if recipe.path != "sklearn.pipeline.Pipeline":
        return None, recipe
    steps = list(recipe.kwargs["steps"])
    name, model = steps[-1]
    if name != "model":
        return None, recipe
    if not steps[:-1]:
        return None, model
    return Call("sklearn.pipeline.Pipeline", kwargs={"steps": steps[:-1]}), model


def check_preprocessing(preprocessing: Preprocessing, categorical: list[str],
                        dates: Mapping[str, Any] | None = None) -> list[Problem]:
    """Problems that depend on the data's columns."""
    if preprocessing.mode == "none" and any((dates or {}).values()):
        return [Problem("preprocessing", "date columns become features through a preprocessing step; use "
                                         "\"auto\" (or a custom preprocessing), or remove data.dates")]
    if preprocessing.mode == "none" and categorical:
        shown = ", ".join(categorical[:5]) + (" …" if len(categorical) > 5 else "")
        return [Problem("preprocessing",
                        f"preprocessing \"none\" needs numeric features, but {shown} "
                        f"{'is' if len(categorical) == 1 else 'are'} categorical; "
                        "use \"auto\" or untick those columns")]
    return []
