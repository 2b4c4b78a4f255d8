"""LightGBM, XGBoost and CatBoost as scikit-learn estimators that stop early by themselves.

Each library stops adding trees when a validation set stops improving, but only when that set
is handed to ``fit``, which a scikit-learn Pipeline cannot do (the validation rows would have to
pass through the preprocessing first). These wrappers sit at the end of the pipeline, so they
see the preprocessed rows: they hold out a seeded share of the training rows, fit the library's
model with early stopping on them, and keep the model at its best round, as
HistGradientBoosting's own early stopping does. They also give classes as the file has them
(XGBoost takes only 0..k-1) and pass sample weights to the fit and to the validation set.

The exported script carries this module's source (hpgui.core.export.INLINED), so it uses only
numpy and scikit-learn besides the library it wraps.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone


def fit_with_early_stopping(model, X, y, sample_weight, rounds, validation_fraction, random_state, stratify):
    """Fit ``model`` (an unfitted LightGBM, XGBoost or CatBoost estimator) on X, y; with ``rounds``, stop once
    that many rounds in a row did not improve on a held-out ``validation_fraction`` of the rows."""
    weights = {} if sample_weight is None else {"sample_weight": sample_weight}
    if not rounds:
        return model.fit(X, y, **weights)
    from sklearn.model_selection import train_test_split

    rows = np.arange(len(y))
    try:
        fit_rows, check_rows = train_test_split(rows, test_size=validation_fraction, random_state=random_state,
                                                stratify=y if stratify else None)
    except ValueError:  # a class too rare to be in both parts: split without keeping the class mix
        fit_rows, check_rows = train_test_split(rows, test_size=validation_fraction, random_state=random_state)

    def take(values, index):
        return values.iloc[index] if hasattr(values, "iloc") else values[index]

    X_fit, y_fit, X_check, y_check = take(X, fit_rows), take(y, fit_rows), take(X, check_rows), take(y, check_rows)
    w_fit = None if sample_weight is None else sample_weight[fit_rows]
    w_check = None if sample_weight is None else sample_weight[check_rows]
    library = type(model).__module__.split(".")[0]
    kwargs = {} if w_fit is None else {"sample_weight": w_fit}
    if library == "lightgbm":
        import lightgbm

        import inspect

        kwargs["callbacks"] = [lightgbm.early_stopping(rounds, verbose=False)]
        if "eval_X" in inspect.signature(model.fit).parameters:  # LightGBM 4.7 renamed eval_set
            kwargs.update(eval_X=(X_check,), eval_y=(y_check,))
        else:
            kwargs["eval_set"] = [(X_check, y_check)]
        if w_check is not None:
            kwargs["eval_sample_weight"] = [w_check]
    elif library == "xgboost":
        model.set_params(early_stopping_rounds=rounds)
        kwargs.update(eval_set=[(X_check, y_check)], verbose=False)
        if w_check is not None:
            kwargs["sample_weight_eval_set"] = [w_check]
    elif library == "catboost":
        from catboost import Pool

        kwargs.update(eval_set=Pool(X_check, y_check, weight=w_check), early_stopping_rounds=rounds,
                      use_best_model=True)
    else:
        raise TypeError(f"early stopping is not known for {type(model).__name__}")
    return model.fit(X_fit, y_fit, **kwargs)


class BoostedClassifier(ClassifierMixin, BaseEstimator):
    """A LightGBM, XGBoost or CatBoost classifier with early stopping and the file's own class labels.

    ``class_weight="balanced"`` weighs each row by the inverse of its class's frequency (times its
    sample weight), for a library without class weights of its own (XGBoost).
    """

    def __init__(self, estimator=None, early_stopping_rounds=50, validation_fraction=0.1, random_state=None,
                 class_weight=None):
        self.estimator = estimator
        self.early_stopping_rounds = early_stopping_rounds
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.class_weight = class_weight

    def fit(self, X, y, sample_weight=None):
        from sklearn.preprocessing import LabelEncoder

        self.encoder_ = LabelEncoder().fit(y)
        self.classes_ = self.encoder_.classes_
        codes = self.encoder_.transform(y)
        weight = None if sample_weight is None else np.asarray(sample_weight, dtype="float64")
        if self.class_weight is not None:
            from sklearn.utils.class_weight import compute_sample_weight

            balanced = compute_sample_weight(self.class_weight, codes)
            weight = balanced if weight is None else weight * balanced
        self.estimator_ = fit_with_early_stopping(clone(self.estimator), X, codes, weight, self.early_stopping_rounds,
                                                  self.validation_fraction, self.random_state, stratify=True)
        self.n_features_in_ = getattr(self.estimator_, "n_features_in_", np.shape(X)[1])
        return self

    def predict(self, X):
        codes = np.asarray(self.estimator_.predict(X)).reshape(-1).astype("int64")
        return self.classes_[codes]

    def predict_proba(self, X):
        return np.asarray(self.estimator_.predict_proba(X))


class BoostedRegressor(RegressorMixin, BaseEstimator):
    """A LightGBM, XGBoost or CatBoost regressor with early stopping."""

    def __init__(self, estimator=None, early_stopping_rounds=50, validation_fraction=0.1, random_state=None):
        self.estimator = estimator
        self.early_stopping_rounds = early_stopping_rounds
        self.validation_fraction = validation_fraction
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        weight = None if sample_weight is None else np.asarray(sample_weight, dtype="float64")
        values = np.asarray(y, dtype="float64")
        self.estimator_ = fit_with_early_stopping(clone(self.estimator), X, values, weight, self.early_stopping_rounds,
                                                  self.validation_fraction, self.random_state, stratify=False)
        self.n_features_in_ = getattr(self.estimator_, "n_features_in_", np.shape(X)[1])
        return self

    def predict(self, X):
        return np.asarray(self.estimator_.predict(X)).reshape(-1)
