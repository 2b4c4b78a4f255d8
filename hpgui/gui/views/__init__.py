"""Analysis views: tabs beside the history chart that explain a search (see views/base.py).

``VIEW_CLASSES`` lists them in tab order; the main window builds one of each.
"""

from __future__ import annotations

from .base import AnalysisView
from .contour import ContourView
from .importance import ImportanceView
from .parallel import ParallelView
from .slices import SlicesView

VIEW_CLASSES: list[type[AnalysisView]] = [
    SlicesView,
    ParallelView,
    ContourView,
    ImportanceView,
]

__all__ = ["AnalysisView", "VIEW_CLASSES"]
