"""Hypergradients: how a fold's validation predictions move with a model's regularisation.

Each function takes one fold as the model saw it (preprocessed training and validation arrays,
sample weights or None) and the fitted model's solution, and returns the validation predictions
with their derivatives with respect to the hyperparameters, each in the coordinate the search
moves it in (the logarithm of a strength; l1_ratio itself):

- ridge: closed form, ``dβ/dlog α = -α A⁻¹ β`` with ``A = XᵀWX + αI`` on centred data;
- kernel ridge (RBF): through the dual solution ``c = (K + αI)⁻¹ y``, for α and γ;
- elastic net and lasso: implicit differentiation of the optimality conditions on the active
  set (where the coefficients are not zero the problem is smooth; the set is locally constant);
- L2 logistic regression: implicit differentiation at the optimum (as in HOAG, Pedregosa 2016):
  one linear solve with the Hessian of the training objective per fold, after a Newton step or
  two that polish the solver's coefficients, since the identity only holds at the optimum.

The objectives are scikit-learn's own, so the solution is the one the fitted estimator holds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg
from scipy.special import expit, log_softmax, softmax


@dataclass
class FoldPrediction:
    """Validation predictions and their Jacobian (rows: validation rows; columns: hyperparameters)."""

    pred: np.ndarray
    jac: np.ndarray


@dataclass
class FoldLoss:
    loss: float
    grad: np.ndarray


def dense(X) -> np.ndarray:
    return np.asarray(X.toarray() if hasattr(X, "toarray") else X, dtype=float)


def _weights(w, n: int) -> np.ndarray:
    return np.ones(n) if w is None else np.asarray(w, dtype=float)


def _centre(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    x_mean = (w @ X) / w.sum()
    y_mean = float(w @ y / w.sum())
    return X - x_mean, y - y_mean, x_mean, y_mean


# -- regression models -------------------------------------------------------------------------

def ridge(X_train, y_train, X_val, alpha: float, w_train=None) -> FoldPrediction:
    """Ridge(alpha, fit_intercept=True): min Σ wᵢ(yᵢ - xᵢβ - b)² + α‖β‖²; one hyperparameter, log α."""
    X, Xv, y = dense(X_train), dense(X_val), np.asarray(y_train, dtype=float)
    w = _weights(w_train, len(y))
    Xc, yc, x_mean, y_mean = _centre(X, y, w)
    # One eigendecomposition gives the solution and its derivative for any α.
    G = Xc.T @ (w[:, None] * Xc)
    lam, V = linalg.eigh(G)
    lam = np.clip(lam, 0.0, None)
    r = V.T @ (Xc.T @ (w * yc))
    beta = V @ (r / (lam + alpha))
    dbeta = V @ (-alpha * r / (lam + alpha) ** 2)
    Xvc = Xv - x_mean
    return FoldPrediction(Xvc @ beta + y_mean, (Xvc @ dbeta)[:, None])


def _sq_dists(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    d = (A * A).sum(1)[:, None] + (B * B).sum(1)[None, :] - 2.0 * A @ B.T
    return np.clip(d, 0.0, None)


def kernel_ridge(X_train, y_train, X_val, alpha: float, gamma: float, w_train=None) -> FoldPrediction:
    """KernelRidge(kernel="rbf"): c = (SKS + αI)⁻¹ S y with S = diag(√w); log α and log γ."""
    X, Xv, y = dense(X_train), dense(X_val), np.asarray(y_train, dtype=float)
    s = np.sqrt(_weights(w_train, len(y)))
    D, Dv = _sq_dists(X, X), _sq_dists(Xv, X)
    K, Kv = np.exp(-gamma * D), np.exp(-gamma * Dv)
    M = s[:, None] * K * s[None, :] + alpha * np.eye(len(y))
    factor = linalg.cho_factor(M)
    c_tilde = linalg.cho_solve(factor, s * y)
    c = s * c_tilde
    pred = Kv @ c
    d_alpha = Kv @ (s * linalg.cho_solve(factor, -alpha * c_tilde))
    dK = -gamma * D * K  # dK/dlog γ
    dKv = -gamma * Dv * Kv
    dc_tilde = linalg.cho_solve(factor, -(s[:, None] * dK * s[None, :]) @ c_tilde)
    d_gamma = dKv @ c + Kv @ (s * dc_tilde)
    return FoldPrediction(pred, np.column_stack([d_alpha, d_gamma]))


def elastic_net(X_train, y_train, X_val, coef, alpha: float, l1_ratio: float, w_train=None,
                with_ratio: bool = True) -> FoldPrediction:
    """ElasticNet: min 1/(2Σw) Σ wᵢ rᵢ² + αρ‖β‖₁ + α(1-ρ)/2 ‖β‖², at its solution ``coef``.

    Columns: log α, then ρ (l1_ratio) when ``with_ratio``. Lasso is ρ = 1 without the second column.
    """
    X, Xv, y = dense(X_train), dense(X_val), np.asarray(y_train, dtype=float)
    w = _weights(w_train, len(y))
    Xc, _, x_mean, _ = _centre(X, y, w)
    beta = np.asarray(coef, dtype=float).ravel()
    active = np.flatnonzero(beta != 0.0)
    Xvc = Xv - x_mean
    intercept = float(w @ (y - X @ beta) / w.sum())
    pred = Xv @ beta + intercept
    columns = 2 if with_ratio else 1
    jac = np.zeros((len(Xv), columns))
    if active.size:
        XS = Xc[:, active]
        H = XS.T @ (w[:, None] * XS) / w.sum() + alpha * (1.0 - l1_ratio) * np.eye(active.size)
        sign, b = np.sign(beta[active]), beta[active]
        rhs = [alpha * (l1_ratio * sign + (1.0 - l1_ratio) * b)]  # α · d/dα of the penalty's gradient
        if with_ratio:
            rhs.append(alpha * (sign - b))
        dS = -linalg.solve(H, np.column_stack(rhs), assume_a="sym")
        jac = Xvc[:, active] @ dS
    return FoldPrediction(pred, jac)


def regression_loss(metric: str, y_val, fold: FoldPrediction, w_val=None) -> FoldLoss:
    """The fold's loss to minimise (the metric when it is smooth enough, else the MSE) and its gradient."""
    y = np.asarray(y_val, dtype=float)
    w = _weights(w_val, len(y))
    resid = fold.pred - y
    mse = float(w @ resid ** 2 / w.sum())
    dmse = 2.0 * (w * resid) @ fold.jac / w.sum()
    if metric == "r2":
        sst = float(w @ (y - w @ y / w.sum()) ** 2 / w.sum())
        if sst > 0:
            return FoldLoss(mse / sst - 1.0, dmse / sst)  # minus R²
    if metric == "rmse":
        rmse = np.sqrt(mse)
        return FoldLoss(float(rmse), dmse / (2.0 * rmse) if rmse > 0 else dmse * 0.0)
    if metric == "mae":
        return FoldLoss(float(w @ np.abs(resid) / w.sum()), (w * np.sign(resid)) @ fold.jac / w.sum())
    return FoldLoss(mse, dmse)


