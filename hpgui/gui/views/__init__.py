"""Analysis views: tabs beside the history chart that explain a search (see views/base.py).

``VIEW_CLASSES`` lists them in tab order; the main window builds one of each.
"""

from __future__ import annotations

from .base import AnalysisView
from .compare import CompareView
from .contour import ContourView
from .folds import FoldsView
from .importance import ImportanceView
from .overfit import OverfitView
from .parallel import ParallelView
from .slices import SlicesView
from .timeline import TimelineView

VIEW_CLASSES: list[type[AnalysisView]] = [
    SlicesView,
    ParallelView,
    ContourView,
    ImportanceView,
    OverfitView,
    FoldsView,
    TimelineView,
    CompareView,
]

__all__ = ["AnalysisView", "CompareView", "VIEW_CLASSES"]
