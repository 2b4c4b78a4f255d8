"""Shared helpers for the scripts in ``benchmarks/`` (not a benchmark itself).

Import this module *before* numpy, scikit-learn or hpgui: :func:`prepare_environment`
pins the BLAS/OpenMP thread pools and points ``HPGUI_DATA_DIR`` at a temporary
folder, and both only take effect if they happen before those libraries load.
"""

from __future__ import annotations

import atexit
import os
import platform
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "resources" / "examples"

_OWNED_DIR = "HPGUI_BENCH_DATA_DIR"  # set by the parent so worker processes reuse its temporary folder
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")


def prepare_environment(prefix: str) -> Path:
    """One thread per BLAS/OpenMP pool, hpgui's data folder in a temporary folder, the repo importable.

    Returns the temporary data folder; it is deleted when the script exits.
    """
    for var in _THREAD_VARS:
        os.environ.setdefault(var, "1")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    inherited = os.environ.get(_OWNED_DIR)
    if not inherited:
        compile_sources()
    if inherited:  # a worker process of the benchmark: share its parent's folder
        os.environ["HPGUI_DATA_DIR"] = inherited
        return Path(inherited)
    data_dir = Path(tempfile.mkdtemp(prefix=f"hpgui-bench-{prefix}-"))
    os.environ["HPGUI_DATA_DIR"] = os.environ[_OWNED_DIR] = str(data_dir)
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    return data_dir


def compile_sources() -> None:
    """Byte-compile hpgui's modules once, as installing a package does.

    The libraries hpgui is compared with were compiled when pip installed them; hpgui runs from this
    checkout, and where ``PYTHONDONTWRITEBYTECODE`` is set (as on the team's machines) every hpgui
    process would compile its ~200 modules from source again: 0.2-0.3 s of start-up a user never pays.
    """
    import compileall

    compileall.compile_dir(str(ROOT / "hpgui"), quiet=1)


def classification_csv(path: Path, rows: int) -> None:
    """A seeded synthetic two-class CSV: 20 numeric features x0…x19 and the target y."""
    import pandas as pd
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=rows, n_features=20, n_informative=8, flip_y=0.05, random_state=0)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    frame["y"] = y
    frame.to_csv(path, index=False)


def median(values) -> float:
    return float(statistics.median(values))


def filesystem_of(path: Path) -> str:
    """The file-system type that holds ``path`` (from /proc/mounts; "unknown" elsewhere)."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return "unknown"
    path = Path(path).resolve()
    best, kind = "", "unknown"
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        mount = parts[1]
        if (str(path) == mount or str(path).startswith(mount.rstrip("/") + "/")) and len(mount) > len(best):
            best, kind = mount, parts[2]
    return kind


def environment_line() -> str:
    import numpy
    import optuna
    import sklearn

    return (f"Python {platform.python_version()}, scikit-learn {sklearn.__version__}, optuna {optuna.__version__}, "
            f"numpy {numpy.__version__}; {os.cpu_count()} CPU(s); "
            f"{', '.join(f'{v}={os.environ.get(v)}' for v in _THREAD_VARS[:1])}")


def markdown_table(headers: list[str], rows: list[list[object]], align: str | None = None) -> str:
    """A GitHub Markdown table; ``align`` is one letter per column (l/r)."""
    align = align or "l" + "r" * (len(headers) - 1)
    marks = {"l": ":--", "r": "--:", "c": ":-:"}
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(marks[a] for a in align) + " |"]
    for row in rows:
        lines.append("| " + " | ".join(str(c) for c in row) + " |")
    return "\n".join(lines)
