"""Analysis views: tabs beside the history chart that explain a search (see views/base.py).

``VIEW_CLASSES`` lists them in tab order; the main window builds one of each.
"""

from __future__ import annotations

from .base import AnalysisView
from .compare import CompareView
from .contour import ContourView
from .folds import FoldsView
from .importance import ImportanceView
from .leaderboard import LeaderboardView
from .overfit import OverfitView
from .parallel import ParallelView
from .results import ResultsView
from .slices import SlicesView
from .timeline import TimelineView

VIEW_CLASSES: list[type[AnalysisView]] = [
    ResultsView,
    SlicesView,
    ParallelView,
    ContourView,
    ImportanceView,
    OverfitView,
    FoldsView,
    TimelineView,
    LeaderboardView,
    CompareView,
]

__all__ = ["AnalysisView", "CompareView", "ResultsView", "VIEW_CLASSES"]