# -- logistic regression -----------------------------------------------------------------------

class _Logistic:
    """C Σ wᵢ ℓᵢ(θ) + ½‖W‖², θ = (W, b); binary (one row, sigmoid) or multinomial (softmax)."""

    def __init__(self, X: np.ndarray, codes: np.ndarray, w: np.ndarray, n_classes: int, C: float):
        self.Z = np.column_stack([X, np.ones(len(X))])  # the intercept is the last column, unpenalised
        self.codes, self.w, self.C = codes, w, C
        self.k = 1 if n_classes == 2 else n_classes
        self.Y = (codes[:, None] == np.arange(n_classes)[None, :]).astype(float)
        if self.k == 1:
            self.Y = self.Y[:, 1:]
        self.p = self.Z.shape[1]
        self.penalty = np.tile(np.r_[np.ones(self.p - 1), 0.0], self.k)

    def unpack(self, theta: np.ndarray) -> np.ndarray:
        return theta.reshape(self.k, self.p)

    def probs(self, theta: np.ndarray, Z: np.ndarray) -> np.ndarray:
        z = Z @ self.unpack(theta).T
        return expit(z) if self.k == 1 else softmax(z, axis=1)

    def grad_loss(self, theta: np.ndarray) -> np.ndarray:
        """Σ wᵢ ∇ℓᵢ (without C and the penalty)."""
        P = self.probs(theta, self.Z)
        return ((self.w[:, None] * (P - self.Y)).T @ self.Z).ravel()

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        P = self.probs(theta, self.Z)
        Zw = self.Z * self.w[:, None]
        if self.k == 1:
            s = (P * (1 - P)).ravel()
            H = self.C * (Zw * s[:, None]).T @ self.Z
        else:
            k, p = self.k, self.p
            H = np.empty((k * p, k * p))
            for a in range(k):
                for b in range(a, k):
                    s = P[:, a] * ((a == b) - P[:, b])
                    block = self.C * (Zw * s[:, None]).T @ self.Z
                    H[a * p:(a + 1) * p, b * p:(b + 1) * p] = block
                    H[b * p:(b + 1) * p, a * p:(a + 1) * p] = block.T
        H += np.diag(self.penalty)
        if self.k > 1:
            # Adding one constant to every class's intercept changes nothing; fix that direction
            # so the solve is defined (the gradients are orthogonal to it).
            e = np.zeros(self.k * self.p)
            e[self.p - 1::self.p] = 1.0 / np.sqrt(self.k)
            H += np.outer(e, e)
        return H

    def objective_grad(self, theta: np.ndarray) -> np.ndarray:
        return self.C * self.grad_loss(theta) + self.penalty * theta


