"""Shared fixtures. Tests never touch the real user data folder or settings."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

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
