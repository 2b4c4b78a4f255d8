"""Paths and setups shared by test modules (conftest fixtures cannot be imported by name)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "resources" / "examples"

# A small grid for the decision tree: 3 depths × 2 criteria.
GRID = {"max_depth": {"type": "int", "values": [1, 2, 3]},
        "criterion": {"type": "categorical", "choices": ["gini", "entropy"]}}


def iris_setup(csv, strategy="random", trials=6, metric="accuracy", space=None):
    """A quick decision-tree search (a SearchSetup) on the iris CSV at ``csv``."""
    from hpgui.core.setup import SearchSetup  # conftest imports this module; keep that import light

    return SearchSetup.from_json({
        "format": "hpgui-setup/1",
        "data": {"path": str(csv), "target": "species", "task": "classification"},
        "model": "decision_tree",
        "space": space or {"max_depth": {"type": "int", "low": 1, "high": 6},
                           "min_samples_leaf": {"type": "int", "low": 1, "high": 10}},
        "strategy": {"name": strategy, "seed": 2},
        "evaluation": {"folds": 3},
        "metric": metric,
        "budget": {"trials": trials},
    })
