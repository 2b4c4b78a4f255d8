"""The window's views of a study: History, Best parameters and the analysis views (see views/base.py).

``VIEW_CLASSES`` lists them in order; the window builds one of each and lists it in its view picker
under the class's ``GROUP``. Adding a view: a module here with the view class, and one entry below.
"""

from __future__ import annotations

from .base import AnalysisView
from .best_params import BestParamsChart
from .compare import CompareView
from .contour import ContourView
from .folds import FoldsView
from .history import HistoryChart
from .importance import ImportanceView
from .leaderboard import LeaderboardView
from .learning import LearningCurvesView
from .lineage import LineageView
from .overfit import OverfitView
from .parallel import ParallelView
from .results import ResultsView
from .slices import SlicesView
from .timeline import TimelineView

VIEW_CLASSES: list[type] = [
    HistoryChart,
    BestParamsChart,
    ResultsView,
    SlicesView,
    ParallelView,
    ContourView,
    ImportanceView,
    OverfitView,
    FoldsView,
    TimelineView,
    LearningCurvesView,
    LineageView,
    LeaderboardView,
    CompareView,
]

__all__ = ["AnalysisView", "BestParamsChart", "CompareView", "HistoryChart", "LearningCurvesView", "LineageView",
           "ResultsView",
           "VIEW_CLASSES"]
