"""Analysis views: tabs beside the history chart that explain a search (see views/base.py).

``VIEW_CLASSES`` lists them in tab order; the main window builds one of each.
"""

from __future__ import annotations

from .base import AnalysisView
from .folds import FoldsView
from .overfit import OverfitView
from .timeline import TimelineView

VIEW_CLASSES: list[type[AnalysisView]] = [
    OverfitView,
    FoldsView,
    TimelineView,
]

__all__ = ["AnalysisView", "VIEW_CLASSES"]
