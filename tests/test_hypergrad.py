"""Hypergradients against central finite differences of scikit-learn's own fits."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.kernel_ridge import KernelRidge
from sklearn.linear_model import ElasticNet, Lasso, LogisticRegression, Ridge, RidgeCV
from sklearn.metrics import log_loss, mean_squared_error, r2_score

from hpgui.core import hypergrad

H = 1e-4  # the step in log space of the central differences


def problem(seed: int, n: int = 80, d: int = 6, classes: int | None = None, weights: bool = False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    beta = rng.normal(size=d)
    if classes is None:
        y = X @ beta + 0.5 * rng.normal(size=n)
    else:
        z = X @ rng.normal(size=(d, classes)) + rng.normal(size=(n, classes))
        y = z.argmax(1)
    w = rng.uniform(0.5, 2.0, size=n) if weights else None
    cut = int(0.7 * n)
    return X[:cut], y[:cut], X[cut:], y[cut:], (None if w is None else w[:cut]), (None if w is None else w[cut:])


def rel(a, b):
    return abs(a - b) / max(abs(a), abs(b), 1e-12)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("metric", ["mse", "r2", "rmse"])
def test_ridge_hypergradient_matches_finite_differences_of_sklearn_fits(seed, metric):
    Xt, yt, Xv, yv, wt, wv = problem(seed, weights=seed % 2 == 1)
    alpha = float(np.exp(np.random.default_rng(seed).uniform(-3, 3)))

    def loss(a):
        pred = Ridge(alpha=a).fit(Xt, yt, sample_weight=wt).predict(Xv)
        mse = mean_squared_error(yv, pred, sample_weight=wv)
        return {"mse": mse, "rmse": np.sqrt(mse), "r2": -r2_score(yv, pred, sample_weight=wv)}[metric]

    fold = hypergrad.ridge(Xt, yt, Xv, alpha, wt)
    np.testing.assert_allclose(fold.pred, Ridge(alpha=alpha).fit(Xt, yt, sample_weight=wt).predict(Xv), rtol=1e-9)
    got = hypergrad.regression_loss(metric, yv, fold, wv)
    fd = (loss(alpha * np.exp(H)) - loss(alpha * np.exp(-H))) / (2 * H)
    assert rel(got.loss, loss(alpha)) < 1e-9
    assert rel(got.grad[0], fd) < 1e-5


@pytest.mark.parametrize("seed", range(3))
def test_kernel_ridge_hypergradient_in_alpha_and_gamma(seed):
    Xt, yt, Xv, yv, wt, wv = problem(seed, n=60, d=4, weights=seed == 2)
    alpha, gamma = 0.3, 0.2

    def loss(a, g):
        pred = KernelRidge(alpha=a, kernel="rbf", gamma=g).fit(Xt, yt, sample_weight=wt).predict(Xv)
        return mean_squared_error(yv, pred, sample_weight=wv)

    got = hypergrad.regression_loss("mse", yv, hypergrad.kernel_ridge(Xt, yt, Xv, alpha, gamma, wt), wv)
    fd_a = (loss(alpha * np.exp(H), gamma) - loss(alpha * np.exp(-H), gamma)) / (2 * H)
    fd_g = (loss(alpha, gamma * np.exp(H)) - loss(alpha, gamma * np.exp(-H))) / (2 * H)
    assert rel(got.loss, loss(alpha, gamma)) < 1e-9
    assert rel(got.grad[0], fd_a) < 1e-5 and rel(got.grad[1], fd_g) < 1e-5


@pytest.mark.parametrize("seed", range(3))
def test_elastic_net_hypergradient_on_the_active_set(seed):
    Xt, yt, Xv, yv, wt, wv = problem(seed, n=120, d=8)
    alpha, ratio = 0.05, 0.6

    def fit(a, r):
        return ElasticNet(alpha=a, l1_ratio=r, tol=1e-14, max_iter=200_000).fit(Xt, yt)

    def loss(a, r):
        return mean_squared_error(yv, fit(a, r).predict(Xv))

    model = fit(alpha, ratio)
    got = hypergrad.regression_loss("mse", yv, hypergrad.elastic_net(Xt, yt, Xv, model.coef_, alpha, ratio))
    fd_a = (loss(alpha * np.exp(H), ratio) - loss(alpha * np.exp(-H), ratio)) / (2 * H)
    fd_r = (loss(alpha, ratio + H) - loss(alpha, ratio - H)) / (2 * H)
    assert rel(got.loss, loss(alpha, ratio)) < 1e-9
    assert rel(got.grad[0], fd_a) < 1e-5 and rel(got.grad[1], fd_r) < 1e-5


def test_lasso_hypergradient_is_elastic_net_at_ratio_one():
    Xt, yt, Xv, yv, *_ = problem(7, n=120, d=10)
    alpha = 0.08

    def fit(a):
        return Lasso(alpha=a, tol=1e-14, max_iter=200_000).fit(Xt, yt)

    model = fit(alpha)
    assert 0 < np.count_nonzero(model.coef_) < 10  # some coefficients dropped: the active set matters
    fold = hypergrad.elastic_net(Xt, yt, Xv, model.coef_, alpha, 1.0, with_ratio=False)
    got = hypergrad.regression_loss("mse", yv, fold)
    fd = (mean_squared_error(yv, fit(alpha * np.exp(H)).predict(Xv))
          - mean_squared_error(yv, fit(alpha * np.exp(-H)).predict(Xv))) / (2 * H)
    assert rel(got.grad[0], fd) < 1e-5


@pytest.mark.parametrize("classes,seed,weights", [(2, 0, False), (2, 1, True), (3, 2, False), (4, 3, True)])
def test_logistic_hypergradient_by_implicit_differentiation(classes, seed, weights):
    Xt, yt, Xv, yv, wt, wv = problem(seed, n=150, d=5, classes=classes, weights=weights)
    C = 0.7

    def fit(c):
        return LogisticRegression(C=c, tol=1e-12, max_iter=10_000).fit(Xt, yt, sample_weight=wt)

    def loss(c):
        return log_loss(yv, fit(c).predict_proba(Xv), sample_weight=wv, labels=range(classes))

    def exact_loss(c):
        # lbfgs stops a little short of the optimum; Newton steps from there give the exact solution,
        # whose loss is what the difference quotient needs at this precision.
        m = fit(c)
        return hypergrad.logistic(Xt, yt, Xv, yv, m.coef_, m.intercept_, c, classes, wt, wv, polish=8).loss

    model = fit(C)
    got = hypergrad.logistic(Xt, yt, Xv, yv, model.coef_, model.intercept_, C, classes, wt, wv)
    fd = (exact_loss(C * np.exp(H)) - exact_loss(C * np.exp(-H))) / (2 * H)
    assert rel(got.loss, loss(C)) < 1e-7
    assert rel(fd, (loss(C * np.exp(H)) - loss(C * np.exp(-H))) / (2 * H)) < 1e-3
    assert rel(got.grad[0], fd) < 1e-5


def test_balanced_weights_are_sklearns_class_weights():
    from sklearn.utils.class_weight import compute_sample_weight

    codes = np.array([0, 0, 0, 1, 2, 2, 1, 0])
    np.testing.assert_allclose(hypergrad.balanced_weights(codes, 3), compute_sample_weight("balanced", codes))


def test_ridge_optimum_over_leave_one_out_folds_is_ridgecvs():
    # With leave-one-out folds the mean validation MSE is what RidgeCV minimises by its efficient LOO
    # formula (no intercept here, so RidgeCV's centring does not differ from a refit per fold).
    from scipy.optimize import minimize_scalar

    rng = np.random.default_rng(3)
    X = rng.normal(size=(30, 5))
    y = X @ rng.normal(size=5) + rng.normal(size=30)
    X = X - X.mean(0)
    y = y - y.mean()

    def cv(log_alpha):
        losses, grads = [], []
        for i in range(len(y)):
            keep = np.arange(len(y)) != i
            fold = hypergrad.ridge(X[keep], y[keep], X[i:i + 1], float(np.exp(log_alpha)))
            # hypergrad.ridge fits an intercept; a fold's centring then differs by one row from RidgeCV's
            # LOO on centred data, so compare with the refit per fold RidgeCV approximates instead.
            out = hypergrad.regression_loss("mse", y[i:i + 1], fold)
            losses.append(out.loss)
            grads.append(out.grad[0])
        return float(np.mean(losses)), float(np.mean(grads))

    best = minimize_scalar(lambda t: cv(t)[0], bounds=(-6, 6), method="bounded", options={"xatol": 1e-8})
    assert abs(cv(best.x)[1]) < 1e-5  # the hypergradient vanishes at the optimum it finds
    alphas = np.exp(np.linspace(-6, 6, 2001))
    ridgecv = RidgeCV(alphas=alphas, fit_intercept=True).fit(X, y)
    assert abs(np.log(ridgecv.alpha_) - best.x) < 0.02
