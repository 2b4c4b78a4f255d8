"""How good is a trial's model on rows it did not train on.

``compute.diagnose`` fits the trial's pipeline on the study's own folds (and, where
rows were held out, once on all training rows to predict the test set), and hands
the predictions to the task's summaries: ``classification``, ``regression`` and
``clustering``, plus ``permutation`` importance of the input columns. ``nested``
runs the whole tuning procedure inside outer folds for an honest estimate.
Nothing here imports Qt.
"""

from .compute import Diagnostics, Part, add_importance, diagnose
from .predictions import HeldOut

__all__ = ["Diagnostics", "HeldOut", "Part", "add_importance", "diagnose"]
