"""Words for the Search tab's choices, and manual configurations as text ("C=1, kernel=rbf") read
and written back exactly.
"""

from __future__ import annotations

import json
import re
from typing import Any, Mapping

from hpgui.core.metrics import METRICS


from hpgui.core.space import Hyperparameter

from hpgui.core.formatting import exact_number


# -- words for the choices ------------------------------------------------------------------

PRUNER_TEXT = {
    "none": ("No pruning", "Every trial runs all its folds."),
    "median": ("Median", "Stops a trial after a fold when its score so far is worse than the median of "
                         "earlier trials at the same fold. Saves time once a few trials have finished."),
    "successive_halving": ("Successive halving (ASHA)", "Lets many trials start and keeps only the best "
                                                        "third going on to the next step, again and again; "
                                                        "asynchronous, so no worker waits for others."),
    "hyperband": ("Hyperband", "Runs several successive-halving brackets with different aggressiveness, "
                               "so it depends less on one setting."),
    "wilcoxon": ("Wilcoxon (folds)", "After each fold, a paired test of the trial's fold scores against the "
                                     "best trial's on the same folds; stops it once it is clearly worse. "
                                     "Between folds only."),
}

RESOURCE_TEXT = {
    "folds": ("folds", "Judge a trial after each fold of its cross-validation."),
    "epochs": ("epochs", "Train step by step in passes over the data (neural network, SGD) and judge it "
                         "after each step; max_iter is then set by the steps, not searched."),
    "trees": ("trees", "Grow the forest a batch of trees at a time and judge it after each batch; "
                       "n_estimators is then set by the steps."),
    "stages": ("boosting stages", "Add boosting stages a batch at a time and judge the model after each; "
                                  "the number of stages is then set by the steps."),
    "rows": ("rows", "Fit on a growing, stratified share of each training fold (any model) and judge it "
                     "after each share; the last step is the whole fold."),
}
METHOD_TEXT = {
    "kfold": ("k-fold cross-validation", "Split the rows into k parts; train on k−1 parts and score on the "
                                         "one left out, k times. The usual choice."),
    "repeated_kfold": ("Repeated k-fold", "k-fold cross-validation repeated with different random splits, "
                                          "averaged. Steadier scores on small datasets, k × repeats fits per trial."),
    "holdout": ("Single holdout split", "Train once on part of the rows and score on the rest. Fastest, but "
                                        "the score depends on which rows landed in the validation part."),
}
MODE_TEXT = {
    "auto": ("Automatic", "Fill in missing values, encode text columns, and scale numbers when the model "
                          "needs it (as for SVMs, neural networks and k-means)."),
    "none": ("None", "Give the columns to the model as they are: every feature must be numeric, "
                     "with no missing values."),
    "custom": ("Custom", "Choose each preprocessing step yourself below."),
}
SCALER_TEXT = {
    "auto": ("As the model needs", "Standardise for models that care about feature scale; leave the rest."),
    "standard": ("Standardise", "Shift and scale each number column to mean 0 and standard deviation 1."),
    "minmax": ("Min–max to [0, 1]", "Scale each number column so its smallest value is 0 and its largest 1."),
    "robust": ("Robust (median, IQR)", "Centre on the median and scale by the interquartile range; "
                                       "outliers pull it less."),
    "none": ("No scaling", "Leave number columns as they are."),
}
IMPUTE_NUMERIC_TEXT = {
    "median": ("Median", "Replace a missing number with the column's median."),
    "mean": ("Mean", "Replace a missing number with the column's mean."),
    "most_frequent": ("Most frequent value", "Replace a missing number with the column's most common value."),
}
IMPUTE_CATEGORICAL_TEXT = {
    "most_frequent": ("Most frequent category", "Replace a missing category with the column's most common one."),
    "constant": ("Its own category", "Treat “missing” as a category of its own."),
}
ENCODING_TEXT = {
    "onehot": ("One-hot", "One 0/1 column per category. Right for most models."),
    "ordinal": ("Ordinal", "One number per category. Compact; fine for tree models, misleading for linear ones."),
}


def metric_text(name: str) -> str:
    metric = METRICS.get(name)
    if metric is None:
        return name
    return f"{metric.label} ({'higher' if metric.greater_is_better else 'lower'} is better)"


def duration_text(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{hours} h")
    if minutes:
        parts.append(f"{minutes} min")
    if secs or not parts:
        parts.append(f"{secs} s")
    return " ".join(parts)


# -- manual configurations as text: "C=1, kernel=rbf" -----------------------------------------

_KEY_START = re.compile(r",\s*(?=[A-Za-z_][\w.]*\s*=)")
_NUMBERLIKE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^(none|null|true|false|nan|[+-]?inf)$",
                         re.IGNORECASE)


def format_value(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return exact_number(value)
    if isinstance(value, str):
        # quote what would read back as something else: "64" (a string), "a, b=1", " x"
        if (not value or value != value.strip() or _NUMBERLIKE.match(value) or "=" in value
                or value[0] in "\"'[{" or _KEY_START.search(value)):
            return json.dumps(value)
        return value
    return json.dumps(value)


def format_config(config: Mapping[str, Any]) -> str:
    """``{"C": 1, "kernel": "rbf"}`` -> ``C=1, kernel=rbf``."""
    return ", ".join(f"{name}={format_value(value)}" for name, value in config.items())


def parse_value(text: str) -> Any:
    text = text.strip()
    if not text:
        raise ValueError("a value is missing")
    if text[0] in "\"[{":
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise ValueError(f"{text} is not a valid quoted value") from None
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1]
    lowered = text.lower()
    if lowered in ("none", "null"):
        return None
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def parse_config(text: str, space: Mapping[str, Hyperparameter] | None = None) -> dict[str, Any]:
    """``C=1, kernel=rbf`` (or a JSON object) -> ``{"C": 1, "kernel": "rbf"}``.

    Numbers become numbers; with ``space``, a value typed for a categorical
    hyperparameter is matched to the choice it spells (``64`` -> ``"64"``).
    Raises ``ValueError`` with a message for the user.
    """
    text = text.strip()
    if not text:
        raise ValueError("type values such as C=1, kernel=rbf")
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not a valid JSON object: {exc.msg}") from None
        if not isinstance(data, dict):
            raise ValueError("a configuration must be an object of name: value pairs")
        config = dict(data)
    else:
        config = {}
        for part in _KEY_START.split(text):
            part = part.strip()
            if not part:
                continue
            name, sep, value = part.partition("=")
            name = name.strip()
            if not sep or not name:
                raise ValueError(f"expected name=value, not {part!r}")
            if name in config:
                raise ValueError(f"{name} is given twice")
            config[name] = parse_value(value)
    if space:
        config = {name: _match_choice(value, space.get(name)) for name, value in config.items()}
    return config


def _match_choice(value: Any, hp: Hyperparameter | None) -> Any:
    if hp is None or hp.type != "categorical" or not hp.choices:
        return value
    for choice in hp.choices:
        if type(choice) is type(value) and choice == value:
            return value
    for choice in hp.choices:
        if str(choice).lower() == format_value(value).strip('"').lower() or str(choice) == str(value):
            return choice
    return value
