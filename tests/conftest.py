"""Shared fixtures. Tests never touch the real user data folder or settings."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# One thread per BLAS/OpenMP pool, here and in every process a test starts (they inherit it), set before
# numpy or a boosting library loads: tests start several processes on a small machine, and pools that
# each take every core spin against each other (a LightGBM search took 10-30 s instead of 3).
for _pool in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_pool, "1")

from tests_support import EXAMPLES, ROOT  # noqa: F401


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("HPGUI_DATA_DIR", str(tmp_path_factory.mktemp("hpgui-data")))


@pytest.fixture
def examples() -> Path:
    return EXAMPLES


@pytest.fixture
def iris_csv(tmp_path) -> Path:
    path = tmp_path / "iris.csv"
    shutil.copy(EXAMPLES / "iris.csv", path)
    return path


@pytest.fixture
def penguins_csv(tmp_path) -> Path:
    path = tmp_path / "penguins.csv"
    shutil.copy(EXAMPLES / "penguins.csv", path)
    return path


def _classification_csv(path: Path, n_samples: int, n_features: int) -> Path:
    from sklearn.datasets import make_classification
    import pandas as pd

    X, y = make_classification(n_samples=n_samples, n_features=n_features, random_state=0)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(n_features)])
    frame["y"] = y
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def slow_csv(tmp_path) -> Path:
    """20,000 rows of 30 features (target "y"): a random forest fit takes seconds, long enough to stop."""
    return _classification_csv(tmp_path / "slow.csv", 20_000, 30)


@pytest.fixture
def medium_csv(tmp_path) -> Path:
    """3,000 rows of 20 features (target "y"): fits that take a moment, not seconds."""
    return _classification_csv(tmp_path / "medium.csv", 3_000, 20)


@pytest.fixture
def survey_csv(tmp_path) -> Path:
    """A survey whose features say nothing about the answer: 189 of 236 answered 'no'."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    answer = np.array(["no"] * 189 + ["yes"] * 47)
    rng.shuffle(answer)
    frame = pd.DataFrame({"age": rng.integers(18, 80, 236), "score": rng.normal(size=236), "answer": answer})
    path = tmp_path / "survey.csv"
    frame.to_csv(path, index=False)
    return path