def logistic(X_train, codes_train, X_val, codes_val, coef, intercept, C: float, n_classes: int,
             w_train=None, w_val=None, polish: int = 2) -> FoldLoss:
    """LogisticRegression (L2, lbfgs): the validation log loss and its derivative in log C."""
    X, Xv = dense(X_train), dense(X_val)
    codes, codes_v = np.asarray(codes_train, dtype=int), np.asarray(codes_val, dtype=int)
    w, wv = _weights(w_train, len(X)), _weights(w_val, len(Xv))
    model = _Logistic(X, codes, w, n_classes, C)
    theta = np.column_stack([np.atleast_2d(coef), np.asarray(intercept, dtype=float).ravel()[:, None]]).ravel()
    for _ in range(polish):
        H = model.hessian(theta)
        theta = theta - linalg.solve(H, model.objective_grad(theta), assume_a="sym")
    H = model.hessian(theta)
    # At the optimum C ∇L = -Pθ, so dθ/dlog C = C dθ/dC = -H⁻¹ C ∇L = H⁻¹ Pθ.
    dtheta = linalg.solve(H, model.penalty * theta, assume_a="sym")
    Zv = np.column_stack([Xv, np.ones(len(Xv))])
    z = Zv @ model.unpack(theta).T
    if model.k == 1:
        z = np.column_stack([np.zeros(len(Xv)), z])
    logp = log_softmax(z, axis=1)
    rows = np.arange(len(Xv))
    loss = float(-(wv * logp[rows, codes_v]).sum() / wv.sum())
    P = np.exp(logp)
    Yv = (codes_v[:, None] == np.arange(P.shape[1])[None, :]).astype(float)
    G = wv[:, None] * (P - Yv) / wv.sum()  # d loss / d z
    if model.k == 1:
        G = G[:, 1:]
    grad_theta = (G.T @ Zv).ravel()
    return FoldLoss(loss, np.array([grad_theta @ dtheta]))


def balanced_weights(codes, n_classes: int) -> np.ndarray:
    """class_weight="balanced" as sample weights: n / (k · nᵢ)."""
    codes = np.asarray(codes, dtype=int)
    counts = np.bincount(codes, minlength=n_classes).astype(float)
    return len(codes) / (n_classes * counts[codes])
